// Finding one's way around a console of many boards: the strip of boards (a link per board that
// goes to its first card), Alt+1…9 for the same from anywhere, and the run panel that can be
// folded away for more room for the cards (remembered on this device).
import { $, el, keyed, setAttr, setText } from "./dom.js";
import { countText } from "./plural.js";
import { T, data } from "./console_state.js";

const strip = $("[data-board-jump-list]");
const links = new Map();

// The first card of a board, or its heading when it has no card yet.
function landingOf(boardId) {
  const section = $(`[data-boards] [data-board-id="${boardId}"]`);
  if (!section) return null;
  return $("[data-idea-id]", section) || $("[data-title]", section);
}

export function jumpToBoard(boardId) {
  const target = landingOf(boardId);
  if (!target) return false;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "nearest" });
  target.closest("[data-board-id]")?.scrollIntoView({ block: "nearest" });
  return true;
}

function makeLink(board) {
  const link = el("a", { class: "board-jump-link", href: `#board-${board.id}`, "data-jump-board": board.id });
  // The name is the title and "12 ideas"; the number and the bare count are for the eye.
  link.append(el("span", { class: "board-jump-number", "aria-hidden": "true" }),
    el("span", { class: "board-jump-title", dir: "auto" }),
    el("span", { class: "board-jump-count", "aria-hidden": "true" }),
    el("span", { class: "visually-hidden" }));
  link.addEventListener("click", (event) => {
    event.preventDefault();
    jumpToBoard(board.id);
  });
  const item = el("li");
  item.append(link);
  return item;
}

// Draw the strip: number (its Alt shortcut), title and the number of cards of every board.
export function renderBoardJump(boards, counts) {
  keyed(strip, links, boards, makeLink, (item, board) => {
    const index = boards.indexOf(board) + 1;
    const link = item.firstElementChild;
    item.className = `colour-${board.colour}`;
    setText(link.children[0], index <= 9 ? String(index) : "");
    setText(link.children[1], board.title);
    const count = counts.get(board.id) ?? 0;
    setText(link.children[2], String(count));
    setText(link.children[3], ` ${countText(T.ideas, count)}`);
    if (index <= 9) setAttr(link, "aria-keyshortcuts", `Alt+${index}`);
    else link.removeAttribute("aria-keyshortcuts");
  });
}

// Alt+1…9 (by key position, so it works on every keyboard layout) go to that board's first card.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const match = /^Digit([1-9])$/.exec(event.code);
  if (!match) return;
  const link = strip.children[Number(match[1]) - 1]?.firstElementChild;
  if (!link) return;
  event.preventDefault();
  jumpToBoard(Number(link.dataset.jumpBoard));
});

// --- The run panel beside the boards ---------------------------------------------------------

const side = $("[data-console-side]");
const toggle = $("[data-side-toggle]");
const layout = $("[data-console-layout]");
const key = `facilitator:side-folded:${data.workshop_id}`;

function showSide(open) {
  side.hidden = !open;
  toggle.setAttribute("aria-expanded", String(open));
  layout.toggleAttribute("data-side-open", open);
}

toggle.addEventListener("click", () => {
  const open = side.hidden;
  showSide(open);
  if (open) localStorage.removeItem(key);
  else localStorage.setItem(key, "1");
  if (open) side.scrollIntoView({ block: "nearest" });
});
showSide(!localStorage.getItem(key));

// The join box (QR code, code, links) is open until folded away; folded stays folded here.
const joinBox = $("[data-join-details]");
const joinKey = `facilitator:join-folded:${data.workshop_id}`;
if (localStorage.getItem(joinKey)) joinBox.open = false;
joinBox.addEventListener("toggle", () => {
  if (joinBox.open) localStorage.removeItem(joinKey);
  else localStorage.setItem(joinKey, "1");
});
