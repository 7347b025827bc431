// The projector's results views (a round, the matrix, the measures) show a QR code to the
// participants' results page once the facilitator has published it (views/results.py).
// The image is only requested then: before publishing its address answers 404.
const RESULT_VIEWS = new Set(["round", "matrix", "measures"]);

export function showResultsQr(workshop, view) {
  const box = document.querySelector("[data-results-qr]");
  if (!box) return;
  const shown = Boolean(workshop.results_published) && RESULT_VIEWS.has(view);
  box.hidden = !shown;
  const image = box.querySelector("img");
  if (shown && !image.getAttribute("src")) image.setAttribute("src", image.dataset.src);
}
