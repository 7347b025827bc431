// Undo and redo for the facilitator's own actions (clustering, moderation, matrix, measures):
// the buttons say what they would undo or redo; Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y do the same.
// The history lives on the server, so it survives a reload; any part of the console that gets an
// answer with `history` hands it on with a "facilitator:history" event.
import { $, setText } from "./dom.js";
import { fill } from "./live.js";
import { T, announce, live, request } from "./console_state.js";

const undoButton = $("[data-undo]");
const redoButton = $("[data-redo]");
let history = { undo: null, redo: null };

function actionName(label) {
  return T.actions[label] || label;
}

export function showHistory(state) {
  history = state;
  undoButton.disabled = !state.undo;
  redoButton.disabled = !state.redo;
  setText(undoButton, state.undo ? fill(T.undo_label, { action: actionName(state.undo) }) : T.undo);
  setText(redoButton, state.redo ? fill(T.redo_label, { action: actionName(state.redo) }) : T.redo);
}

// Undo and redo queue up: each step waits for the answer to the one before it, then asks the
// server, which decides (a quick Ctrl+Z, Ctrl+Shift+Z must not be judged by a redo button that
// the undo's answer has not enabled yet). A refusal is shown, never swallowed.
let steps = Promise.resolve();

function step(kind) {
  steps = steps.then(() => sendStep(kind), () => sendStep(kind));
  return steps;
}

async function sendStep(kind) {
  const answer = await request(kind);
  if (answer.history) showHistory(answer.history);
  setText($("[data-history-error]"), answer.ok ? "" : (answer.message || T.offline));
  // What was just undone is now first in line to redo, and the other way round.
  const done = kind === "undo" ? history.redo : history.undo;
  if (answer.ok) announce(fill(kind === "undo" ? T.undone : T.redone, { action: actionName(done) }));
}

async function refreshHistory() {
  const answer = await request("history");
  if (answer.ok) showHistory(answer.history);
}

function typingIn(target) {
  if (!(target instanceof Element)) return false;
  if (target.matches("textarea, select, [contenteditable]:not([contenteditable=false])")) return true;
  return target.matches("input") &&
    !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(target.type);
}

undoButton.addEventListener("click", () => step("undo"));
redoButton.addEventListener("click", () => step("redo"));
document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || typingIn(event.target)) return;
  const key = event.key.toLowerCase();
  if (key !== "z" && key !== "y") return;
  event.preventDefault();
  step(key === "y" || event.shiftKey ? "redo" : "undo");
});
live.onConnection((detail) => {
  if (detail.state === "connected") refreshHistory();
});
// Another tab of the same facilitator may have acted meanwhile.
window.addEventListener("focus", () => {
  if (live.socket.connected) refreshHistory();
});
// Other console parts that get an ack with `history` can hand it on this way.
document.addEventListener("facilitator:history", (event) => showHistory(event.detail));
