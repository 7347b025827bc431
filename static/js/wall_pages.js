// Paging on the projector: whatever is longer than the screen (a board's cards, a ranking's rows,
// the measures) is cut into pages that turn by themselves, every few seconds, unless the
// facilitator paused them; the facilitator's "next"/"previous" presses reach every projector.
import { el, fill } from "./live.js";

// Where each page starts, measured in the real layout: `show(from, to)` shows only items
// from..to-1; `firstOverflow(from)` answers the index of the first shown item that does not fit
// (-1 when all do). Every page holds at least one item, so a card taller than the screen still
// gets a page of its own instead of stopping the paging.
export function pageStarts(count, show, firstOverflow) {
  const starts = [0];
  for (;;) {
    const start = starts[starts.length - 1];
    show(start, count);
    const cut = firstOverflow(start);
    if (cut === -1 || cut >= count) break;
    starts.push(Math.max(cut, start + 1));
  }
  return starts;
}

// The index of the first item (from `from` on) whose bottom edge lies below `limit` (px).
export function firstBelow(items, from, limit) {
  for (let index = from; index < items.length; index += 1) {
    if (!items[index].hidden && items[index].getBoundingClientRect().bottom > limit + 0.5) return index;
  }
  return -1;
}

// One paged list: remembers its page while its content changes, so a new card arriving at the
// end never throws the room back to page 1 while it reads.
export class Pages {
  constructor() {
    this.starts = [0];
    this.page = 0;
    this.count = 0;
    this.show = () => {};
  }

  get total() { return this.starts.length; }

  // Measure again (content or screen changed) and show the current page.
  measure(count, show, firstOverflow) {
    this.count = count;
    this.show = show;
    this.starts = count ? pageStarts(count, show, firstOverflow) : [0];
    this.page = Math.min(this.page, this.total - 1);
    this.apply();
  }

  turn(delta) {
    this.page = (((this.page + delta) % this.total) + this.total) % this.total;
  }

  apply() {
    const end = this.page + 1 < this.total ? this.starts[this.page + 1] : this.count;
    this.show(this.starts[this.page], end);
  }
}

// Measure `pages` with the "Page x of y" line in place (so the last item shown is not under it),
// then show the page and the line.
export function measurePages(pages, indicator, text, count, show, firstOverflow) {
  showPageIndicator(indicator, { page: 0, total: 2 }, text);
  pages.measure(count, show, firstOverflow);
  showPageIndicator(indicator, pages, text);
}

// "Page 2 of 3" in words and as dots (the dots only while few enough to count at a glance).
// With one page the line keeps its place, invisible, so nothing moves when a second page comes.
export function showPageIndicator(node, pages, text) {
  node.hidden = false;
  node.style.visibility = pages.total < 2 ? "hidden" : "";
  node.dataset.page = String(pages.page + 1);
  node.dataset.pages = String(pages.total);
  const words = el("span", { class: "wall-page-text" }, fill(text, { page: pages.page + 1, pages: pages.total }));
  const dots = el("span", { class: "wall-page-dots", "aria-hidden": "true" });
  if (pages.total <= 12) {
    for (let index = 0; index < pages.total; index += 1) {
      dots.append(el("span", { class: "wall-page-dot", "data-current": index === pages.page ? "yes" : null }));
    }
  }
  node.replaceChildren(words, dots);
}

// Turns pages every `seconds` unless paused, and once for each "next"/"previous" the facilitator
// pressed (the workshop's `step` counter); after a press the page stays a full interval.
export class PagingClock {
  constructor(onTurn) {
    this.onTurn = onTurn;
    this.step = null;
    this.state = "";
    this.timer = null;
  }

  follow(paging) {
    if (!paging) return;
    const pressed = this.step === null ? 0 : paging.step - this.step;
    this.step = paging.step;
    const state = `${paging.paused}:${paging.seconds}`;
    if (pressed === 0 && state === this.state) return;
    this.state = state;
    this.paused = paging.paused;
    this.seconds = paging.seconds;
    if (pressed) this.onTurn(pressed);
    this.restart();
  }

  restart() {
    clearTimeout(this.timer);
    if (this.paused) return;
    this.timer = setTimeout(() => {
      this.onTurn(1);
      this.restart();
    }, this.seconds * 1000);
  }
}
