// What the parts of the run panel share: its texts, lookups inside the panel, its own announcer
// and where each part shows a refusal.
import { $ as find, $$ as findAll } from "./dom.js";
import { act } from "./console_state.js";
import { readTexts } from "./prioritise.js";

export const R = readTexts("run-data");
export const panel = document.querySelector("[data-run-panel]");
export const $ = (selector, root = panel) => find(selector, root);
export const $$ = (selector, root = panel) => findAll(selector, root);

export function announce(message) {
  const region = $("[data-run-announcer]");
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

// A part's error line: by name (`data-run-error="timer"`) or the node itself.
export function errorLine(name) {
  return typeof name === "string" ? $(`[data-run-error="${name}"]`) : name;
}

// Send a facilitator action; its refusal (or a lost connection) is shown at `errorTarget`.
export function runAct(errorTarget, event, payload) {
  return act(errorLine(errorTarget), event, payload);
}

export function showError(name, message) {
  const node = errorLine(name);
  if (node) node.textContent = message || "";
}

export function roundTitle(round) {
  return round.question || (round.kind === "consent" ? R.consent_untitled : R.round_untitled);
}
