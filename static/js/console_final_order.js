// A dot-voting round's final order: the facilitator moves items up and down in a draft and saves
// it; the votes stay as they were (the record shows both).
import { el, fill } from "./live.js";
import { live } from "./console_state.js";
import { $, R, announce, runAct as act } from "./console_panel.js";
import { changeTracker } from "./dom.js";
import { finalOrder, rankText } from "./prioritise.js";

const changed = changeTracker();
const drafts = new Map();  // round id → order moved here but not saved yet

// The final order is edited as a draft here and saved at once; the votes stay as they were.
export function createFinalOrder(round, node) {
  const details = el("details", { class: "run-final" });
  details.append(el("summary", {}, R.final_heading), el("p", { class: "small" }, R.final_hint),
    el("ol", { class: "run-final-list", "data-part": "final" }),
    el("p", { class: "small", role: "status", "data-part": "final-status" }));
  // Objection 5 of issue 9: a final order that differs from the vote says why, in the record.
  const reasonId = `run-final-reason-${round.id}`;
  const reason = el("textarea", { id: reasonId, rows: "2", maxlength: "2000", dir: "auto", "data-part": "final-reason" });
  reason.value = round.final_order_reason || "";
  details.append(el("label", { for: reasonId }, R.final_reason), reason);
  const buttons = el("div", { class: "run-buttons" });
  const save = el("button", { type: "button", class: "button-small button-primary", "data-part": "final-save" }, R.save_order);
  const reset = el("button", { type: "button", class: "button-small", "data-part": "final-reset" }, R.reset_order);
  const clear = el("button", { type: "button", class: "button-small", "data-part": "final-clear" }, R.clear_order);
  save.addEventListener("click", async () => {
    const current = live.rounds.get(round.id);
    const order = drafts.get(round.id) || finalOrder(current);
    const answer = await act($("[data-part=error]", node), "update_round", { round_id: round.id, settings: { final_order: order, final_order_reason: reason.value.trim() } });
    if (answer.ok) {
      drafts.delete(round.id);
      // The round's broadcast may have come before this answer: show the saved state now.
      updateFinalOrder(live.rounds.get(round.id), node);
      announce(R.order_saved);
    }
  });
  reset.addEventListener("click", () => {
    const current = live.rounds.get(round.id);
    drafts.set(round.id, (current.results || current.targets).map((row) => row.id));
    updateFinalOrder(current, node);
  });
  clear.addEventListener("click", async () => {
    const answer = await act($("[data-part=error]", node), "update_round", { round_id: round.id, settings: { final_order: [], final_order_reason: "" } });
    if (answer.ok) {
      drafts.delete(round.id);
      reason.value = "";
    }
  });
  buttons.append(save, reset, clear);
  details.append(buttons);
  return details;
}

export function updateFinalOrder(round, node) {
  const draft = drafts.get(round.id);
  const order = draft || finalOrder(round);
  const status = round.final_order.length ? R.final_set : "";
  $("[data-part=final-status]", node).textContent = draft ? R.order_unsaved : status;
  const reason = $("[data-part=final-reason]", node);
  // A colleague's saved reason shows, but never over what is being typed here.
  if (reason && document.activeElement !== reason && !draft) reason.value = round.final_order_reason || "";
  if (!changed(`final-${round.id}`, [order, round.targets, round.results])) return;
  const labels = new Map(round.targets.map((t) => [t.id, t.label]));
  const scores = new Map((round.results || []).map((row) => [row.id, row]));
  const list = $("[data-part=final]", node);
  const active = document.activeElement;
  const focusKey = list.contains(active) ? active.dataset.focusKey : null;
  const items = order.filter((id) => labels.has(id)).map((id, index, all) => {
    const label = labels.get(id);
    const item = el("li", { class: "run-final-item", "data-run-final": id });
    const score = scores.get(id);
    item.append(el("span", { dir: "auto", class: "run-final-label" }, label));
    if (score) item.append(el("span", { class: "small" }, ` · ${fill(R.dots_value, { count: score.score })} · ${R.col_rank} ${rankText(score)}`));
    // Names start with the visible text (WCAG 2.5.3), then say which item.
    const up = el("button", { type: "button", class: "button-small", "aria-label": `↑ ${R.up}: ${label}`,
      "data-focus-key": `final-${id}-up`, disabled: index === 0 }, `↑ ${R.up}`);
    const down = el("button", { type: "button", class: "button-small", "aria-label": `↓ ${R.down}: ${label}`,
      "data-focus-key": `final-${id}-down`, disabled: index === all.length - 1 }, `↓ ${R.down}`);
    up.addEventListener("click", () => moveFinal(round.id, id, -1, node));
    down.addEventListener("click", () => moveFinal(round.id, id, 1, node));
    item.append(el("span", { class: "run-final-buttons" }, null));
    item.lastChild.append(up, down);
    return item;
  });
  list.replaceChildren(...items);
  if (focusKey) {
    const target = list.querySelector(`[data-focus-key="${focusKey}"]`);
    const sibling = focusKey.endsWith("-up") ? focusKey.replace(/-up$/, "-down") : focusKey.replace(/-down$/, "-up");
    (target && !target.disabled ? target : list.querySelector(`[data-focus-key="${sibling}"]`))?.focus();
  }
}

function moveFinal(roundId, targetId, step, node) {
  const round = live.rounds.get(roundId);
  const order = [...(drafts.get(roundId) || finalOrder(round))];
  const index = order.indexOf(targetId);
  const to = index + step;
  if (index === -1 || to < 0 || to >= order.length) return;
  [order[index], order[to]] = [order[to], order[index]];
  drafts.set(roundId, order);
  updateFinalOrder(round, node);
  const label = round.targets.find((t) => t.id === targetId)?.label ?? "";
  announce(fill(R.moved, { item: label, position: to + 1 }));
}

