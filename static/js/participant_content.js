// The board's title and question in the phone's language when the facilitator translated them,
// with the original one tap away (the button names what a tap shows; the choice holds until
// the page is left).
import { translated } from "./content_language.js";

const lang = document.documentElement.lang;
const button = document.querySelector("[data-show-original]");
let showOriginal = false;
let last = null;

export function renderBoardText(board, workshop) {
  last = { board, workshop };
  const title = translated(workshop, "board", board.id, "title", lang);
  const question = translated(workshop, "board", board.id, "question", lang);
  const hasTranslation = Boolean(title || question);
  const original = showOriginal || !hasTranslation;
  const titleNode = document.querySelector("[data-board-title]");
  const questionNode = document.querySelector("[data-board-question]");
  titleNode.textContent = original ? board.title : title || board.title;
  questionNode.textContent = original ? board.question : question || board.question;
  // The original is in the workshop's language: screen readers must read it as such.
  for (const node of [titleNode, questionNode]) {
    if (original && hasTranslation) node.setAttribute("lang", workshop.language);
    else node.removeAttribute("lang");
  }
  if (!button) return;
  button.closest("[data-original-row]").hidden = !hasTranslation;
  button.textContent = showOriginal ? button.dataset.showTranslationLabel : button.dataset.showOriginalLabel;
}

button?.addEventListener("click", () => {
  showOriginal = !showOriginal;
  if (last) renderBoardText(last.board, last.workshop);
});
