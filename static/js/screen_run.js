// Projector views beside the boards: a round's ranking, the impact/effort matrix, the measures,
// and the timer in the join sidebar. Read from the back of a hall: large text, numbers next to
// every bar, ties said in words; lists longer than the screen page. Hidden tallies never show:
// the server sends no results then.
import { countdown, el, fill } from "./live.js";
import { Pages, firstBelow, measurePages, showPageIndicator } from "./wall_pages.js";
import {
  QUADRANTS, consentMean, finalOrder, formatMean, percent, quadrant, rankText, readTexts, scopeText,
} from "./prioritise.js";

const W = readTexts("wall-run-data");
const $ = (selector, root = document) => root.querySelector(selector);
const view = $("[data-wall-view]");
const timerValue = $("[data-wall-timer]");
const showTimer = countdown(timerValue, { paused: W.paused });
let shownTimer = null;
let shownKey = null;
// The pages of the view shown, and which round or list they belong to: a tally arriving twice a
// second rebuilds the table but keeps the page.
const viewPages = new Pages();
let pagedFor = null;
const RUN_VIEWS = ["round", "matrix", "measures"];
// Which view the projector shows; switches the boards off or on. Returns the view's name.
export function showView(live) {
  const workshop = live.workshop;
  const timer = workshop.timer;
  if (timer && timer !== shownTimer) {
    shownTimer = timer;
    showTimer(timer);
    $("[data-wall-timer-row]").hidden = timerValue.hidden;
  }
  // One board or one cluster full screen is a board view too.
  const name = RUN_VIEWS.includes(workshop.projector_view) ? workshop.projector_view : "boards";
  $("[data-boards]").hidden = name !== "boards";
  view.hidden = name === "boards";
  return name;
}

// Rebuild only when what is shown changed (tallies arrive twice a second while a hall votes).
function replaceView(key, build) {
  // A new screen size lays the pages out anew.
  const text = JSON.stringify([key, window.innerWidth, window.innerHeight]);
  if (text === shownKey) return false;
  shownKey = text;
  view.replaceChildren(...build());
  return true;
}

// Cut the items of `list` into pages that fit `frame` (the part of the view that grows), keeping
// the page when the same round or list is drawn again; "Page 2 of 3" below.
function pageItems(identity, list, frame = list) {
  if (identity !== pagedFor) {
    pagedFor = identity;
    viewPages.page = 0;
  }
  const items = [...list.children];
  measurePages(viewPages, $("[data-page-indicator]", view), W.page, items.length,
    (from, to) => items.forEach((item, index) => { item.hidden = index < from || index >= to; }),
    (from) => firstBelow(items, from, frame.getBoundingClientRect().bottom));
}

function showViewPageIndicator() {
  const indicator = $("[data-page-indicator]", view);
  if (indicator) showPageIndicator(indicator, viewPages, W.page);
}

// The facilitator's next/previous, or the paging clock.
export function turnViewPage(step) {
  if (!$("[data-page-indicator]", view)) return;
  viewPages.turn(step);
  viewPages.apply();
  showViewPageIndicator();
}

function pagedFrame(...content) {
  const frame = el("div", { class: "wall-paged", "data-paged": "" });
  frame.append(...content);
  return frame;
}

function pageIndicator() {
  return el("p", { class: "wall-pages", "data-page-indicator": "", hidden: "" });
}

export function renderRound(live) {
  const round = live.rounds.get(live.workshop.projector_target_id);
  const rebuilt = replaceView(["round", round ?? null, [...live.boards.values()].map((b) => [b.id, b.title])], () => {
    if (!round) return [el("p", { class: "wall-waiting" }, W.nothing)];
    const kind = round.kind === "dots"
      ? [W.dots_kind, scopeText(live, round, W.whole_workshop), fill(W.rules, { dots: round.dots_per_person, cap: round.max_per_item })]
      : [W.consent_kind, scopeText(live, round, W.whole_workshop)];
    const nodes = [el("p", { class: "wall-view-kind" }, kind.join(" · ")),
      el("h2", { dir: "auto" }, round.question || (round.kind === "dots" ? W.dots_kind : W.consent_kind)),
      el("p", { class: "wall-view-voters" }, fill(round.kind === "dots" ? W.voted : W.answered,
        { voters: round.voters, eligible: round.eligible }))];
    if (!round.results) {
      nodes.push(el("p", { class: "wall-waiting" }, round.state === "open" ? W.hidden_open : W.hidden_closed));
      const options = el("ul", { class: "wall-options", "data-paged-items": "" });
      options.append(...round.targets.map((t) => el("li", { dir: "auto" }, t.label)));
      nodes.push(pagedFrame(options), pageIndicator());
      return nodes;
    }
    nodes.push(...(round.kind === "dots" ? dotsTable(live, round) : consentTable(round)));
    return nodes;
  });
  if (rebuilt && round) pageItems(`round:${round.id}`, $("[data-paged-items]", view), $("[data-paged]", view));
}

// With paging the rows need not shrink to fit: the size only follows how many rows a page has.
const ROWS_AT_MOST_PER_PAGE = 10;

function sizeOf(count) {
  return count <= 6 ? "l" : count <= 10 ? "m" : "s";
}

function headRow(table, texts) {
  const row = el("tr");
  for (const text of texts) row.append(el("th", { scope: "col" }, text));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(row);
}

function rankCell(row) {
  const cell = el("td", { class: "wall-rank" }, rankText(row));
  if (row.tie) cell.append(el("span", { class: "wall-tie" }, W.tie));
  return cell;
}

function barCell(value, max, text) {
  const cell = el("td");
  const wrap = el("div", { class: "wall-bar-cell" });
  const bar = el("span", { class: "wall-bar", "aria-hidden": "true" });
  bar.style.inlineSize = `${max ? (80 * value) / max : 0}%`;
  wrap.append(bar, el("span", { class: "wall-value" }, text));
  cell.append(wrap);
  return cell;
}

function itemCell(live, row, several) {
  const cell = el("td", { class: "wall-item", dir: "auto" }, row.label);
  if (several && live.boards.get(row.board_id)) cell.append(el("small", {}, live.boards.get(row.board_id).title));
  return cell;
}

// The chart is a table: rank, item, bar with its number. When the facilitator set a final order
// by hand, rows follow it and the vote rank stays in its own column.
function dotsTable(live, round) {
  const byId = new Map(round.results.map((row) => [row.id, row]));
  const final = round.final_order.length > 0;
  const rows = final ? finalOrder(round).map((id) => byId.get(id)).filter(Boolean) : round.results;
  const several = new Set(rows.map((row) => row.board_id)).size > 1;
  const table = el("table", { class: "wall-ranking", "data-size": sizeOf(Math.min(rows.length, ROWS_AT_MOST_PER_PAGE)) });
  table.append(el("caption", { class: "visually-hidden" }, round.question || W.dots_kind));
  headRow(table, final ? [W.col_final, W.col_item, W.col_dots, W.col_rank] : [W.col_rank, W.col_item, W.col_dots]);
  const max = Math.max(1, ...rows.map((row) => row.score));
  rows.forEach((row, index) => {
    const tr = el("tr", { "data-wall-result": row.id });
    if (final) {
      tr.append(el("td", { class: "wall-rank" }, String(index + 1)), itemCell(live, row, several),
        barCell(row.score, max, String(row.score)), rankCell(row));
    } else {
      tr.append(rankCell(row), itemCell(live, row, several), barCell(row.score, max, String(row.score)));
    }
    table.tBodies[0].append(tr);
  });
  table.tBodies[0].dataset.pagedItems = "";
  const nodes = [pagedFrame(table), pageIndicator()];
  if (rows.some((row) => row.tie)) nodes.push(el("p", { class: "wall-view-note" }, W.tie_note));
  if (final) nodes.push(el("p", { class: "wall-view-note" }, W.final_note));
  return nodes;
}

function consentTable(round) {
  const rows = round.results;
  const table = el("table", { class: "wall-ranking wall-consent", "data-size": sizeOf(Math.min(rows.length, ROWS_AT_MOST_PER_PAGE)) });
  table.append(el("caption", { class: "visually-hidden" }, round.question || W.consent_kind));
  headRow(table, [W.col_rank, W.col_option, W.col_total, W.col_distribution]);
  const max = Math.max(1, ...rows.map((row) => row.score));
  const lowest = rows.length ? rows[0].score : null;
  for (const row of rows) {
    const tr = el("tr", { "data-wall-result": row.id });
    const label = el("td", { class: "wall-item", dir: "auto" }, row.label);
    if (row.passive) label.append(el("small", {}, W.passive));
    if (row.score === lowest && row.answers) {
      tr.dataset.lowest = "yes";
      label.append(el("span", { class: "wall-badge" }, W.lowest));
    }
    const total = barCell(row.score, max, String(row.score));
    total.append(el("span", { class: "wall-mean" }, fill(W.mean, { mean: formatMean(consentMean(row)), answers: row.answers })));
    tr.append(rankCell(row), label, total, distribution(row.distribution || []));
    table.tBodies[0].append(tr);
  }
  table.tBodies[0].dataset.pagedItems = "";
  return [pagedFrame(table), pageIndicator(), el("p", { class: "wall-view-note" }, W.consent_note)];
}

// A histogram of the answers 0–10: each column has its count above and its value below, so the
// numbers can be read without the bars.
function distribution(counts) {
  const cell = el("td");
  const most = Math.max(1, ...counts);
  const chart = el("div", { class: "wall-histogram", "aria-hidden": "true" });
  counts.forEach((count, value) => {
    const column = el("span", { class: "wall-histogram-column" });
    const bar = el("span", { class: "wall-histogram-bar" });
    bar.style.blockSize = `${(100 * count) / most}%`;
    const track = el("span", { class: "wall-histogram-track" });
    track.append(bar);
    column.append(el("span", { class: "wall-histogram-count" }, count ? String(count) : ""), track,
      el("span", { class: "wall-histogram-value" }, String(value)));
    chart.append(column);
  });
  const text = counts.map((count, value) => (count ? fill(W.distribution_text, { value, count }) : null))
    .filter(Boolean).join("; ");
  cell.append(chart, el("span", { class: "visually-hidden" }, text));
  return cell;
}

export function renderMatrix(live) {
  const board = live.boards.get(live.workshop.projector_target_id);
  const clusters = board ? live.clustersOn(board.id) : [];
  replaceView(["matrix", board?.title, clusters.map((c) => [c.id, c.heading, c.colour, c.matrix_x, c.matrix_y])], () => {
    if (!board) return [el("p", { class: "wall-waiting" }, W.nothing)];
    const nodes = [el("p", { class: "wall-view-kind" }, W.matrix_kind), el("h2", { dir: "auto" }, board.title)];
    const frame = el("div", { class: "wall-matrix-frame" });
    const grid = el("div", { class: "wall-matrix", dir: "ltr" });
    for (const name of QUADRANTS) {
      const cell = el("div", { class: "matrix-quadrant", "data-quadrant": name });
      cell.append(el("span", {}, W.quadrants[name]), el("small", {}, W.quadrant_hints[name]));
      grid.append(cell);
    }
    const placed = clusters.filter((c) => c.matrix_x !== null && c.matrix_x !== undefined);
    for (const cluster of placed) {
      const chip = el("span", { class: `matrix-chip colour-${cluster.colour}`, dir: "auto" }, cluster.heading);
      chip.style.insetInlineStart = percent(cluster.matrix_x);
      chip.style.insetBlockStart = percent(1 - cluster.matrix_y);
      grid.append(chip);
    }
    frame.append(el("p", { class: "wall-axis wall-axis-y" }, `${W.impact} →`), grid,
      el("p", { class: "wall-axis wall-axis-x" }, `${W.effort} →`));
    nodes.push(frame);
    // The same placement as text, quadrant by quadrant, for screen readers.
    const text = el("div", { class: "visually-hidden" });
    for (const name of QUADRANTS) {
      const inside = placed.filter((c) => quadrant(c.matrix_x, c.matrix_y) === name).map((c) => c.heading);
      text.append(el("p", {}, `${W.quadrants[name]}: ${inside.join(", ") || "–"}`));
    }
    nodes.push(text);
    const unplaced = clusters.filter((c) => c.matrix_x === null || c.matrix_x === undefined);
    if (unplaced.length) {
      nodes.push(el("p", { class: "wall-view-note" }, fill(W.unplaced, { names: unplaced.map((c) => c.heading).join(", ") })));
    }
    return nodes;
  });
}

export function renderMeasures(live) {
  const measures = live.activeMeasures();
  const rebuilt = replaceView(["measures", measures.map((m) => [m.id, m.seq])], () => {
    const nodes = [el("h2", {}, fill(W.measures_heading, { count: measures.length }))];
    if (!measures.length) return [...nodes, el("p", { class: "wall-waiting" }, W.no_measures)];
    const list = el("ol", { class: "wall-measures", "data-size": measures.length > 6 ? "s" : "l" });
    for (const measure of measures) {
      const item = el("li", { class: "wall-measure" });
      if (measure.thematic_field) item.append(el("p", { class: "wall-measure-field", dir: "auto" }, measure.thematic_field));
      item.append(el("h3", { dir: "auto" }, measure.title));
      const facts = [measure.responsible ? fill(W.responsible, { who: measure.responsible }) : null,
        measure.partners ? fill(W.partners, { who: measure.partners }) : null,
        measure.horizon ? fill(W.horizon, { when: W.horizons[measure.horizon] }) : null].filter(Boolean);
      item.append(...facts.map((fact) => el("p", { dir: "auto" }, fact)));
      list.append(item);
    }
    nodes.push(list, pageIndicator());
    return nodes;
  });
  const list = $(".wall-measures", view);
  if (rebuilt && list) pageItems("measures", list);
}
