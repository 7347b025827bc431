// Clustering and moderation in the facilitator console: each board's clusters with their cards
// and the cards not sorted yet, moved by drag and drop (SortableJS, mouse and touch) or by
// keyboard alone; clusters created, renamed, recoloured, reordered, merged and dissolved;
// duplicates merged, texts corrected, cards moved to another board (undo and redo:
// console_history.js; the menus: console_menu.js).
//
// The server decides. A drop or a key only asks it to change something; the lists are drawn
// again from the live state that its broadcast and answer bring (a refused drop snaps back).
// Nodes are kept per idea and per cluster and updated in place, so a broadcast from another
// facilitator never takes away the keyboard focus or a heading being typed.
import Sortable from "../vendor/sortablejs/sortable.esm.js";
import { $, el, reconcile, setAttr, setText } from "./dom.js";
import { fill } from "./live.js";
import { countText } from "./plural.js";
import { T, act as sendAction, announce, data, live } from "./console_state.js";
import { closeMenu, openMenu } from "./console_menu.js";
import { showExists, showSource, showTranslation } from "./card_extras.js";

const clusterTemplate = $("[data-cluster-template]");
const ideaTemplate = $("[data-idea-template]");

const cardNodes = new Map();     // idea id → its <li>, kept across renders (and boards)
const clusterNodes = new Map();  // cluster id → its <section>
const boardParts = new Map();    // board id → {section, unsorted, clusters}
const selected = new Set();      // idea ids ticked for a new cluster or a duplicate merge, in order
const drafts = new Map();        // cluster id → heading sent to the server, not confirmed yet
let holding = false;             // a pointer holds a card or cluster
let waiting = 0;                 // drops sent whose answer has not come back yet
let reconciling = false;         // nodes are being moved: their blur/change events are not the user's
let drawn = { ideas: new Set(), clusters: new Set() };
let rerender = () => {};

// --- Drawing ----------------------------------------------------------------------------------

export function onRender(callback) {
  rerender = callback;
}

// True while a drag is under way or a drop waits for the server: drawing now would fight
// SortableJS over the same nodes.
export function busy() {
  return holding || waiting > 0;
}

// Run `draw` (which calls renderBoard for every board) keeping the focus where it was.
export function drawing(draw) {
  const focus = rememberFocus();
  drawn = { ideas: new Set(), clusters: new Set() };
  reconciling = true;
  try {
    draw();
    sweep();
  } finally {
    reconciling = false;
  }
  restoreFocus(focus);
}

// Wire one board section (once): its tools and the drop zones SortableJS manages.
export function mountBoard(section, boardId) {
  const parts = {
    section,
    unsorted: $("[data-unsorted] [data-list]", section),
    clusters: $("[data-clusters]", section),
  };
  boardParts.set(boardId, parts);
  parts.unsorted.dataset.empty = T.drop_here;
  // The unsorted pile shows the newest card first: it is not reordered by hand.
  cardsSortable(parts.unsorted, false);
  Sortable.create(parts.clusters, {
    group: `clusters-${boardId}`, handle: "[data-cluster-handle]", draggable: "[data-cluster-id]",
    forceFallback: true, fallbackOnBody: true, fallbackTolerance: 4, animation: 150,
    ghostClass: "cluster-ghost", chosenClass: "cluster-chosen",
    onChoose: hold, onUnchoose: release, onEnd: clusterDropped,
  });
  // Name first, then create: nothing typed is lost waiting for the new cluster to arrive.
  const form = $("[data-new-cluster-form]", section);
  const heading = $("[data-new-heading]", section);
  heading.placeholder = T.new_heading_placeholder;
  heading.setAttribute("aria-label", T.new_heading_label);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Emptied at once, so the next heading can be typed while this one is being created.
    const text = heading.value.trim();
    heading.value = "";
    const answer = await newCluster(boardId, text, selectedOn(boardId));
    if (!answer.ok && heading.value === "") heading.value = text;
  });
  $("[data-merge-selected]", section).addEventListener("click", () => mergeSelected(boardId));
  $("[data-clear-selection]", section).addEventListener("click", () => {
    for (const id of selectedOn(boardId)) selected.delete(id);
    rerender();
    heading.focus();
  });
}

export function renderBoard(section, board) {
  const parts = boardParts.get(board.id);
  const unsorted = live.cardsIn(board.id, null).sort((a, b) => b.id - a.id);
  setText($("[data-unsorted-heading]", section), `${T.unsorted} (${unsorted.length})`);
  fillList(parts.unsorted, unsorted);
  const clusters = live.clustersOn(board.id);
  reconcile(parts.clusters, clusters.map((cluster) => clusterNode(cluster)));
  for (const cluster of clusters) {
    const cards = live.cardsIn(board.id, cluster.id);
    const node = clusterNodes.get(cluster.id);
    setText($("[data-cluster-count]", node),
      countText(T.cards_in_cluster, cards.length));
    fillList($("[data-list]", node), cards);
  }
  const count = selectedOn(board.id).length;
  setText($("[data-new-cluster]", section),
    count ? fill(T.new_cluster_selected, { count }) : T.new_cluster);
  $("[data-selection-tools]", section).hidden = count === 0;
  const merge = $("[data-merge-selected]", section);
  merge.hidden = count < 2;
  setText(merge, fill(T.merge_selected, { count }));
  setText($("[data-clear-selection]", section), fill(T.clear_selection, { count }));
}

function fillList(list, ideas) {
  reconcile(list, ideas.map((idea) => cardNode(idea)));
}

// Forget nodes of ideas and clusters that are gone (merged, withdrawn, dissolved).
function sweep() {
  for (const [id, node] of cardNodes) {
    if (!drawn.ideas.has(id)) {
      node.remove();
      cardNodes.delete(id);
    }
  }
  for (const [id, node] of clusterNodes) {
    if (!drawn.clusters.has(id)) {
      node.remove();
      clusterNodes.delete(id);
      drafts.delete(id);
    }
  }
  for (const id of selected) if (!drawn.ideas.has(id)) selected.delete(id);
}

function rememberFocus() {
  const active = document.activeElement;
  if (!active || active === document.body) return null;
  const card = active.closest("[data-idea-id]");
  const cluster = active.closest("[data-cluster-id]");
  const item = card || cluster;
  const neighbours = item ? [item.nextElementSibling, item.previousElementSibling] : [];
  const board = active.closest("[data-board-id]");
  const text = active.matches("input[type=text], textarea");
  return {
    active, neighbours, board,
    selection: text ? [active.selectionStart, active.selectionEnd, active.selectionDirection] : null,
  };
}

function restoreFocus(focus) {
  if (!focus) return;
  const { active, selection } = focus;
  if (active.isConnected) {
    if (document.activeElement !== active) {
      active.focus({ preventScroll: true });
      if (selection) active.setSelectionRange(...selection);
    }
    return;
  }
  // What had the focus is gone (merged, dissolved): keep it near where it was.
  const near = focus.neighbours.find((node) => node?.isConnected);
  const target = near?.matches("[data-cluster-id]") ? $("[data-cluster-menu]", near) : near;
  (target || (focus.board?.isConnected && $("[data-new-heading]", focus.board)))
    ?.focus({ preventScroll: true });
}

// --- Cards --------------------------------------------------------------------------------------

function cardNode(idea) {
  let node = cardNodes.get(idea.id);
  if (!node) {
    node = makeCard(idea.id);
    cardNodes.set(idea.id, node);
  }
  drawn.ideas.add(idea.id);
  updateCard(node, idea);
  return node;
}

function makeCard(id) {
  const node = ideaTemplate.content.firstElementChild.cloneNode(true);
  node.dataset.ideaId = String(id);
  node.dataset.key = String(id);
  node.addEventListener("keydown", (event) => cardKey(event, id));
  $("[data-move]", node).addEventListener("click", (event) =>
    openMoveMenu(id, event.currentTarget));
  $("[data-edit]", node).addEventListener("click", () => openEdit(id));
  $("[data-hide]", node).addEventListener("click", () => toggleHidden(id));
  $("[data-select]", node).addEventListener("change", (event) => {
    if (event.target.checked) selected.add(id);
    else selected.delete(id);
    rerender();
  });
  const form = $("[data-edit-form]", node);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveCorrection(id);
  });
  $("[data-edit-cancel]", node).addEventListener("click", () => closeEdit(id));
  $("[data-edit-text]", node).addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeEdit(id);
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  return node;
}

function updateCard(node, idea) {
  const text = idea.text ?? "";
  const hidden = idea.state === "hidden";
  setText($("[data-text]", node), text);
  const duplicates = (idea.duplicates || []).map((duplicate) => duplicate.text ?? "");
  const list = $("[data-duplicates]", node);
  list.hidden = duplicates.length === 0;
  if (list.dataset.texts !== JSON.stringify(duplicates)) {
    list.dataset.texts = JSON.stringify(duplicates);
    list.replaceChildren(...duplicates.map((duplicate) =>
      el("li", { dir: "auto" }, fill(T.duplicate_of, { text: duplicate }))));
  }
  const original = idea.original_text;
  $("[data-original]", node).hidden = !original || original === idea.text;
  setText($("[data-original-label]", node), T.original);
  setText($("[data-original-text]", node), original ?? "");
  showTranslation(node, idea);
  showSource(node, idea);
  showExists(node, idea);
  setText($("[data-author]", node), idea.author || T.anonymous);
  setText($("[data-authors]", node), idea.authors > 1 ? countText(T.authors, idea.authors) : "");
  node.classList.toggle("card-hidden", hidden);
  setText($("[data-state]", node), hidden ? T.hidden : "");
  const hide = $("[data-hide]", node);
  setText(hide, hidden ? T.unhide : T.hide);
  setAttr(hide, "aria-label", fill(hidden ? T.unhide_label : T.hide_label, { text }));
  setAttr($("[data-move]", node), "aria-label", fill(T.move_label, { text }));
  setAttr($("[data-edit]", node), "aria-label", fill(T.edit_label, { text }));
  setText($("[data-select-label]", node), fill(T.select_label, { text }));
  const box = $("[data-select]", node);
  box.checked = selected.has(idea.id);
  node.toggleAttribute("data-selected", box.checked);
  node.dataset.seq = String(idea.seq);
}

function cardKey(event, id) {
  const node = event.currentTarget;
  if (event.target !== node) return;  // keys in the card's own buttons and fields are theirs
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    openMoveMenu(id, node);
  } else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
    event.preventDefault();
    const step = event.key === "ArrowUp" ? -1 : 1;
    if (event.altKey) reorder(id, step);
    else focusNeighbour(node, step);
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    const cards = boardCards(node);
    cards[event.key === "Home" ? 0 : cards.length - 1]?.focus();
  }
}

function boardCards(node) {
  return [...node.closest("[data-board-id]").querySelectorAll("[data-idea-id]")];
}

function focusNeighbour(node, step) {
  const cards = boardCards(node);
  cards[cards.indexOf(node) + step]?.focus();
}

function focusCard(id) {
  cardNodes.get(id)?.focus();
}

function headingOf(cluster) {
  return cluster.heading || T.untitled;
}

function placeName(idea) {
  const cluster = idea.cluster_id == null ? null : live.clusters.get(idea.cluster_id);
  return cluster ? headingOf(cluster) : T.unsorted;
}

function announceMove(id) {
  const idea = live.ideas.get(id);
  if (!idea) return;
  const list = idea.cluster_id == null
    ? live.cardsIn(idea.board_id, null).sort((a, b) => b.id - a.id)
    : live.cardsIn(idea.board_id, idea.cluster_id);
  announce(fill(T.moved_to, {
    text: idea.text ?? "", target: placeName(idea),
    place: list.findIndex((card) => card.id === id) + 1, count: list.length,
  }));
}

function moveTo(id, clusterId) {
  const idea = live.ideas.get(id);
  if (!idea || (idea.cluster_id ?? null) === clusterId) return;
  act("move_idea", { idea_id: id, cluster_id: clusterId, position: null }, idea.board_id,
    () => announceMove(id));
}

// The card leaves this board; the keyboard stays here, on the card next to it.
function moveToBoard(id, boardId) {
  const idea = live.ideas.get(id);
  const node = cardNodes.get(id);
  if (!idea || !node) return;
  const stay = node.nextElementSibling || node.previousElementSibling ||
    $("[data-new-heading]", boardParts.get(idea.board_id).section);
  act("move_idea", { idea_id: id, board_id: boardId, cluster_id: null }, idea.board_id, () => {
    announce(fill(T.moved_board, { text: idea.text ?? "", board: live.boards.get(boardId)?.title ?? "" }));
    rerender();
    if (node.contains(document.activeElement) && stay.isConnected) stay.focus({ preventScroll: true });
  });
}

// Alt+↑/↓: one place up or down within the card's cluster.
function reorder(id, step) {
  const idea = live.ideas.get(id);
  if (!idea || idea.cluster_id == null) return;
  const cards = live.cardsIn(idea.board_id, idea.cluster_id);
  const target = cards.findIndex((card) => card.id === id) + step;
  if (target < 0 || target >= cards.length) return;
  act("move_idea", { idea_id: id, cluster_id: idea.cluster_id, position: target }, idea.board_id,
    () => announceMove(id));
}

function openMoveMenu(id, anchor) {
  const idea = live.ideas.get(id);
  if (!idea) return;
  const entries = [{ group: T.move_group_board },
    { label: T.unsorted, checked: idea.cluster_id == null, action: () => moveTo(id, null) }];
  for (const cluster of live.clustersOn(idea.board_id)) {
    entries.push({ label: headingOf(cluster), colour: cluster.colour,
      checked: idea.cluster_id === cluster.id, action: () => moveTo(id, cluster.id) });
  }
  entries.push({ label: T.move_new_cluster, action: () => nameNewCluster(id) });
  const others = live.orderedBoards().filter((board) => board.id !== idea.board_id);
  if (others.length) {
    entries.push({ group: T.move_group_other });
    for (const board of others) {
      entries.push({ label: board.title, colour: board.colour,
        action: () => moveToBoard(id, board.id) });
    }
  }
  openMenu(anchor, `${T.move_menu}: ${idea.text ?? ""}`, entries,
    () => (anchor.isConnected ? anchor.focus() : focusCard(id)));
}

function openEdit(id) {
  const node = cardNodes.get(id);
  const idea = live.ideas.get(id);
  if (!node || !idea) return;
  $("[data-edit-form]", node).hidden = false;
  $("[data-card-actions]", node).hidden = true;
  const area = $("[data-edit-text]", node);
  area.value = idea.text ?? "";
  area.focus();
}

function closeEdit(id, refocus = true) {
  const node = cardNodes.get(id);
  if (!node) return;
  $("[data-edit-form]", node).hidden = true;
  $("[data-card-actions]", node).hidden = false;
  if (refocus) node.focus();
}

async function saveCorrection(id) {
  const node = cardNodes.get(id);
  const idea = live.ideas.get(id);
  if (!node || !idea) return;
  const text = $("[data-edit-text]", node).value.trim();
  if (text === (idea.text ?? "")) {
    closeEdit(id);
    return;
  }
  const answer = await act("correct_idea", { idea_id: id, text }, idea.board_id,
    () => announce(T.text_corrected));
  if (answer.ok) closeEdit(id);
}

function toggleHidden(id) {
  const idea = live.ideas.get(id);
  if (idea) act("hide_idea", { idea_id: id, hidden: idea.state !== "hidden" }, idea.board_id);
}

function selectedOn(boardId) {
  return [...selected].filter((id) => live.ideas.get(id)?.board_id === boardId);
}

// The first card ticked stays; the others become its duplicates.
async function mergeSelected(boardId) {
  const [keeper, ...others] = selectedOn(boardId);
  for (const id of others) {
    const answer = await act("merge_duplicates", { idea_id: id, into_id: keeper }, boardId);
    if (!answer.ok) break;
    selected.delete(id);
  }
  selected.delete(keeper);
  const text = live.ideas.get(keeper)?.text ?? "";
  announce(fill(T.duplicates_merged, { text }));
  rerender();
  focusCard(keeper);
}

// --- Clusters -----------------------------------------------------------------------------------

function clusterNode(cluster) {
  let node = clusterNodes.get(cluster.id);
  if (!node) {
    node = makeCluster(cluster.id);
    clusterNodes.set(cluster.id, node);
  }
  drawn.clusters.add(cluster.id);
  node.className = `card-group cluster colour-${cluster.colour}`;
  // A heading on its way to the server shows at once; one being typed is never touched.
  const heading = drafts.get(cluster.id) ?? cluster.heading;
  setText($("[data-heading-text]", node), heading || T.untitled);
  $("[data-heading-button]", node).toggleAttribute("data-untitled", !heading);
  const menuButton = $("[data-cluster-menu]", node);
  const label = fill(T.cluster_menu_label, { heading: heading || T.untitled });
  setAttr(menuButton, "aria-label", label);
  setAttr(menuButton, "title", label);
  node.dataset.seq = String(cluster.seq);
  return node;
}

function makeCluster(id) {
  const node = clusterTemplate.content.firstElementChild.cloneNode(true);
  node.dataset.clusterId = String(id);
  node.dataset.key = String(id);
  const button = $("[data-heading-button]", node);
  const input = $("[data-heading]", node);
  input.placeholder = T.heading_placeholder;
  input.setAttribute("aria-label", T.heading_label);
  button.addEventListener("click", () => {
    const cluster = live.clusters.get(id);
    if (!cluster) return;
    button.hidden = true;
    input.hidden = false;
    input.value = drafts.get(id) ?? cluster.heading;
    // The heading this rename starts from: a colleague's rename meanwhile is then refused with
    // their heading named, instead of being overwritten without a word.
    input.dataset.base = cluster.heading;
    input.focus();
    input.select();
  });
  const finish = (save, refocus) => {
    if (input.hidden) return;
    input.hidden = true;
    button.hidden = false;
    if (save) saveHeading(id, input.value.trim(), input.dataset.base);
    if (refocus) button.focus();
    rerender();
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === "Escape") {
      event.preventDefault();
      finish(event.key === "Enter", true);
    }
  });
  // Leaving the field keeps what was typed; a node moved by a redraw is not the user leaving.
  input.addEventListener("blur", () => {
    if (!reconciling) finish(true, false);
  });
  $("[data-cluster-menu]", node).addEventListener("click", (event) =>
    openClusterMenu(id, event.currentTarget));
  const list = $("[data-list]", node);
  list.dataset.empty = T.drop_here;
  cardsSortable(list, true);
  return node;
}

function saveHeading(id, heading, base) {
  const cluster = live.clusters.get(id);
  if (!cluster || heading === (drafts.get(id) ?? cluster.heading)) return;
  drafts.set(id, heading);
  act("update_cluster", { cluster_id: id, heading, base_heading: base ?? cluster.heading }, cluster.board_id,
    () => announce(fill(T.cluster_renamed, { heading: heading || T.untitled }))).then(() => {
    if (drafts.get(id) === heading) drafts.delete(id);
    rerender();
  });
}

// A colour no other cluster of the board (nor the board itself) has yet, when there is one.
function nextColour(boardId) {
  const used = new Set(live.clustersOn(boardId).map((cluster) => cluster.colour));
  used.add(live.boards.get(boardId)?.colour);
  return data.colours.find((colour) => !used.has(colour)) ||
    data.colours[live.clustersOn(boardId).length % data.colours.length];
}

function newCluster(boardId, heading, ideaIds) {
  return act("create_cluster", { board_id: boardId, heading, colour: nextColour(boardId),
    idea_ids: ideaIds }, boardId, () => {
    for (const id of ideaIds) selected.delete(id);
    announce(fill(T.cluster_created, { heading: heading || T.untitled }));
  });
}

// "New cluster with this card": tick the card and go to the board's field for a new heading.
function nameNewCluster(id) {
  const idea = live.ideas.get(id);
  const parts = idea && boardParts.get(idea.board_id);
  if (!parts) return;
  selected.add(id);
  rerender();
  $("[data-new-heading]", parts.section).focus();
  announce(T.name_new_cluster);
}

function openClusterMenu(id, anchor) {
  const cluster = live.clusters.get(id);
  if (!cluster) return;
  const clusters = live.clustersOn(cluster.board_id);
  const index = clusters.findIndex((c) => c.id === id);
  const entries = [];
  if (index > 0) entries.push({ label: T.cluster_up, action: () => moveCluster(id, index - 1) });
  if (index < clusters.length - 1) {
    entries.push({ label: T.cluster_down, action: () => moveCluster(id, index + 1) });
  }
  entries.push({ group: T.colour });
  for (const colour of data.colours) {
    entries.push({ label: T.colour_names[colour], colour, checked: cluster.colour === colour,
      action: () => recolour(id, colour) });
  }
  const others = clusters.filter((c) => c.id !== id);
  if (others.length) {
    entries.push({ group: T.merge_into });
    for (const other of others) {
      entries.push({ label: headingOf(other), colour: other.colour,
        action: () => mergeClusters(id, other.id) });
    }
  }
  entries.push({ separator: true }, { label: T.dissolve, action: () => dissolve(id) });
  openMenu(anchor, fill(T.cluster_menu_label, { heading: headingOf(cluster) }), entries,
    () => clusterNodes.get(id) && $("[data-cluster-menu]", clusterNodes.get(id)).focus());
}

function moveCluster(id, position, viaDrop = false) {
  const cluster = live.clusters.get(id);
  return act("move_cluster", { cluster_id: id, position }, cluster.board_id, () =>
    announce(fill(T.cluster_moved, { heading: headingOf(cluster), place: position + 1 })),
  viaDrop);
}

function recolour(id, colour) {
  const cluster = live.clusters.get(id);
  if (cluster.colour === colour) return;
  act("update_cluster", { cluster_id: id, colour }, cluster.board_id,
    () => announce(fill(T.cluster_recoloured, { colour: T.colour_names[colour] })));
}

function mergeClusters(sourceId, targetId) {
  const source = live.clusters.get(sourceId);
  const target = live.clusters.get(targetId);
  act("merge_clusters", { source_id: sourceId, target_id: targetId }, source.board_id, () => {
    announce(fill(T.cluster_merged, { source: headingOf(source), target: headingOf(target) }));
    rerender();
    $("[data-cluster-menu]", clusterNodes.get(targetId) || document)?.focus();
  });
}

function dissolve(id) {
  const cluster = live.clusters.get(id);
  act("dissolve_cluster", { cluster_id: id }, cluster.board_id,
    () => announce(fill(T.cluster_dissolved, { heading: headingOf(cluster) })));
}

// --- Drag and drop (SortableJS) ---------------------------------------------------------------

function cardsSortable(list, sortable) {
  return Sortable.create(list, {
    group: "cards", sort: sortable, draggable: "[data-idea-id]",
    // Buttons, fields and the ticks stay clickable; only the card itself is a handle.
    filter: "button, input, textarea, select, label, a", preventOnFilter: false,
    forceFallback: true, fallbackOnBody: true, fallbackTolerance: 4,
    // On touch a short hold picks a card up, so a swipe still scrolls the board.
    delay: 220, delayOnTouchOnly: true, touchStartThreshold: 5,
    animation: 150, emptyInsertThreshold: 16,
    ghostClass: "card-ghost", chosenClass: "card-chosen", dragClass: "card-dragging",
    onChoose: hold, onUnchoose: release, onEnd: cardDropped,
  });
}

function hold() {
  holding = true;
  closeMenu(false);
}

function release() {
  holding = false;
  // `end` follows `unchoose` at once; draw only if that drop sent nothing.
  queueMicrotask(() => {
    if (!busy()) rerender();
  });
}

function cardDropped(event) {
  const id = Number(event.item.dataset.ideaId);
  const idea = live.ideas.get(id);
  const board = event.to.closest("[data-board-id]");
  if (!idea || !board) return;
  const boardId = Number(board.dataset.boardId);
  const clusterNode = event.to.closest("[data-cluster-id]");
  const clusterId = clusterNode ? Number(clusterNode.dataset.clusterId) : null;
  const sameList = boardId === idea.board_id && clusterId === (idea.cluster_id ?? null);
  if (sameList && (clusterId === null || event.oldDraggableIndex === event.newDraggableIndex)) return;
  const payload = { idea_id: id, cluster_id: clusterId,
    position: clusterId === null ? null : event.newDraggableIndex };
  if (boardId !== idea.board_id) payload.board_id = boardId;
  act("move_idea", payload, boardId, () => {
    if (boardId !== idea.board_id) {
      announce(fill(T.moved_board, { text: idea.text ?? "", board: live.boards.get(boardId)?.title ?? "" }));
    } else {
      announceMove(id);
    }
  }, true);
}

function clusterDropped(event) {
  if (event.oldDraggableIndex === event.newDraggableIndex) return;
  moveCluster(Number(event.item.dataset.clusterId), event.newDraggableIndex, true);
}

// --- Asking the server --------------------------------------------------------------------------

// Send a facilitator action; its refusal shows on the board (console_state.act), then draw again.
// `afterDrop`: hold drawing until the answer, so the dropped node is not put back meanwhile.
async function act(event, payload, boardId, done, afterDrop = false) {
  if (afterDrop) waiting += 1;
  let answer;
  try {
    answer = await sendAction(errorLineOf(boardId), event, payload);
  } finally {
    if (afterDrop) waiting -= 1;
  }
  if (answer.ok && done) done(answer);
  rerender();
  return answer;
}

function errorLineOf(boardId) {
  const section = boardParts.get(boardId)?.section;
  return section ? $("[data-error]", section) : $("[data-history-error]");
}
