// Phases and the timer in the run panel: a row of phase buttons per board (and one for all),
// and the countdown the projector and the phones show.
import { countdown, el, fill } from "./live.js";
import { live } from "./console_state.js";
import { $, $$, R, runAct as act, showError } from "./console_panel.js";
import { changeTracker } from "./dom.js";
import { replaceKeepingFocus } from "./prioritise.js";

const PHASES = ["collect", "cluster", "prioritise", "results"];
const changed = changeTracker();

export function renderPhases() {
  const boards = live.orderedBoards();
  const shared = boards.length && boards.every((b) => b.phase === boards[0].phase) ? boards[0].phase : null;
  if (!changed("phases", [boards.map((b) => [b.id, b.title, b.phase]), shared])) return;
  const rows = [phaseRow(null, R.all_boards, shared),
    ...boards.map((board) => phaseRow(board.id, board.title, board.phase))];
  replaceKeepingFocus($("[data-run-phases]"), rows);
}

function phaseRow(boardId, title, current) {
  const row = el("tr", { class: boardId === null ? "run-phase-all" : null, "data-run-phase-board": boardId ?? "all" });
  row.append(el("th", { scope: "row", dir: "auto" }, title));
  const cell = el("td");
  const steps = el("div", { class: "run-steps", role: "group", "aria-label": title });
  for (const phase of PHASES) {
    const label = boardId === null ? fill(R.all_label, { phase: R.phases[phase] })
      : fill(R.phase_label, { board: title, phase: R.phases[phase] });
    const button = el("button", {
      type: "button", class: "run-step", "aria-pressed": String(phase === current),
      title: label, "data-phase": phase, "data-focus-key": `phase-${boardId ?? "all"}-${phase}`,
    }, R.phases[phase]);
    button.addEventListener("click", () => act("phases", "set_phase",
      { board_ids: boardId === null ? [] : [boardId], phase }));
    steps.append(button);
  }
  cell.append(steps);
  row.append(cell);
  return row;
}

// --- Timer --------------------------------------------------------------------------------------

const timerValue = $("[data-run-timer]");
const showTimer = countdown(timerValue, { paused: R.paused });
let shownTimer = null;

export function renderTimer() {
  const timer = live.workshop.timer;
  // Only a new timer state restarts the countdown: re-applying an old one would turn it back.
  if (!timer || timer === shownTimer) return;
  shownTimer = timer;
  showTimer(timer);
  $("[data-run-timer-none]").hidden = !timerValue.hidden;
  const set = timer.running || timer.remaining > 0;
  const buttons = Object.fromEntries($$("[data-run-timer-action]").map((b) =>
    [b.dataset.runTimerAction + (b.dataset.seconds || ""), b]));
  buttons.pause.disabled = !timer.running;
  buttons.resume.disabled = timer.running || !timer.remaining;
  buttons.extend60.disabled = buttons.extend300.disabled = !set;
  buttons.stop.disabled = !set;
}

$("[data-run-timer-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const minutes = Number($("[data-run-minutes]").value);
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > 240) {
    showError("timer", R.minutes_invalid);
    $("[data-run-minutes]").focus();
    return;
  }
  act("timer", "set_timer", { action: "start", seconds: Math.round(minutes * 60) });
});
for (const button of $$("[data-run-timer-action]")) {
  button.addEventListener("click", () => {
    const action = button.dataset.runTimerAction;
    if (action === "resume") act("timer", "set_timer", { action: "start" });
    else if (action === "extend") act("timer", "set_timer", { action, seconds: Number(button.dataset.seconds) });
    else act("timer", "set_timer", { action });
  });
}

