// The facilitator console: every board live, with moderation and posting controls.
import { fill, syncList } from "./live.js";
import { T, announce, data, live } from "./console_state.js";

const $ = (selector, root = document) => root.querySelector(selector);
const boardTemplate = $("[data-board-template]");
const ideaTemplate = $("[data-idea-template]");
const container = $("[data-boards]");
const sections = new Map();
let presence = { participants: 0, boards: {} };


live.addEventListener("connection", ({ detail }) => {
  const banner = $("[data-connection]");
  banner.textContent = T[detail.state === "connected" ? "online" : detail.state === "refused" ? "refused" : "offline"];
  banner.dataset.state = detail.state;
});
live.addEventListener("presence", ({ detail }) => { presence = detail; render(); });
live.addEventListener("change", ({ detail }) => {
  if (detail.payload?.ideas?.length === 1) {
    const [idea] = detail.payload.ideas;
    const board = live.boards.get(idea.board_id);
    if (idea.seq === detail.payload.seq && idea.state === "visible" && board) {
      announce(fill(T.new_idea, { board: board.title, text: idea.text }));
    }
  }
  render();
});

function section(board) {
  if (sections.has(board.id)) return sections.get(board.id);
  const node = boardTemplate.content.firstElementChild.cloneNode(true);
  node.dataset.boardId = board.id;
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
  sections.set(board.id, node);
  return node;
}

async function request(event, payload, node) {
  const answer = await live.call(event, payload);
  $("[data-error]", node).textContent = answer.ok ? "" : (answer.message || T.offline);
  if (!answer.ok) render();  // put controls back to the state the server holds
}

function updateBoard(boardId, settings, node) {
  return request("update_board", { board_id: boardId, settings }, node);
}

function ideaItem(idea) {
  const node = ideaTemplate.content.firstElementChild.cloneNode(true);
  $("[data-text]", node).textContent = idea.text ?? "";
  $("[data-author]", node).textContent = idea.author || T.anonymous;
  const hidden = idea.state === "hidden";
  node.classList.toggle("card-hidden", hidden);
  $("[data-state]", node).textContent = hidden ? T.hidden : "";
  const button = $("[data-hide]", node);
  button.textContent = hidden ? T.unhide : T.hide;
  button.setAttribute("aria-label", fill(hidden ? T.unhide_label : T.hide_label, { text: idea.text ?? "" }));
  button.addEventListener("click", () =>
    request("hide_idea", { idea_id: idea.id, hidden: !hidden }, sections.get(idea.board_id)));
  return node;
}

function render() {
  const boards = live.orderedBoards();
  const projector = live.workshop ? live.workshop.projector_board_ids : [];
  let total = 0;
  for (const board of boards) {
    const node = section(board);
    const ideas = live.ideasOn(board.id);
    const visible = ideas.filter((idea) => idea.state === "visible").length;
    total += visible;
    node.className = `console-board colour-${board.colour}`;
    $("[data-title]", node).textContent = board.title;
    $("[data-question]", node).textContent = board.question;
    $("[data-count]", node).textContent = fill(T.ideas, { count: visible });
    $("[data-online]", node).textContent = fill(T.people, { count: presence.boards[board.id] || 0 });
    for (const input of node.querySelectorAll("[data-setting]")) input.checked = board[input.dataset.setting];
    const reveal = $("[data-reveal]", node);
    reveal.hidden = !board.concealed;
    reveal.disabled = board.revealed;
    reveal.textContent = board.revealed ? T.revealed : reveal.dataset.label || (reveal.dataset.label = reveal.textContent);
    const cap = $("[data-cap]", node);
    if (document.activeElement !== cap) cap.value = board.max_ideas_per_person ?? "";
    $("[data-projector]", node).checked = projector.includes(board.id);
    syncList($("[data-ideas]", node), ideas.slice().reverse(), ideaItem);
  }
  const order = boards.map((board) => sections.get(board.id));
  if (order.some((node, index) => container.children[index] !== node) ||
      container.children.length !== order.length) {
    container.replaceChildren(...order);
  }
  $("[data-online]").textContent = presence.participants;
  $("[data-idea-total]").textContent = total;
}
