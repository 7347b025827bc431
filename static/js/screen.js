// The projector wall: the boards the facilitator chose, newest ideas first, the join code always on.
import { LiveWorkshop, fill, pageData, syncList, el } from "./live.js";

const data = pageData();
const T = data.text;
const $ = (selector, root = document) => root.querySelector(selector);
const live = new LiveWorkshop({ role: "screen", key: data.key });
const template = $("[data-board-template]");
const container = $("[data-boards]");
const sections = new Map();
// No board shows more cards than fit on a screen anyway; this bounds the work per change.
const MAX_CARDS = 60;

live.addEventListener("connection", ({ detail }) => {
  $("[data-connection]").textContent = detail.state === "connected" ? "" : T.offline;
});
live.addEventListener("presence", ({ detail }) => { $("[data-online]").textContent = detail.participants; });
live.addEventListener("change", render);
window.addEventListener("resize", render);

function section(board) {
  if (!sections.has(board.id)) sections.set(board.id, template.content.firstElementChild.cloneNode(true));
  return sections.get(board.id);
}

function render() {
  if (!live.workshop) return;
  const chosen = live.workshop.projector_board_ids.map((id) => live.boards.get(id)).filter(Boolean);
  const shown = chosen.slice(0, 8);
  container.dataset.count = String(shown.length);
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
    syncList($("[data-ideas]", node), visible.slice(0, MAX_CARDS), (idea) => {
      const item = el("li", { class: "wall-card" });
      item.append(el("span", { dir: "auto" }, idea.text));
      return item;
    });
  }
  container.replaceChildren(...shown.map((board) => sections.get(board.id)));
  // Only now is there a layout to measure: count what does not fit instead of cutting it off.
  for (const board of shown) {
    const node = sections.get(board.id);
    const total = live.ideasOn(board.id).filter((i) => i.state === "visible" && i.text !== null).length;
    const shownCards = fitCards($("[data-ideas]", node));
    const more = $("[data-more]", node);
    more.hidden = shownCards >= total;
    more.textContent = fill(T.more, { count: total - shownCards });
  }
}

// Hide the cards (oldest last) from the first one that would overflow the board; returns how
// many stay visible.
function fitCards(list) {
  const cards = [...list.children];
  for (const card of cards) card.hidden = false;
  const bottom = list.clientHeight;
  const firstCut = cards.findIndex((card) => card.offsetTop + card.offsetHeight > bottom);
  if (firstCut === -1) return cards.length;
  for (const card of cards.slice(firstCut)) card.hidden = true;
  return firstCut;
}
