// The results of a round as a table, for the console and the projector alike: pure functions
// that build DOM from a round object (as the server sends it) and a dictionary of texts. Nothing
// here reads the page or the live state; the caller decides where the table goes.
//
//   dotsTable(round, texts, options)     rank | item | dots (bar + number) [| final place]
//   consentTable(round, texts, options)  rank | option | total resistance | [mean | answers |] spread
//   rowsInOrder(round, order)            the rows a dots table shows, in the order it shows them
//
// texts: col_rank, col_item, col_dots, col_final, col_option, col_total, col_mean, col_answers,
//        col_distribution, tie, passive, distribution_text ("{value}: {count}"); optional:
//        lowest (badge on the least resisted option), mean ("Ø {mean} · {answers}": the mean
//        under the total instead of columns of its own).
// Classes are neutral (`results-*`); each screen styles them under its own table class.
import { el } from "./dom.js";
import { fill } from "./live.js";
import { consentMean, finalOrder, formatMean, rankText } from "./prioritise.js";

// "votes": by the number of dots; "final": the facilitator's final order first, then the rest.
export function rowsInOrder(round, order = "votes") {
  const results = round.results || [];
  if (order !== "final" || !(round.final_order || []).length) return results;
  const byId = new Map(results.map((row) => [row.id, row]));
  return finalOrder(round).map((id) => byId.get(id)).filter(Boolean);
}

function table(className, caption, headings) {
  const node = el("table", { class: `results-table ${className}`.trim() });
  if (caption) node.append(el("caption", { class: "visually-hidden" }, caption));
  const head = el("tr");
  for (const text of headings) head.append(el("th", { scope: "col" }, text));
  node.append(el("thead"), el("tbody"));
  node.tHead.append(head);
  return node;
}

function addRow(node, rowAttribute, row, cells) {
  const tr = el("tr", { [rowAttribute]: row.id });
  tr.append(...cells);
  node.tBodies[0].append(tr);
  return tr;
}

export function rankCell(row, texts) {
  const cell = el("td", { class: "results-rank" }, rankText(row));
  if (row.tie) cell.append(" ", el("span", { class: "results-tie" }, texts.tie));
  return cell;
}

// A bar as long as `value` is of `max`, with the number beside it (never the bar alone).
export function barCell(value, max, text) {
  const cell = el("td");
  const wrap = el("div", { class: "results-bar-cell" });
  const track = el("span", { class: "results-bar", "aria-hidden": "true" });
  const bar = el("span", { class: "results-bar-fill" });
  bar.style.inlineSize = `${max ? (100 * value) / max : 0}%`;
  track.append(bar);
  wrap.append(el("span", { class: "results-value", "data-result-value": "" }, text), track);
  cell.append(wrap);
  return cell;
}

function itemCell(row, boardTitle) {
  const cell = el("td", { class: "results-item", dir: "auto" }, row.label);
  const board = boardTitle ? boardTitle(row.board_id) : null;
  if (board) cell.append(el("small", { class: "results-board" }, board));
  return cell;
}

/**
 * Dots per item. Options:
 *  order: "votes" (rank first; with finalColumn, the final place last) or "final" (the final
 *         place first and the vote rank last, when a final order is set);
 *  finalColumn: add the final place as a last column in "votes" order;
 *  boardTitle(boardId): the board shown under each item (pass it when rows span boards);
 *  maxRows: rows shown at most (the table's data-rows-left says how many were left out);
 *  caption, className, rowAttribute (default "data-result").
 */
export function dotsTable(round, texts, options = {}) {
  const { order = "votes", finalColumn = false, boardTitle = null, maxRows = Infinity,
    caption = null, className = "", rowAttribute = "data-result" } = options;
  const rows = rowsInOrder(round, order);
  const final = order === "final" && (round.final_order || []).length > 0;
  const finals = round.final_order || [];
  const headings = final ? [texts.col_final, texts.col_item, texts.col_dots, texts.col_rank]
    : [texts.col_rank, texts.col_item, texts.col_dots, ...(finalColumn ? [texts.col_final] : [])];
  const node = table(className, caption, headings);
  const max = Math.max(1, ...rows.map((row) => row.score));
  rows.slice(0, maxRows).forEach((row, index) => {
    const dots = barCell(row.score, max, String(row.score));
    if (final) {
      addRow(node, rowAttribute, row, [el("td", { class: "results-rank" }, String(index + 1)),
        itemCell(row, boardTitle), dots, rankCell(row, texts)]);
    } else {
      const cells = [rankCell(row, texts), itemCell(row, boardTitle), dots];
      const place = finals.indexOf(row.id);
      if (finalColumn) cells.push(el("td", {}, place === -1 ? "" : String(place + 1)));
      addRow(node, rowAttribute, row, cells);
    }
  });
  node.dataset.rowsLeft = String(Math.max(0, rows.length - maxRows));
  return node;
}

/**
 * Resistance per option, least first. Options:
 *  meanColumns: the mean and the number of answers in columns of their own (otherwise
 *               `texts.mean` under the total, when given);
 *  markLowest: a badge (`texts.lowest`) on the least resisted option that has answers;
 *  caption, className, rowAttribute (default "data-result").
 */
export function consentTable(round, texts, options = {}) {
  const { meanColumns = false, markLowest = false, caption = null, className = "",
    rowAttribute = "data-result" } = options;
  const rows = round.results || [];
  const headings = [texts.col_rank, texts.col_option, texts.col_total,
    ...(meanColumns ? [texts.col_mean, texts.col_answers] : []), texts.col_distribution];
  const node = table(className, caption, headings);
  const max = Math.max(1, ...rows.map((row) => row.score));
  const lowest = rows.length ? rows[0].score : null;
  for (const row of rows) {
    const label = el("td", { class: "results-item", dir: "auto" }, row.label);
    if (row.passive) label.append(" ", el("small", { class: "results-passive" }, texts.passive));
    const isLowest = markLowest && row.score === lowest && row.answers > 0;
    if (isLowest) label.append(" ", el("span", { class: "results-badge" }, texts.lowest));
    const total = barCell(row.score, max, String(row.score));
    const mean = formatMean(consentMean(row));
    if (!meanColumns && texts.mean) {
      total.append(el("span", { class: "results-mean" }, fill(texts.mean, { mean, answers: row.answers })));
    }
    const cells = [rankCell(row, texts), label, total];
    if (meanColumns) cells.push(el("td", {}, mean), el("td", {}, String(row.answers)));
    cells.push(distributionCell(row.distribution || [], texts));
    const tr = addRow(node, rowAttribute, row, cells);
    if (isLowest) tr.dataset.lowest = "yes";
  }
  return node;
}

// A histogram of the answers 0–10: each column has its count above and its value below, so the
// numbers can be read without the bars; a screen reader hears them as one sentence.
export function distributionCell(counts, texts) {
  const cell = el("td");
  const most = Math.max(1, ...counts);
  const chart = el("div", { class: "results-histogram", "aria-hidden": "true" });
  counts.forEach((count, value) => {
    const column = el("span", { class: "results-histogram-column" });
    const bar = el("span", { class: "results-histogram-bar" });
    bar.style.blockSize = `${(100 * count) / most}%`;
    const track = el("span", { class: "results-histogram-track" });
    track.append(bar);
    column.append(el("span", { class: "results-histogram-count" }, count ? String(count) : ""), track,
      el("span", { class: "results-histogram-value" }, String(value)));
    chart.append(column);
  });
  const text = counts.map((count, value) => (count ? fill(texts.distribution_text, { value, count }) : null))
    .filter(Boolean).join("; ");
  cell.append(chart, el("span", { class: "visually-hidden" }, text));
  return cell;
}

// True when a round has results worth a table (someone voted or answered).
export function hasResults(round) {
  const rows = round.results || [];
  return rows.some((row) => (round.kind === "consent" ? row.answers : row.score) > 0);
}
