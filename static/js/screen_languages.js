// The projector's second language under board titles and questions, and card translations,
// each marked so nobody takes a translation for what was written.
import { el } from "./live.js";
import { translated } from "./content_language.js";

export function showSecondLanguage(node, panel, workshop) {
  const lang = workshop?.projector_language;
  const board = panel.key.startsWith("board-") ? panel.board : null;
  for (const field of ["title", "question"]) {
    const line = node.querySelector(`[data-${field}-second]`);
    const text = board ? translated(workshop, "board", board.id, field, lang) : null;
    line.hidden = !text;
    line.textContent = text || "";
    if (text) line.setAttribute("lang", lang);
  }
}

export function cardTranslation(idea, label) {
  if (!idea.translation) return null;
  return el("span", { class: "wall-card-translation", lang: idea.translation_lang || "",
    "data-card-translation": "" }, `${label}: ${idea.translation}`);
}
