// Measures in the run panel: the form (made from a cluster or card, or from nothing), the list
// with edit and delete, and the projector button.
import { el, fill } from "./live.js";
import { countText } from "./plural.js";
import { live } from "./console_state.js";
import { $, R, announce, runAct as act, showError } from "./console_panel.js";
import { changeTracker } from "./dom.js";
import { project } from "./console_projector_choice.js";
import { selectTab } from "./console_tabs.js";
import { replaceKeepingFocus } from "./prioritise.js";

const changed = changeTracker();

const measureForm = $("[data-run-measure-form]");
const field = (name) => $(`[data-run-measure="${name}"]`, measureForm);
let editing = null;  // id of the measure being edited, null for a new one
let sources = { source_idea_ids: [], source_cluster_id: null };

export function renderMeasureChoices() {
  const boards = live.orderedBoards();
  const clusters = boards.map((b) => live.clustersOn(b.id));
  const cards = boards.map((b) => live.ideasOn(b.id).filter((i) => i.state === "visible"));
  if (!changed("measure-sources", [boards.map((b) => [b.id, b.title]),
    clusters.map((list) => list.map((c) => [c.id, c.heading])),
    cards.map((list) => list.map((i) => [i.id, i.text]))])) return;
  const source = $("[data-run-measure-source]");
  const keep = source.value;
  const options = [el("option", { value: "" }, R.source_none)];
  boards.forEach((board, index) => {
    const group = el("optgroup", { label: board.title });
    for (const cluster of clusters[index]) {
      group.append(el("option", { value: `cluster:${cluster.id}` }, fill(R.source_cluster, { text: cluster.heading })));
    }
    for (const idea of cards[index]) {
      group.append(el("option", { value: `idea:${idea.id}` }, fill(R.source_card, { text: shorten(idea.text, 80) })));
    }
    if (group.children.length) options.push(group);
  });
  source.replaceChildren(...options);
  source.value = [...source.options].some((o) => o.value === keep) ? keep : "";
  const boardSelect = field("board_id");
  const chosen = boardSelect.value;
  boardSelect.replaceChildren(el("option", { value: "" }, R.no_board),
    ...boards.map((b) => el("option", { value: b.id }, b.title)));
  boardSelect.value = chosen;
}

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Fill the form from a cluster or card: title, field (its board) and the link to its source.
function prefill(kind, id) {
  const item = kind === "cluster" ? live.clusters.get(id) : live.ideas.get(id);
  if (!item) return;
  const board = live.boards.get(item.board_id);
  if (kind === "cluster") {
    const cards = live.cardsIn(item.board_id, item.id).filter((i) => i.state === "visible");
    field("title").value = shorten(item.heading, 200);
    sources = { source_idea_ids: cards.map((i) => i.id), source_cluster_id: item.id };
    $("[data-run-measure-origin]").textContent = countText(R.origin_cluster, cards.length, { text: item.heading });
  } else {
    field("title").value = shorten(item.text || "", 200);
    sources = { source_idea_ids: [item.id], source_cluster_id: null };
    $("[data-run-measure-origin]").textContent = fill(R.origin_card, { text: shorten(item.text || "", 80) });
  }
  if (board) {
    field("thematic_field").value = board.title;
    field("board_id").value = String(board.id);
  }
  field("title").focus();
}

$("[data-run-measure-prefill]").addEventListener("click", () => {
  const [kind, id] = $("[data-run-measure-source]").value.split(":");
  if (id) prefill(kind, Number(id));
});

// Other parts of the console (a card's or cluster's menu) can ask for a measure made from it:
// document.dispatchEvent(new CustomEvent("facilitator:measure-from", {detail: {cluster_id}}))
document.addEventListener("facilitator:measure-from", ({ detail }) => {
  resetMeasureForm();
  selectTab("measures");
  if (detail?.cluster_id) prefill("cluster", detail.cluster_id);
  else if (detail?.idea_id) prefill("idea", detail.idea_id);
});

function resetMeasureForm() {
  editing = null;
  sources = { source_idea_ids: [], source_cluster_id: null };
  measureForm.reset();
  $("[data-run-measure-origin]").textContent = "";
  $("[data-run-measure-form-title]").textContent = R.new_measure;
  $("[data-run-measure-cancel]").hidden = true;
  showError("measure", "");
}

function editMeasure(measure) {
  resetMeasureForm();
  editing = measure.id;
  for (const name of ["title", "description", "thematic_field", "responsible", "partners", "horizon",
    "due_date", "status", "indicator", "cost"]) {
    field(name).value = measure[name] || "";
  }
  field("board_id").value = measure.board_id === null ? "" : String(measure.board_id);
  sources = { source_idea_ids: measure.source_idea_ids, source_cluster_id: measure.source_cluster_id };
  $("[data-run-measure-form-title]").textContent = R.edit_measure;
  $("[data-run-measure-cancel]").hidden = false;
  field("title").focus();
}

$("[data-run-measure-cancel]").addEventListener("click", resetMeasureForm);

measureForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const title = field("title").value.trim();
  if (!title) {
    showError("measure", R.title_missing);
    field("title").setAttribute("aria-invalid", "true");
    field("title").focus();
    return;
  }
  field("title").removeAttribute("aria-invalid");
  const payload = {
    title,
    description: field("description").value.trim(),
    thematic_field: field("thematic_field").value.trim(),
    responsible: field("responsible").value.trim(),
    partners: field("partners").value.trim(),
    horizon: field("horizon").value,
    due_date: field("due_date").value,
    status: field("status").value,
    indicator: field("indicator").value.trim(),
    cost: field("cost").value.trim(),
    board_id: field("board_id").value ? Number(field("board_id").value) : null,
    ...sources,
  };
  if (editing !== null) payload.measure_id = editing;
  const answer = await act("measure", "save_measure", payload);
  if (answer.ok) {
    resetMeasureForm();
    announce(fill(R.measure_saved, { title }));
  }
});

$("[data-run-measures-project]").addEventListener("click", () => project("measures", "measure"));

export function renderMeasures() {
  const measures = live.activeMeasures();
  $("[data-run-measure-count]").textContent = measures.length ? `(${measures.length})` : "";
  $("[data-run-measures-empty]").hidden = measures.length > 0;
  if (!changed("measures", measures.map((m) => [m.id, m.seq, live.boards.get(m.board_id)?.title,
    live.clusters.get(m.source_cluster_id)?.heading]))) return;
  replaceKeepingFocus($("[data-run-measures]"), measures.map(measureItem));
}

function measureItem(measure) {
  const item = el("li", { class: "run-measure", "data-run-measure-id": measure.id });
  item.append(el("h4", { dir: "auto" }, measure.title));
  if (measure.description) item.append(el("p", { dir: "auto", class: "run-measure-text" }, measure.description));
  const cluster = live.clusters.get(measure.source_cluster_id);
  const facts = [measure.thematic_field,
    measure.responsible ? fill(R.responsible, { who: measure.responsible }) : null,
    measure.partners ? fill(R.partners, { who: measure.partners }) : null,
    R.horizons[measure.horizon] || null,
    cluster ? fill(R.from_cluster, { text: cluster.heading }) : null,
    !cluster && measure.source_idea_ids.length ? countText(R.from_cards, measure.source_idea_ids.length) : null,
  ].filter(Boolean);
  item.append(el("p", { class: "small", dir: "auto" }, facts.join(" · ")));
  const buttons = el("div", { class: "run-buttons" });
  const edit = el("button", { type: "button", class: "button-small", "aria-label": `${R.edit}: ${measure.title}`,
    "data-focus-key": `measure-edit-${measure.id}` }, R.edit);
  edit.addEventListener("click", () => editMeasure(live.measures.get(measure.id)));
  const remove = el("button", { type: "button", class: "button-small button-danger",
    "aria-label": `${R.delete}: ${measure.title}`, "data-focus-key": `measure-delete-${measure.id}` }, R.delete);
  remove.addEventListener("click", async () => {
    if (!window.confirm(fill(R.delete_confirm, { title: measure.title }))) return;
    const answer = await act("measure", "delete_measure", { measure_id: measure.id });
    if (answer.ok && editing === measure.id) resetMeasureForm();
  });
  buttons.append(edit, remove);
  item.append(buttons);
  return item;
}

