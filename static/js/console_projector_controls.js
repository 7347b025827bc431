// Projector controls anywhere on the console: a board's or a cluster's "full screen" button
// (pressed again: back to all boards) and pause/next/previous for the projector's paging.
// Delegated from the document, so buttons the console draws later work without wiring.
import { live, request } from "./console_state.js";

const $ = (selector) => document.querySelector(selector);
const $$ = (selector) => [...document.querySelectorAll(selector)];
const CONTROLS = "[data-project-board], [data-project-cluster], [data-project-boards], [data-projector-paging]";

// The event and payload a control sends, read from the live state at the moment of the click.
function requestFor(button) {
  const { projector_view: view, projector_target_id: target, projector_paging: paging } = live.workshop;
  if (button.dataset.projectorPaging) {
    const action = button.dataset.projectorPaging;
    return ["set_projector_paging", { action: action === "pause" && paging.paused ? "resume" : action }];
  }
  for (const [kind, id] of [["board", button.dataset.projectBoard], ["cluster", button.dataset.projectCluster]]) {
    if (id === undefined) continue;
    const shown = view === kind && target === Number(id);
    return ["set_projector", shown ? { view: "boards" } : { view: kind, target_id: Number(id) }];
  }
  return ["set_projector", { view: "boards" }];
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest(CONTROLS);
  if (!button || !live.workshop) return;
  showAnswer(await request(...requestFor(button)));
});

function showAnswer(answer) {
  const error = $("[data-projector-controls-error]");
  if (error) error.textContent = answer.ok ? "" : (answer.message || answer.error);
}

document.addEventListener("change", async (event) => {
  const select = event.target.closest("[data-projector-page-seconds]");
  if (!select) return;
  showAnswer(await request("set_projector_paging", { seconds: Number(select.value) }));
});

// Pressed buttons say what the projector shows now, on every console.
function showState() {
  if (!live.workshop) return;
  const { projector_view: view, projector_target_id: target, projector_paging: paging } = live.workshop;
  for (const button of $$("[data-project-board]")) {
    button.setAttribute("aria-pressed", String(view === "board" && target === Number(button.dataset.projectBoard)));
  }
  for (const button of $$("[data-project-cluster]")) {
    button.setAttribute("aria-pressed", String(view === "cluster" && target === Number(button.dataset.projectCluster)));
  }
  const pause = $("[data-projector-paging='pause']");
  // A toggle keeps its name; "pressed" says that paging stands still.
  if (pause && paging) pause.setAttribute("aria-pressed", String(paging.paused));
  const seconds = $("[data-projector-page-seconds]");
  // Not while the facilitator is choosing in it.
  if (seconds && paging && document.activeElement !== seconds) seconds.value = String(paging.seconds);
  const back = $("[data-project-boards]");
  if (back) back.hidden = view !== "board" && view !== "cluster";
}

live.addEventListener("change", showState);
showState();  // the first sync may have arrived before this script ran
