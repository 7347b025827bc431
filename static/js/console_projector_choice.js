// What the projector shows: the choice of view (boards, a round, a board's matrix, the measures)
// and the "show on the projector" buttons elsewhere in the panel, pressed when theirs is shown.
// A button with `data-run-project-value="round:7"` shows its value as pressed.
import { el, fill } from "./live.js";
import { live } from "./console_state.js";
import { $, $$, R, roundTitle, runAct as act } from "./console_panel.js";
import { changeTracker } from "./dom.js";
import { newestFirst } from "./prioritise.js";

const changed = changeTracker();

function projectorValue(view, targetId) {
  return view === "round" || view === "matrix" ? `${view}:${targetId}` : view;
}

function viewText(value) {
  const [view, id] = value.split(":");
  if (view === "round") {
    const round = live.rounds.get(Number(id));
    return round ? fill(R.view_round, { question: roundTitle(round) }) : "";
  }
  if (view === "matrix") {
    const board = live.boards.get(Number(id));
    return board ? fill(R.view_matrix, { board: board.title }) : "";
  }
  return view === "measures" ? R.view_measures : R.view_boards;
}

export function renderProjector() {
  const current = projectorValue(live.workshop.projector_view || "boards", live.workshop.projector_target_id);
  const rounds = newestFirst(live.rounds.values());
  const boards = live.orderedBoards();
  $("[data-run-projector-now]").textContent = viewText(current);
  if (changed("projector-options", [current, rounds.map((r) => [r.id, roundTitle(r)]),
    boards.map((b) => [b.id, b.title])])) {
    const select = $("[data-run-projector-view]");
    const keep = select.dataset.touched ? select.value : current;
    const options = [el("option", { value: "boards" }, R.view_boards)];
    if (rounds.length) {
      const group = el("optgroup", { label: R.group_rounds });
      group.append(...rounds.map((r) => el("option", { value: `round:${r.id}` }, viewText(`round:${r.id}`))));
      options.push(group);
    }
    const matrices = el("optgroup", { label: R.group_matrices });
    matrices.append(...boards.map((b) => el("option", { value: `matrix:${b.id}` }, viewText(`matrix:${b.id}`))));
    options.push(matrices, el("option", { value: "measures" }, R.view_measures));
    select.replaceChildren(...options);
    select.value = [...select.options].some((o) => o.value === keep) ? keep : current;
  }
  for (const button of $$("[data-run-project-value]")) {
    const on = current === button.dataset.runProjectValue;
    button.setAttribute("aria-pressed", String(on));
    if (button.hasAttribute("data-run-project-round")) button.textContent = on ? R.projected : R.project;
  }
}

export function project(value, errorTarget = "projector") {
  const [view, id] = value.split(":");
  const payload = { view };
  if (id) payload.target_id = Number(id);
  return act(errorTarget, "set_projector", payload);
}

$("[data-run-projector-view]").addEventListener("change", (event) => { event.target.dataset.touched = "1"; });
$("[data-run-projector-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const select = $("[data-run-projector-view]");
  const answer = await project(select.value);
  if (answer.ok) delete select.dataset.touched;
});

