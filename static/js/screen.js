// The projector wall: the boards the facilitator chose, cards grouped under their cluster
// headings (the cards not sorted yet newest first), the join code always on.
import { LiveWorkshop, fill, pageData, syncList, el } from "./live.js";
import { renderMatrix, renderMeasures, renderRound, showView } from "./screen_run.js";

const data = pageData();
const T = data.text;
const $ = (selector, root = document) => root.querySelector(selector);
const live = new LiveWorkshop({ role: "screen", key: data.key });

live.addEventListener("connection", ({ detail }) => {
  $("[data-connection]").textContent = detail.state === "connected" ? "" : T.offline;
});
live.addEventListener("presence", ({ detail }) => { $("[data-online]").textContent = detail.participants; });
live.addEventListener("change", render);
window.addEventListener("resize", render);

function render() {
  if (!live.workshop) return;
  const view = showView(live);  // also keeps the timer in the sidebar current
  if (view === "round") renderRound(live);
  else if (view === "matrix") renderMatrix(live);
  else if (view === "measures") renderMeasures(live);
  else renderBoardsView();
}

// --- Board view: the chosen boards, their clusters and cards -------------------------------------

const boardTemplate = $("[data-board-template]");
const boardsContainer = $("[data-boards]");
const boardSections = new Map();
// No board shows more cards than fit on a screen anyway; this bounds the work per change.
const MAX_CARDS = 60;

function boardSection(board) {
  if (!boardSections.has(board.id)) {
    boardSections.set(board.id, boardTemplate.content.firstElementChild.cloneNode(true));
  }
  return boardSections.get(board.id);
}

function renderBoardsView() {
  const chosen = live.workshop.projector_board_ids.map((id) => live.boards.get(id)).filter(Boolean);
  const shown = chosen.slice(0, 8);
  boardsContainer.dataset.count = String(shown.length);
  for (const board of shown) {
    const node = boardSection(board);
    node.className = `wall-board colour-${board.colour}`;
    $("[data-title]", node).textContent = board.is_open ? board.title : `${board.title} (${T.closed})`;
    $("[data-question]", node).textContent = board.question;
    const concealed = live.ideasOn(board.id).filter((idea) => idea.state === "concealed").length;
    const concealedNote = $("[data-concealed]", node);
    concealedNote.hidden = concealed === 0;
    concealedNote.textContent = fill(T.concealed, { count: concealed });
    renderBoardGroups($("[data-ideas]", node), boardGroups(board));
  }
  boardsContainer.replaceChildren(...shown.map((board) => boardSections.get(board.id)));
  // Only now is there a layout to measure: count what does not fit instead of cutting it off.
  for (const board of shown) {
    const node = boardSections.get(board.id);
    const total = shownIdeas(live.ideasOn(board.id)).length;
    // Measure with the "+ n more" line in place, so the last card shown is not under it.
    const more = $("[data-more]", node);
    more.hidden = false;
    more.textContent = fill(T.more, { count: total });
    const fitting = fitBoardCards($("[data-ideas]", node));
    more.hidden = fitting >= total;
    more.textContent = fill(T.more, { count: total - fitting });
  }
}

function shownIdeas(ideas) {
  return ideas.filter((idea) => idea.state === "visible" && idea.text !== null);
}

// The clusters in their order, each with its cards in order, then the cards not sorted yet
// (newest first, as they come in). At most MAX_CARDS cards in all.
function boardGroups(board) {
  const groups = live.clustersOn(board.id).map((cluster) => ({
    key: `cluster-${cluster.id}`, cluster, ideas: shownIdeas(live.cardsIn(board.id, cluster.id)),
  }));
  const unsorted = shownIdeas(live.cardsIn(board.id, null)).sort((a, b) => b.id - a.id);
  groups.push({ key: "unsorted", cluster: null, ideas: unsorted });
  let budget = MAX_CARDS;
  for (const group of groups) {
    group.total = group.ideas.length;
    group.ideas = group.ideas.slice(0, Math.max(0, budget));
    budget -= group.ideas.length;
  }
  // Without clusters the wall looks as before: just the cards, no heading.
  const titled = groups.length > 1;
  for (const group of groups) group.titled = titled;
  return groups.filter((group) => group.cluster || group.ideas.length);
}

function renderBoardGroups(container, groups) {
  syncList(container, groups.map((group) => ({ ...group, id: group.key, seq: groupSeq(group) })),
    makeBoardGroup);
  for (const group of groups) {
    const node = container.querySelector(`[data-key="${group.key}"]`);
    syncList($("[data-group-cards]", node), group.ideas, makeBoardCard);
  }
}

// A group is drawn again only when its heading, colour or count changed.
function groupSeq(group) {
  const { cluster } = group;
  return cluster ? `${cluster.seq}:${group.total}` : `${group.titled}:${group.total}`;
}

function makeBoardGroup(group) {
  const kind = group.cluster ? "cluster" : "unsorted";
  const node = el("section", {
    class: `wall-group wall-group-${kind}${group.cluster ? ` colour-${group.cluster.colour}` : ""}`,
    "data-group": kind,
  });
  if (group.titled) {
    const heading = el("h3", { class: "wall-group-heading", dir: "auto" },
      group.cluster ? group.cluster.heading || T.untitled : T.unsorted);
    if (group.cluster) {
      heading.append(" ", el("span", { class: "wall-group-count" }, `(${group.total})`));
    }
    node.append(heading);
  }
  node.append(el("ul", { class: "wall-group-cards", "data-group-cards": "" }));
  return node;
}

function makeBoardCard(idea) {
  const item = el("li", { class: "wall-card", "data-card": "" });
  item.append(el("span", { dir: "auto" }, idea.text));
  // Merged duplicates are one card that says how many people posted it.
  if (idea.authors > 1) item.append(el("span", { class: "wall-card-count" }, fill(T.times, { count: idea.authors })));
  return item;
}

// Hide the cards from the first one that would overflow the board, and the groups left without
// a card; returns how many cards stay visible.
function fitBoardCards(container) {
  const groups = [...container.querySelectorAll("[data-group]")];
  const cards = [...container.querySelectorAll("[data-card]")];
  for (const node of [...groups, ...cards]) node.hidden = false;
  const bottom = container.clientHeight;
  const firstCut = cards.findIndex((card) => card.offsetTop + card.offsetHeight > bottom);
  if (firstCut === -1) return cards.length;
  for (const card of cards.slice(firstCut)) card.hidden = true;
  for (const group of groups) {
    const own = [...group.querySelectorAll("[data-card]")];
    const overflows = group.offsetTop + group.offsetHeight > bottom && own.every((card) => card.hidden);
    if (own.length ? own.every((card) => card.hidden) : overflows) group.hidden = true;
  }
  return firstCut;
}
