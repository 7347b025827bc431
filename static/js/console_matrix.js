// The impact/effort matrix of one board in the run panel: clusters placed by dragging, by
// picking and clicking, by the arrow keys (a step of ten each) or by typing the numbers.
import { el, fill } from "./live.js";
import { live } from "./console_state.js";
import { $, $$, R, announce, runAct as act } from "./console_panel.js";
import { changeTracker, keyed } from "./dom.js";
import { project } from "./console_projector_choice.js";
import { percent, quadrant } from "./prioritise.js";

const changed = changeTracker();
const matrix = $("[data-run-matrix]");
const chips = $("[data-run-matrix-chips]");
const chipCache = new Map();
const rowCache = new Map();
let matrixBoardId = null;
let picking = null;
const sendTimers = new Map();

const toScale = (value) => (value === null || value === undefined ? "" : String(Math.round(value * 10)));
const clamp = (value) => Math.min(1, Math.max(0, Math.round(value * 100) / 100));

function renderMatrixBoards() {
  const boards = live.orderedBoards();
  if (!boards.some((b) => b.id === matrixBoardId)) {
    matrixBoardId = (boards.find((b) => live.clustersOn(b.id).length) || boards[0])?.id ?? null;
  }
  if (changed("matrix-boards", [boards.map((b) => [b.id, b.title]), matrixBoardId])) {
    const select = $("[data-run-matrix-board]");
    select.replaceChildren(...boards.map((b) => el("option", { value: b.id }, b.title)));
    select.value = String(matrixBoardId);
  }
}

$("[data-run-matrix-board]").addEventListener("change", (event) => {
  matrixBoardId = Number(event.target.value);
  picking = null;
  renderMatrix();
});
$("[data-run-matrix-project]").addEventListener("click", () => {
  if (matrixBoardId !== null) project(`matrix:${matrixBoardId}`, "matrix");
});

export function renderMatrix() {
  renderMatrixBoards();
  const board = live.boards.get(matrixBoardId);
  const clusters = board ? live.clustersOn(board.id) : [];
  $("[data-run-matrix-empty]").hidden = clusters.length > 0;
  $("[data-run-matrix-layout]").hidden = clusters.length === 0;
  if (board) matrix.setAttribute("aria-label", fill(R.matrix_label, { board: board.title }));
  $("[data-run-matrix-project]").dataset.runProjectValue = `matrix:${matrixBoardId}`;
  matrix.dataset.picking = picking === null ? "" : "yes";
  keyed(chips, chipCache, clusters.filter((c) => c.matrix_x !== null && c.matrix_x !== undefined),
    createChip, updateChip);
  keyed($("[data-run-matrix-rows]"), rowCache, clusters, createMatrixRow, updateMatrixRow);
}

function positionOf(cluster) {
  const local = sendTimers.get(cluster.id);
  return local ? local.position : { x: cluster.matrix_x, y: cluster.matrix_y };
}

function chipLabel(cluster, { x, y }) {
  const where = quadrant(x, y);
  return fill(R.chip_label, { cluster: cluster.heading, x: toScale(x), y: toScale(y),
    quadrant: where ? R.quadrants[where] : R.not_placed });
}

function createChip(cluster) {
  const chip = el("button", { type: "button", class: "matrix-chip", "data-run-chip": cluster.id,
    "data-focus-key": `chip-${cluster.id}` });
  chip.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const current = live.clusters.get(cluster.id);
    const { x, y } = positionOf(current);
    const [dx, dy] = moves[event.key];
    placeSoon(current, { x: clamp(x + dx), y: clamp(y + dy) }, 500);
  });
  chip.addEventListener("pointerdown", (event) => startDrag(event, chip, cluster.id));
  return chip;
}

function updateChip(chip, cluster) {
  const position = positionOf(cluster);
  chip.className = `matrix-chip colour-${cluster.colour}`;
  chip.textContent = cluster.heading;
  chip.setAttribute("aria-label", chipLabel(cluster, position));
  if (!chip.dataset.dragging) placeChip(chip, position);
}

function placeChip(chip, { x, y }) {
  chip.style.insetInlineStart = percent(x);
  chip.style.insetBlockStart = percent(1 - y);
}

function pointToPosition(event) {
  const box = matrix.getBoundingClientRect();
  return { x: clamp((event.clientX - box.left) / box.width), y: clamp(1 - (event.clientY - box.top) / box.height) };
}

function startDrag(event, chip, clusterId) {
  if (event.button !== 0) return;
  const start = { x: event.clientX, y: event.clientY };
  let moved = false;
  chip.setPointerCapture(event.pointerId);
  const move = (e) => {
    if (!moved && Math.hypot(e.clientX - start.x, e.clientY - start.y) < 4) return;
    moved = true;
    chip.dataset.dragging = "yes";
    placeChip(chip, pointToPosition(e));
  };
  const end = (e) => {
    chip.removeEventListener("pointermove", move);
    chip.removeEventListener("pointerup", end);
    chip.removeEventListener("pointercancel", end);
    delete chip.dataset.dragging;
    if (moved && e.type === "pointerup") placeSoon(live.clusters.get(clusterId), pointToPosition(e), 0);
    else renderMatrix();
  };
  chip.addEventListener("pointermove", move);
  chip.addEventListener("pointerup", end);
  chip.addEventListener("pointercancel", end);
}

matrix.addEventListener("click", (event) => {
  if (picking === null || event.target.closest("[data-run-chip]")) return;
  const cluster = live.clusters.get(picking);
  picking = null;
  if (cluster) placeSoon(cluster, pointToPosition(event), 0);
});

// Show the new place at once; send it after a pause, so holding an arrow key stores one step.
function placeSoon(cluster, position, delay) {
  const pending = sendTimers.get(cluster.id);
  if (pending) clearTimeout(pending.timer);
  const timer = setTimeout(() => sendPlace(cluster.id, position), delay);
  sendTimers.set(cluster.id, { timer, position });
  renderMatrix();
  announce(fill(R.placed, { cluster: cluster.heading, x: toScale(position.x), y: toScale(position.y) }));
}

async function sendPlace(clusterId, position) {
  const answer = await act("matrix", "place_on_matrix",
    { cluster_id: clusterId, x: position.x, y: position.y });
  const pending = sendTimers.get(clusterId);
  if (pending && pending.position === position) sendTimers.delete(clusterId);
  const cluster = live.clusters.get(clusterId);
  // The broadcast follows; showing the stored place now keeps the chip from jumping back.
  if (answer.ok && cluster) live.apply({ clusters: [{ ...cluster, matrix_x: position.x, matrix_y: position.y }] });
  renderMatrix();
}

async function takeOff(clusterId) {
  sendTimers.delete(clusterId);
  await act("matrix", "place_on_matrix", { cluster_id: clusterId, x: null, y: null });
}

function createMatrixRow(cluster) {
  const row = el("tr", { "data-run-matrix-row": cluster.id });
  const effort = el("input", { type: "number", min: 0, max: 10, step: 1, inputmode: "numeric",
    class: "run-scale-input", "data-axis": "x", "data-focus-key": `x-${cluster.id}` });
  const impact = el("input", { type: "number", min: 0, max: 10, step: 1, inputmode: "numeric",
    class: "run-scale-input", "data-axis": "y", "data-focus-key": `y-${cluster.id}` });
  for (const input of [effort, impact]) {
    // Placed once both numbers are there: filling in the other one meanwhile would put a digit
    // into the field the person is about to type in.
    input.addEventListener("change", () => {
      if (effort.value === "" || impact.value === "") return;
      const value = (text) => Math.min(10, Math.max(0, Math.round(Number(text)))) / 10;
      placeSoon(live.clusters.get(cluster.id), { x: value(effort.value), y: value(impact.value) }, 0);
    });
  }
  const pick = el("button", { type: "button", class: "button-small", "aria-pressed": "false", "data-part": "pick" }, R.pick);
  pick.addEventListener("click", () => {
    picking = picking === cluster.id ? null : cluster.id;
    renderMatrix();
    if (picking !== null) announce(fill(R.picked, { cluster: live.clusters.get(cluster.id).heading }));
  });
  const off = el("button", { type: "button", class: "button-small", "data-part": "off" }, R.take_off);
  off.addEventListener("click", () => takeOff(cluster.id));
  const actions = el("td", { class: "run-buttons" });
  actions.append(pick, off);
  row.append(el("th", { scope: "row", dir: "auto" }), el("td"), el("td"), el("td", { "data-part": "quadrant" }), actions);
  row.children[1].append(effort);
  row.children[2].append(impact);
  return row;
}

function updateMatrixRow(row, cluster) {
  const position = positionOf(cluster);
  row.children[0].textContent = cluster.heading;
  for (const input of $$("input", row)) {
    input.setAttribute("aria-label", fill(input.dataset.axis === "x" ? R.effort_label : R.impact_label, { cluster: cluster.heading }));
    // Only a changed place overwrites the field, so a number typed but not yet sent stays.
    const stored = toScale(position[input.dataset.axis]);
    if (input.dataset.stored !== stored && document.activeElement !== input) {
      input.value = stored;
      input.dataset.stored = stored;
    }
  }
  const where = quadrant(position.x, position.y);
  $("[data-part=quadrant]", row).textContent = where ? R.quadrants[where] : R.not_placed;
  const pick = $("[data-part=pick]", row);
  pick.setAttribute("aria-pressed", String(picking === cluster.id));
  pick.setAttribute("aria-label", `${R.pick}: ${cluster.heading}`);
  const off = $("[data-part=off]", row);
  off.setAttribute("aria-label", `${R.take_off}: ${cluster.heading}`);
  off.disabled = where === null;
}

