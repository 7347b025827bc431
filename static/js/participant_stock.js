// A stock-taking board (Bestandsaufnahme) on the phone: instead of one text box a small form
// with the facilitator's fields (their labels in the phone's language when translated) and
// "this offer already exists". The card's text is its short form; the server makes the same.
import { el, fill } from "./live.js";
import { translated } from "./content_language.js";
import { T, data } from "./participant_state.js";

const lang = document.documentElement.lang;
const MAX_VALUE = 200;
let shownFor = "";

export function isStock(board) {
  return Boolean(board && board.card_fields && board.card_fields.length);
}

export function labelOf(board, workshop, field) {
  return translated(workshop, "cardfield", `${board.id}:${field.key}`, "label", lang) || field.label;
}

// One labelled input per field, built again only when the fields (or their labels) change, so
// typing is never lost to a live update.
function inputs(board, workshop, prefix, values = {}) {
  return board.card_fields.map((field, index) => {
    const id = `${prefix}-${field.key}`;
    const label = labelOf(board, workshop, field);
    const wrap = el("div", { class: "stock-field" });
    const input = el("input", {
      id, type: "text", maxlength: MAX_VALUE, dir: "auto", autocomplete: "off",
      "data-stock-input": field.key, "aria-required": field.required ? "true" : null,
      enterkeyhint: index === board.card_fields.length - 1 ? "send" : "next",
    });
    input.value = values[field.key] || "";
    input.dataset.label = label;
    // The facilitator's label may be in another script than the page: isolated in its own
    // direction, so "(optional)" stays after it.
    const caption = el("label", { for: id });
    caption.append(el("bdi", {}, label));
    if (!field.required) caption.append(` (${T.optional})`);
    wrap.append(caption, input);
    return wrap;
  });
}

export function renderStockForm(board, workshop) {
  const box = document.querySelector("[data-stock-fields]");
  const plain = document.querySelector("[data-plain-composer]");
  const stock = isStock(board);
  box.hidden = !stock;
  plain.hidden = stock;
  document.querySelector("[data-idea-text]").required = !stock;
  if (!stock) return;
  const signature = JSON.stringify(board.card_fields.map((f) => [f.key, labelOf(board, workshop, f), f.required]));
  if (signature === shownFor) return;
  shownFor = signature;
  const kept = Object.fromEntries([...box.querySelectorAll("[data-stock-input]")]
    .map((input) => [input.dataset.stockInput, input.value]));
  box.querySelector("[data-stock-inputs]").replaceChildren(...inputs(board, workshop, "stock", kept));
}

export function setStockEnabled(enabled) {
  for (const input of document.querySelectorAll("[data-stock-fields] input")) input.disabled = !enabled;
}

// The form's row, or the first problem (and the input to focus).
export function readRow(root, board) {
  const fields = [];
  for (const field of board.card_fields) {
    const input = root.querySelector(`[data-stock-input="${field.key}"]`);
    const value = (input?.value || "").trim();
    if (field.required && !value) return { problem: fill(T.field_empty, { label: input?.dataset.label || field.label }), input };
    if (value.length > MAX_VALUE) return { problem: T.too_long_field, input };
    if (value) fields.push({ key: field.key, value });
  }
  const exists = Boolean(root.querySelector("[data-stock-exists]")?.checked);
  return { row: { fields, exists }, text: shortText(board, fields) };
}

export function clearRow(root) {
  for (const input of root.querySelectorAll("[data-stock-input]")) input.value = "";
  const exists = root.querySelector("[data-stock-exists]");
  if (exists) exists.checked = true;
  root.querySelector("[data-stock-input]")?.focus();
}

// As the server writes it (facilitator/domain/stocktaking.py short_text).
export function shortText(board, fields) {
  const value = Object.fromEntries(fields.map((f) => [f.key, f.value]));
  const all = board.card_fields;
  const more = [...all.slice(1, 2), ...all.slice(2).filter((f) => f.group)];
  const rest = more.map((f) => value[f.key]).filter(Boolean);
  const first = value[all[0].key] || "";
  const text = first ? first + (rest.length ? ` — ${rest.join(", ")}` : "") : rest.join(", ");
  return text.length <= data.max_chars ? text : `${text.slice(0, data.max_chars - 1).trimEnd()}…`;
}

// "already exists" beside a card whose row says so.
export function existsMark(idea) {
  if (!idea.entry || !idea.entry.exists) return null;
  return el("span", { class: "stock-exists", "data-stock-exists-mark": "" }, T.exists_mark);
}

// The author's edit form for a stock-taking card: the same fields, filled in.
export function stockEditFields(idea, board, workshop) {
  const values = idea.entry?.values || {};
  const nodes = inputs(board, workshop, `edit-${idea.id}`, values);
  const exists = el("input", { type: "checkbox", id: `edit-${idea.id}-exists`, "data-stock-exists": "" });
  exists.checked = idea.entry ? Boolean(idea.entry.exists) : true;
  const label = el("label", { class: "check", for: `edit-${idea.id}-exists` });
  label.append(exists, ` ${T.exists_label}`);
  return [...nodes, label];
}
