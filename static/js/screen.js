// The projector wall: the boards the facilitator chose (or one board, or one cluster, full
// screen), cards grouped under their cluster headings, the join code always on. Every card is
// seen: a board longer than the screen pages through its cards, and more than six boards page
// through screens of boards.
import { LiveWorkshop, fill, pageData, syncList, el } from "./live.js";
import { renderMatrix, renderMeasures, renderRound, showView, turnViewPage } from "./screen_run.js";
import { countText } from "./plural.js";
import { PagingClock, Pages, firstBelow, measurePages, showPageIndicator } from "./wall_pages.js";
import { showResultsQr } from "./screen_results_qr.js";
import { cardTranslation, showSecondLanguage } from "./screen_languages.js";

const data = pageData();
const T = data.text;
const $ = (selector, root = document) => root.querySelector(selector);
const live = new LiveWorkshop({ role: "screen", key: data.key });
// More boards than this on one screen and the cards get too small to read from the back.
const BOARDS_PER_SCREEN = 6;

live.onConnection((detail) => {
  $("[data-connection]").textContent = detail.state === "connected" ? "" : T.offline;
});
live.addEventListener("presence", ({ detail }) => { $("[data-online]").textContent = detail.participants; });
live.addEventListener("change", render);
window.addEventListener("resize", render);

let view = "boards";
const clock = new PagingClock(turn);

function render() {
  if (!live.workshop) return;
  view = showView(live);  // also keeps the timer in the sidebar current
  if (view === "round") renderRound(live);
  else if (view === "matrix") renderMatrix(live);
  else if (view === "measures") renderMeasures(live);
  else renderBoardsView();
  showResultsQr(live.workshop, view);
  const paging = live.workshop.projector_paging;
  $("[data-paging-paused]").hidden = !paging?.paused;
  clock.follow(paging);
}

// One page on (1) or back (-1) for each step, on whatever the projector shows.
function turn(delta) {
  const step = Math.sign(delta);
  for (let count = 0; count < Math.abs(delta); count += 1) {
    if (view === "boards") turnBoards(step);
    else turnViewPage(step);
  }
  if (view === "boards") renderBoardsView();
  // Counts the turns shown, so a test can wait for one instead of for a timer.
  boardsContainer.dataset.turns = String(Number(boardsContainer.dataset.turns || 0) + 1);
}

// --- Board view: the chosen boards, their clusters and cards -------------------------------------

const boardTemplate = $("[data-board-template]");
const boardsContainer = $("[data-boards]");
// Per panel (a board, or one cluster shown full screen): its node, its pages and what they were
// measured for.
const panels = new Map();
let screenIndex = 0;
let screens = [[]];

function panelState(key) {
  if (!panels.has(key)) {
    panels.set(key, { node: boardTemplate.content.firstElementChild.cloneNode(true), pages: new Pages(), measured: "" });
  }
  return panels.get(key);
}

// What the board view shows: one board or one cluster full screen, else the chosen boards.
function wantedPanels() {
  const { projector_view: name, projector_target_id: target } = live.workshop;
  const board = live.boards.get(name === "cluster" ? live.clusters.get(target)?.board_id : target);
  if (name === "board" && board) return [boardPanel(board)];
  const cluster = live.clusters.get(target);
  if (name === "cluster" && board && cluster?.state === "active") return [clusterPanel(board, cluster)];
  return live.workshop.projector_board_ids.map((id) => live.boards.get(id)).filter(Boolean).map(boardPanel);
}

function boardPanel(board) {
  return { key: `board-${board.id}`, board, title: board.is_open ? board.title : `${board.title} (${T.closed})`,
    question: board.question, groups: boardGroups(board) };
}

function clusterPanel(board, cluster) {
  const ideas = shownIdeas(live.cardsIn(board.id, cluster.id));
  return { key: `cluster-${cluster.id}`, board, title: cluster.heading || T.untitled, question: board.title,
    groups: [{ key: `cluster-${cluster.id}`, cluster: null, ideas, total: ideas.length, titled: false }] };
}

// Screens of at most six boards, as even as possible (nine boards: five and four).
function splitIntoScreens(list) {
  const count = Math.max(1, Math.ceil(list.length / BOARDS_PER_SCREEN));
  const size = Math.ceil(list.length / count) || 1;
  return Array.from({ length: count }, (_, index) => list.slice(index * size, (index + 1) * size));
}

function turnBoards(step) {
  if (step > 0) {
    for (const panel of screens[screenIndex] || []) panelState(panel.key).pages.turn(1);
    screenIndex = (screenIndex + 1) % screens.length;
  } else {
    screenIndex = (screenIndex - 1 + screens.length) % screens.length;
    for (const panel of screens[screenIndex] || []) panelState(panel.key).pages.turn(-1);
  }
}

function renderBoardsView() {
  const all = wantedPanels();
  screens = splitIntoScreens(all);
  screenIndex = Math.min(screenIndex, screens.length - 1);
  const shown = screens[screenIndex];
  boardsContainer.dataset.count = String(shown.length);
  boardsContainer.dataset.single = String(all.length === 1 && live.workshop.projector_view !== "boards");
  for (const panel of shown) {
    const { node } = panelState(panel.key);
    node.className = `wall-board colour-${panel.board.colour}`;
    node.dataset.panel = panel.key;
    $("[data-title]", node).textContent = panel.title;
    $("[data-question]", node).textContent = panel.question;
    showSecondLanguage(node, panel, live.workshop);
    const concealed = live.ideasOn(panel.board.id).filter((idea) => idea.state === "concealed").length;
    const concealedNote = $("[data-concealed]", node);
    concealedNote.hidden = concealed === 0;
    concealedNote.textContent = countText(T.concealed, concealed);
    renderBoardGroups($("[data-ideas]", node), panel.groups);
  }
  boardsContainer.replaceChildren(...shown.map((panel) => panelState(panel.key).node));
  boardsContainer.dataset.cards = String(all.reduce((sum, panel) =>
    sum + panel.groups.reduce((count, group) => count + group.ideas.length, 0), 0));
  showScreenIndicator(all.length, shown);
  // Only now is there a layout to measure. Measure again only what changed: paging through 60
  // cards takes a layout per page.
  const layout = `${window.innerWidth}x${window.innerHeight}:${shown.length}:${boardsContainer.dataset.single}`;
  for (const panel of shown) {
    const state = panelState(panel.key);
    const measured = `${layout}:${contentKey(panel)}`;
    const container = $("[data-ideas]", state.node);
    const cards = [...container.querySelectorAll("[data-card]")];
    const indicator = $("[data-page-indicator]", state.node);
    if (measured !== state.measured) {
      state.measured = measured;
      measurePages(state.pages, indicator, T.page, cards.length, (from, to) => showCards(container, cards, from, to),
        (from) => firstBelow(cards, from, contentBottom(container)));
    } else {
      state.pages.apply();
      showPageIndicator(indicator, state.pages, T.page);
    }
  }
}

function showScreenIndicator(total, shown) {
  const node = $("[data-screen-indicator]");
  node.hidden = screens.length < 2;
  if (node.hidden) return;
  const first = screens.slice(0, screenIndex).reduce((sum, screen) => sum + screen.length, 0) + 1;
  node.textContent = fill(T.boards_shown, { first, last: first + shown.length - 1, count: total });
}

function contentKey(panel) {
  return panel.title + panel.question + panel.groups.map((group) =>
    `${group.key}:${groupSeq(group)}:${group.ideas.map((idea) => `${idea.id}.${idea.seq}`).join(",")}`).join("|");
}

function contentBottom(container) {
  return container.getBoundingClientRect().bottom - parseFloat(getComputedStyle(container).paddingBottom);
}

// Show cards from..to-1 only, and the cluster headings of the groups that still have a card
// shown (a cluster split over two pages has its heading on both).
function showCards(container, cards, from, to) {
  cards.forEach((card, index) => { card.hidden = index < from || index >= to; });
  for (const group of container.querySelectorAll("[data-group]")) {
    const own = [...group.querySelectorAll("[data-card]")];
    group.hidden = own.length > 0 ? own.every((card) => card.hidden) : from > 0 || to < cards.length;
  }
}

function shownIdeas(ideas) {
  return ideas.filter((idea) => idea.state === "visible" && idea.text !== null);
}

// The clusters in their order, each with its cards in order, then the cards not sorted yet in
// the order they came in: a new card joins the last page and never moves the one being read.
function boardGroups(board) {
  const groups = live.clustersOn(board.id).map((cluster) => ({
    key: `cluster-${cluster.id}`, cluster, ideas: shownIdeas(live.cardsIn(board.id, cluster.id)),
  }));
  groups.push({ key: "unsorted", cluster: null, ideas: shownIdeas(live.cardsIn(board.id, null)) });
  // Without clusters the wall looks as before: just the cards, no heading.
  const titled = groups.length > 1;
  for (const group of groups) {
    group.total = group.ideas.length;
    group.titled = titled;
  }
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
  if (idea.entry && idea.entry.exists) item.append(" ", el("span", { class: "stock-exists" }, T.exists));
  const translation = cardTranslation(idea, T.translation);
  if (translation) item.append(translation);
  // Merged duplicates are one card that says how many people posted it.
  if (idea.authors > 1) item.append(el("span", { class: "wall-card-count" }, fill(T.times, { count: idea.authors })));
  return item;
}
