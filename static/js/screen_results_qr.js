// The projector's results views (a round, the matrix, the measures) show a QR code to the
// participants' results page once the facilitator has published it (views/results.py).
// The image exists only while shown: before publishing its address answers 404.
import { el } from "./dom.js";

const RESULT_VIEWS = new Set(["round", "matrix", "measures"]);

export function showResultsQr(workshop, view) {
  const box = document.querySelector("[data-results-qr]");
  if (!box) return;
  const shown = Boolean(workshop.results_published) && RESULT_VIEWS.has(view);
  box.hidden = !shown;
  const slot = box.querySelector("[data-results-qr-image]");
  if (shown && !slot.firstElementChild) {
    slot.append(el("img", { src: slot.dataset.src, alt: slot.dataset.alt }));
  } else if (!shown) {
    slot.replaceChildren();
  }
}
