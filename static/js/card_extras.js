// What a card carries beside its text: a translation (always marked as one, never in place of
// the original) and how it reached the board (phone, on behalf, paper card, shared tablet).
// Shared by the console and the projector; texts come from data-* attributes of the page.
import { $, el, setText } from "./dom.js";

export function showTranslation(node, idea) {
  const box = $("[data-card-translation]", node);
  if (!box) return;
  const key = idea.translation ? `${idea.translation_lang}:${idea.translation}` : "";
  box.hidden = !idea.translation;
  if (box.dataset.shown === key) return;
  box.dataset.shown = key;
  box.replaceChildren();
  if (!idea.translation) return;
  const label = `${box.dataset.label} (${idea.translation_lang}):`;
  box.append(el("span", { class: "translation-mark" }, label), " ",
    el("span", { dir: "auto", lang: idea.translation_lang || "" }, idea.translation));
}

// A stock-taking card (Bestandsaufnahme) whose row says the offer already exists.
export function showExists(node, idea) {
  const mark = $("[data-card-exists]", node);
  if (!mark) return;
  const exists = Boolean(idea.entry && idea.entry.exists);
  mark.hidden = !exists;
  setText(mark, exists ? mark.dataset.label : "");
}

export function showSource(node, idea) {
  const badge = $("[data-card-source]", node);
  if (!badge) return;
  const labels = JSON.parse(badge.dataset.labels || "{}");
  // A phone card is the usual case; only the others are marked, so they stand out.
  const source = idea.source && idea.source !== "phone" ? idea.source : "";
  badge.dataset.source = source;
  setText(badge, source ? labels[source] || source : "");
}
