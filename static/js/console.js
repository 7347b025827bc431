// The facilitator console: every board live, with posting controls, moderation and clustering
// (the clusters and cards of each board are drawn by console_clusters.js).
import { fill } from "./live.js";
import { countText } from "./plural.js";
import { T, act, announce, data, live } from "./console_state.js";
import { busy, drawing, mountBoard, onRender, renderBoard } from "./console_clusters.js";
import "./console_history.js";
import "./console_sticky.js";
import { renderBoardJump } from "./console_layout.js";
import { $, setAttr } from "./dom.js";

const boardTemplate = $("[data-board-template]");
const container = $("[data-boards]");
const sections = new Map();
// Ideas this console has seen: only ideas it has not seen yet are read out as new
// (a moved, hidden or corrected card arrives in the same kind of payload).
const seen = new Set();
let presence = { participants: 0, boards: {} };


live.onConnection((detail) => {
  const banner = $("[data-connection]");
  banner.textContent = T[detail.state === "connected" ? "online" : detail.state === "refused" ? "refused" : "offline"];
  banner.dataset.state = detail.state;
});
live.addEventListener("presence", ({ detail }) => { presence = detail; render(); });
live.addEventListener("change", ({ detail }) => {
  if (detail.payload) {
    for (const idea of detail.payload.ideas || []) {
      if (seen.has(idea.id)) continue;
      seen.add(idea.id);
      const board = live.boards.get(idea.board_id);
      if (idea.state === "visible" && board) {
        announce(fill(T.new_idea, { board: board.title, text: idea.text }));
      }
    }
  } else {
    for (const id of live.ideas.keys()) seen.add(id);  // a sync: nothing in it is news
  }
  render();
});
onRender(render);
// This script may run after the first sync arrived (live.js, onConnection): draw what is known.
if (live.workshop) render();

function section(board) {
  if (sections.has(board.id)) return sections.get(board.id);
  const node = boardTemplate.content.firstElementChild.cloneNode(true);
  node.dataset.boardId = board.id;
  node.id = `board-${board.id}`;
  // The click is handled by console_projector_controls.js (one board full screen on the wall).
  $("[data-project-board]", node).dataset.projectBoard = board.id;
  for (const input of node.querySelectorAll("[data-setting]")) {
    input.addEventListener("change", () =>
      updateBoard(board.id, { [input.dataset.setting]: input.checked }, node));
  }
  $("[data-reveal]", node).addEventListener("click", () =>
    updateBoard(board.id, { revealed: true }, node));
  $("[data-cap]", node).addEventListener("change", (event) => {
    const value = event.target.value === "" ? null : Number(event.target.value);
    updateBoard(board.id, { max_ideas_per_person: value }, node);
  });
  $("[data-projector]", node).addEventListener("change", () => {
    const chosen = live.orderedBoards().filter((b) =>
      $("[data-projector]", sections.get(b.id) || node).checked).map((b) => b.id);
    request("set_projector", { view: "boards", board_ids: chosen }, node);
  });
  $("[data-poster]", node).href = data.poster_url.replace("/0", `/${board.id}`);
  $("[data-qr]", node).href = data.qr_url.replace("/0.png", `/${board.id}.png`);
  // Board settings stay folded or open as the facilitator left them on this device; on a short
  // screen (a 1280×720 laptop, a zoomed page) they start folded, so the cards come first.
  const settings = $("[data-board-settings]", node);
  const key = `facilitator:settings:${data.workshop_id}:${board.id}`;
  const stored = localStorage.getItem(key);
  settings.open = stored ? stored === "open" : !matchMedia("(max-height: 50rem)").matches;
  settings.addEventListener("toggle", () => localStorage.setItem(key, settings.open ? "open" : "folded"));
  sections.set(board.id, node);
  mountBoard(node, board.id);
  return node;
}

async function request(event, payload, node) {
  const answer = await act($("[data-error]", node), event, payload);
  if (!answer.ok) render();  // put controls back to the state the server holds
}

function updateBoard(boardId, settings, node) {
  return request("update_board", { board_id: boardId, settings }, node);
}

function render() {
  if (busy()) return;  // a card is being dragged: drawn again once it is dropped
  drawing(drawBoards);
}

function drawBoards() {
  const boards = live.orderedBoards();
  const projector = live.workshop ? live.workshop.projector_board_ids : [];
  let total = 0;
  const counts = new Map();
  for (const board of boards) {
    const node = section(board);
    const ideas = live.ideasOn(board.id);
    const visible = ideas.filter((idea) => idea.state === "visible").length;
    total += visible;
    counts.set(board.id, ideas.length);  // the cards this console shows, hidden ones too
    node.className = `console-board colour-${board.colour}`;
    $("[data-title]", node).textContent = board.title;
    $("[data-question]", node).textContent = board.question;
    setAttr($("[data-project-board]", node), "aria-label", fill(T.project_board_label, { board: board.title }));
    $("[data-count]", node).textContent = countText(T.ideas, visible);
    $("[data-online]", node).textContent = fill(T.people, { count: presence.boards[board.id] || 0 });
    for (const input of node.querySelectorAll("[data-setting]")) input.checked = board[input.dataset.setting];
    const reveal = $("[data-reveal]", node);
    reveal.hidden = !board.concealed;
    reveal.disabled = board.revealed;
    reveal.textContent = board.revealed ? T.revealed : reveal.dataset.label || (reveal.dataset.label = reveal.textContent);
    const cap = $("[data-cap]", node);
    if (document.activeElement !== cap) cap.value = board.max_ideas_per_person ?? "";
    $("[data-projector]", node).checked = projector.includes(board.id);
    renderBoard(node, board);
  }
  const order = boards.map((board) => sections.get(board.id));
  if (order.some((node, index) => container.children[index] !== node) ||
      container.children.length !== order.length) {
    container.replaceChildren(...order);
  }
  renderBoardJump(boards, counts);
  $("[data-online]").textContent = presence.participants;
  $("[data-idea-total]").textContent = total;
}
