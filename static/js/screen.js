// The projector wall: the boards the facilitator chose, newest ideas first, the join code always on.
import { LiveWorkshop, fill, pageData, syncList, el } from "./live.js";

const data = pageData();
const T = data.text;
const $ = (selector, root = document) => root.querySelector(selector);
const live = new LiveWorkshop({ role: "screen", key: data.key });
const template = $("[data-board-template]");
const container = $("[data-boards]");
const sections = new Map();
// Beyond this many cards a board column would overflow the screen; the rest are counted.
const MAX_CARDS = { 1: 40, 2: 24, 3: 18, 4: 10, 5: 10, 6: 10, 7: 8, 8: 8 };

live.addEventListener("connection", ({ detail }) => {
  $("[data-connection]").textContent = detail.state === "connected" ? "" : T.offline;
});
live.addEventListener("presence", ({ detail }) => { $("[data-online]").textContent = detail.participants; });
live.addEventListener("change", render);

function section(board) {
  if (!sections.has(board.id)) sections.set(board.id, template.content.firstElementChild.cloneNode(true));
  return sections.get(board.id);
}

function render() {
  if (!live.workshop) return;
  const chosen = live.workshop.projector_board_ids.map((id) => live.boards.get(id)).filter(Boolean);
  const shown = chosen.slice(0, 8);
  container.dataset.count = String(shown.length);
  const limit = MAX_CARDS[shown.length] || 8;
  for (const board of shown) {
    const node = section(board);
    node.className = `wall-board colour-${board.colour}`;
    $("[data-title]", node).textContent = board.is_open ? board.title : `${board.title} (${T.closed})`;
    $("[data-question]", node).textContent = board.question;
    const ideas = live.ideasOn(board.id);
    const visible = ideas.filter((idea) => idea.state === "visible" && idea.text !== null).reverse();
    const concealed = ideas.filter((idea) => idea.state === "concealed").length;
    const concealedNote = $("[data-concealed]", node);
    concealedNote.hidden = concealed === 0;
    concealedNote.textContent = fill(T.concealed, { count: concealed });
    syncList($("[data-ideas]", node), visible.slice(0, limit), (idea) => {
      const item = el("li", { class: "wall-card" });
      item.append(el("span", { dir: "auto" }, idea.text));
      return item;
    });
    const more = $("[data-more]", node);
    more.hidden = visible.length <= limit;
    more.textContent = fill(T.more, { count: visible.length - limit });
  }
  container.replaceChildren(...shown.map((board) => sections.get(board.id)));
}
