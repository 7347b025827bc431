// The console's "run the workshop" panel: phases, timer, projector, dot voting, consent check,
// impact/effort matrix and measures. What it shows comes from the live state; each control sends
// one facilitator action and shows the server's refusal beside it. Parts are updated in place
// (tallies arrive twice a second while a hall votes), so focus and half-typed forms survive.
import { countdown, el, fill } from "./live.js";
import { live, request } from "./console_state.js";
import {
  consentMean, finalOrder, formatMean, newestFirst, percent, quadrant, rankText, readTexts,
  replaceKeepingFocus, scopeText,
} from "./prioritise.js";

const R = readTexts("run-data");
const panel = document.querySelector("[data-run-panel]");
const $ = (selector, root = panel) => root.querySelector(selector);
const $$ = (selector, root = panel) => [...root.querySelectorAll(selector)];
const PHASES = ["collect", "cluster", "prioritise", "results"];
const MAX_CONSENT_OPTIONS = 8;
const memo = new Map();

// True when `value` differs from what `key` showed last time (skips needless rebuilds).
function changed(key, value) {
  const text = JSON.stringify(value);
  if (memo.get(key) === text) return false;
  memo.set(key, text);
  return true;
}

function announce(message) {
  const region = $("[data-run-announcer]");
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

function showError(name, message) {
  const node = typeof name === "string" ? $(`[data-run-error="${name}"]`) : name;
  if (node) node.textContent = message || "";
}

// Send a facilitator action; its refusal (or a lost connection) is shown at `errorTarget`.
async function act(errorTarget, event, payload) {
  const answer = await request(event, payload);
  showError(errorTarget, answer.ok ? "" : (answer.message || R.offline));
  // Undoable actions (matrix, measures) answer with the history: the undo bar shows it.
  if (answer.ok && answer.history) {
    document.dispatchEvent(new CustomEvent("facilitator:history", { detail: answer.history }));
  }
  return answer;
}

// Keyed children: a node per item made once, updated in place, moved only when out of order.
function keyed(container, cache, items, create, update) {
  const wanted = new Set();
  let index = 0;
  for (const item of items) {
    const key = String(item.id);
    wanted.add(key);
    let node = cache.get(key);
    if (!node) {
      node = create(item);
      cache.set(key, node);
    }
    update(node, item);
    if (container.children[index] !== node) container.insertBefore(node, container.children[index] || null);
    index += 1;
  }
  for (const [key, node] of cache) {
    if (!wanted.has(key)) {
      node.remove();
      cache.delete(key);
    }
  }
}

function roundTitle(round) {
  return round.question || (round.kind === "consent" ? R.consent_untitled : R.round_untitled);
}

// --- Phases -------------------------------------------------------------------------------------

function renderPhases() {
  const boards = live.orderedBoards();
  const shared = boards.length && boards.every((b) => b.phase === boards[0].phase) ? boards[0].phase : null;
  if (!changed("phases", [boards.map((b) => [b.id, b.title, b.phase]), shared])) return;
  const rows = [phaseRow(null, R.all_boards, shared),
    ...boards.map((board) => phaseRow(board.id, board.title, board.phase))];
  replaceKeepingFocus($("[data-run-phases]"), rows);
}

function phaseRow(boardId, title, current) {
  const row = el("tr", { class: boardId === null ? "run-phase-all" : null, "data-run-phase-board": boardId ?? "all" });
  row.append(el("th", { scope: "row", dir: "auto" }, title));
  const cell = el("td");
  const steps = el("div", { class: "run-steps", role: "group", "aria-label": title });
  for (const phase of PHASES) {
    const label = boardId === null ? fill(R.all_label, { phase: R.phases[phase] })
      : fill(R.phase_label, { board: title, phase: R.phases[phase] });
    const button = el("button", {
      type: "button", class: "run-step", "aria-pressed": String(phase === current),
      title: label, "data-phase": phase, "data-focus-key": `phase-${boardId ?? "all"}-${phase}`,
    }, R.phases[phase]);
    button.addEventListener("click", () => act("phases", "set_phase",
      { board_ids: boardId === null ? [] : [boardId], phase }));
    steps.append(button);
  }
  cell.append(steps);
  row.append(cell);
  return row;
}

// --- Timer --------------------------------------------------------------------------------------

const timerValue = $("[data-run-timer]");
const showTimer = countdown(timerValue, { paused: R.paused });
let shownTimer = null;

function renderTimer() {
  const timer = live.workshop.timer;
  // Only a new timer state restarts the countdown: re-applying an old one would turn it back.
  if (!timer || timer === shownTimer) return;
  shownTimer = timer;
  showTimer(timer);
  $("[data-run-timer-none]").hidden = !timerValue.hidden;
  const set = timer.running || timer.remaining > 0;
  const buttons = Object.fromEntries($$("[data-run-timer-action]").map((b) =>
    [b.dataset.runTimerAction + (b.dataset.seconds || ""), b]));
  buttons.pause.disabled = !timer.running;
  buttons.resume.disabled = timer.running || !timer.remaining;
  buttons.extend60.disabled = buttons.extend300.disabled = !set;
  buttons.stop.disabled = !set;
}

$("[data-run-timer-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const minutes = Number($("[data-run-minutes]").value);
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > 240) {
    showError("timer", R.minutes_invalid);
    $("[data-run-minutes]").focus();
    return;
  }
  act("timer", "set_timer", { action: "start", seconds: Math.round(minutes * 60) });
});
for (const button of $$("[data-run-timer-action]")) {
  button.addEventListener("click", () => {
    const action = button.dataset.runTimerAction;
    if (action === "resume") act("timer", "set_timer", { action: "start" });
    else if (action === "extend") act("timer", "set_timer", { action, seconds: Number(button.dataset.seconds) });
    else act("timer", "set_timer", { action });
  });
}

// --- Projector ----------------------------------------------------------------------------------

function projectorValue(view, targetId) {
  return view === "round" || view === "matrix" ? `${view}:${targetId}` : view;
}

function viewText(value) {
  const [view, id] = value.split(":");
  if (view === "round") {
    const round = live.rounds.get(Number(id));
    return round ? fill(R.view_round, { question: roundTitle(round) }) : "";
  }
  if (view === "matrix") {
    const board = live.boards.get(Number(id));
    return board ? fill(R.view_matrix, { board: board.title }) : "";
  }
  return view === "measures" ? R.view_measures : R.view_boards;
}

function renderProjector() {
  const current = projectorValue(live.workshop.projector_view || "boards", live.workshop.projector_target_id);
  const rounds = newestFirst(live.rounds.values());
  const boards = live.orderedBoards();
  $("[data-run-projector-now]").textContent = viewText(current);
  if (changed("projector-options", [current, rounds.map((r) => [r.id, roundTitle(r)]),
    boards.map((b) => [b.id, b.title])])) {
    const select = $("[data-run-projector-view]");
    const keep = select.dataset.touched ? select.value : current;
    const options = [el("option", { value: "boards" }, R.view_boards)];
    if (rounds.length) {
      const group = el("optgroup", { label: R.group_rounds });
      group.append(...rounds.map((r) => el("option", { value: `round:${r.id}` }, viewText(`round:${r.id}`))));
      options.push(group);
    }
    const matrices = el("optgroup", { label: R.group_matrices });
    matrices.append(...boards.map((b) => el("option", { value: `matrix:${b.id}` }, viewText(`matrix:${b.id}`))));
    options.push(matrices, el("option", { value: "measures" }, R.view_measures));
    select.replaceChildren(...options);
    select.value = [...select.options].some((o) => o.value === keep) ? keep : current;
  }
  for (const button of $$("[data-run-project-round]")) {
    const on = current === `round:${button.dataset.runProjectRound}`;
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? R.projected : R.project;
  }
  const matrixButton = $("[data-run-matrix-project]");
  matrixButton.setAttribute("aria-pressed", String(current === `matrix:${matrixBoardId}`));
  $("[data-run-measures-project]").setAttribute("aria-pressed", String(current === "measures"));
}

function project(value, errorTarget = "projector") {
  const [view, id] = value.split(":");
  const payload = { view };
  if (id) payload.target_id = Number(id);
  return act(errorTarget, "set_projector", payload);
}

$("[data-run-projector-view]").addEventListener("change", (event) => { event.target.dataset.touched = "1"; });
$("[data-run-projector-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const select = $("[data-run-projector-view]");
  const answer = await project(select.value);
  if (answer.ok) delete select.dataset.touched;
});

// --- Tabs (the WAI-ARIA tabs pattern: arrow keys move between tabs) ------------------------------

const tabs = $$("[data-run-tab]");

function selectTab(name, focus = false) {
  for (const tab of tabs) {
    const on = tab.dataset.runTab === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    if (on && focus) tab.focus();
  }
  for (const tabpanel of $$("[data-run-tabpanel]")) tabpanel.hidden = tabpanel.dataset.runTabpanel !== name;
  sessionStorage.setItem("facilitator.run-tab", name);
}

for (const [index, tab] of tabs.entries()) {
  tab.addEventListener("click", () => selectTab(tab.dataset.runTab));
  tab.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    selectTab(tabs[(moves[event.key] + tabs.length) % tabs.length].dataset.runTab, true);
  });
}
selectTab(sessionStorage.getItem("facilitator.run-tab") || "dots");

// --- Opening rounds -----------------------------------------------------------------------------

const dotsForm = $("[data-run-dots-form]");
const consentForm = $("[data-run-consent-form]");
const picked = new Map([[dotsForm, null], [consentForm, null]]);

function scopeOf(form) {
  const whole = $("[data-run-scope]:checked", form).value === "all";
  return whole ? [] : $$("[data-run-board-pick]:checked", form).map((box) => Number(box.value));
}

function renderBoardPicks() {
  const boards = live.orderedBoards();
  if (!changed("picks", boards.map((b) => [b.id, b.title]))) return;
  for (const form of [dotsForm, consentForm]) {
    const chosen = picked.get(form) ?? new Set(boards.slice(0, 1).map((b) => b.id));
    picked.set(form, chosen);
    const whole = $("[data-run-scope]:checked", form).value === "all";
    const prefix = form === dotsForm ? "dots" : "consent";
    const boxes = boards.map((board) => {
      const label = el("label", { class: "run-check" });
      const box = el("input", { type: "checkbox", value: board.id, "data-run-board-pick": "",
        "data-focus-key": `${prefix}-pick-${board.id}`, disabled: whole });
      box.checked = chosen.has(board.id);
      box.addEventListener("change", () => {
        if (box.checked) chosen.add(board.id);
        else chosen.delete(board.id);
        updateSuggestion();
      });
      label.append(box, " ", el("bdi", {}, board.title));
      return label;
    });
    replaceKeepingFocus($("[data-run-board-picks]", form), boxes);
  }
}

for (const form of [dotsForm, consentForm]) {
  for (const radio of $$("[data-run-scope]", form)) {
    radio.addEventListener("change", () => {
      const whole = $("[data-run-scope]:checked", form).value === "all";
      for (const box of $$("[data-run-board-pick]", form)) box.disabled = whole;
      updateSuggestion();
    });
  }
}

function optionCount(kind, boardIds) {
  const inScope = (boardId) => boardIds.length === 0 || boardIds.includes(boardId);
  if (kind === "idea") {
    return [...live.ideas.values()].filter((i) => i.state === "visible" && inScope(i.board_id)).length;
  }
  if (kind === "cluster") {
    return [...live.clusters.values()].filter((c) => c.state === "active" && inScope(c.board_id)).length;
  }
  return live.activeMeasures().filter((m) => inScope(m.board_id)).length;
}

const budget = $("[data-run-field=dots_per_person]", dotsForm);
const cap = $("[data-run-field=max_per_item]", dotsForm);
let suggested = 3;

function updateSuggestion() {
  const kind = $("[data-run-target-kind]:checked", dotsForm).value;
  const count = optionCount(kind, scopeOf(dotsForm));
  suggested = Math.max(1, Math.round(count / 3));
  $("[data-run-option-count]", dotsForm).textContent = fill(R.options_count, { count });
  $("[data-run-suggestion]", dotsForm).textContent = fill(R.suggestion, { budget: suggested, count });
  if (!budget.dataset.touched && document.activeElement !== budget) setBudget(suggested);
}

function setBudget(value) {
  budget.value = value;
  if (!cap.dataset.touched || Number(cap.value) > value) cap.value = value;
  cap.max = value;
}

budget.addEventListener("input", () => {
  budget.dataset.touched = "1";
  const value = Number(budget.value);
  if (value >= 1) {
    cap.max = value;
    if (!cap.dataset.touched || Number(cap.value) > value) cap.value = value;
  }
});
cap.addEventListener("input", () => { cap.dataset.touched = "1"; });
$("[data-run-use-suggestion]", dotsForm).addEventListener("click", () => {
  delete budget.dataset.touched;
  setBudget(suggested);
  budget.focus();
});
for (const radio of $$("[data-run-target-kind]", dotsForm)) radio.addEventListener("change", updateSuggestion);

async function openRound(form, errorName, payload) {
  const answer = await act(errorName, "open_round", payload);
  if (!answer.ok) return answer;
  if ($("[data-run-move-phase]", form).checked) {
    await act(errorName, "set_phase", { board_ids: payload.board_ids, phase: "prioritise" });
  }
  announce(roundTitle(payload));
  return answer;
}

dotsForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const boardIds = scopeOf(dotsForm);
  const kind = $("[data-run-target-kind]:checked", dotsForm).value;
  const dots = Number(budget.value);
  const perItem = Number(cap.value);
  const whole = $("[data-run-scope]:checked", dotsForm).value === "all";
  const problem = !whole && !boardIds.length ? R.pick_board
    : optionCount(kind, boardIds) === 0 ? R.no_options
      : !Number.isInteger(dots) || dots < 1 || dots > 50 ? R.budget_invalid
        : !Number.isInteger(perItem) || perItem < 1 || perItem > dots ? R.cap_invalid : null;
  if (problem) {
    showError("dots", problem);
    return;
  }
  const answer = await openRound(dotsForm, "dots", {
    kind: "dots", target_kind: kind, board_ids: boardIds,
    question: $("[data-run-field=question]", dotsForm).value.trim(),
    dots_per_person: dots, max_per_item: perItem,
    allow_own: $("[data-run-own]:checked", dotsForm).value === "yes",
    tallies_visible: $("[data-run-tallies]:checked", dotsForm).value === "visible",
  });
  if (answer.ok) {
    delete budget.dataset.touched;
    delete cap.dataset.touched;
  }
});

// Consent options: the passive one is its own field; the others can be added and removed.
const optionList = $("[data-run-options]", consentForm);

function renumberOptions() {
  const items = [...optionList.children];
  items.forEach((item, index) => {
    const number = index + 2;
    const input = $("input", item);
    input.id = `run-consent-option-${index}`;
    const label = $("label", item);
    label.htmlFor = input.id;
    label.textContent = fill(R.option_label, { number });
    const remove = $("button", item);
    remove.setAttribute("aria-label", `${R.remove}: ${fill(R.option_label, { number })}`);
    remove.disabled = items.length <= 1;
  });
  $("[data-run-add-option]", consentForm).disabled = items.length >= MAX_CONSENT_OPTIONS;
}

function addOption(value = "") {
  const item = el("li", { class: "run-option" });
  const input = el("input", { type: "text", maxlength: 200, dir: "auto", "data-run-option": "" });
  input.value = value;
  const remove = el("button", { type: "button", class: "button-small" }, R.remove);
  remove.addEventListener("click", () => {
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    renumberOptions();
    $("input", next)?.focus();
  });
  item.append(el("label"), input, remove);
  optionList.append(item);
  renumberOptions();
  return input;
}

function resetOptions() {
  optionList.replaceChildren();
  addOption();
  addOption();
}

$("[data-run-add-option]", consentForm).addEventListener("click", () => addOption().focus());
resetOptions();

consentForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const boardIds = scopeOf(consentForm);
  const whole = $("[data-run-scope]:checked", consentForm).value === "all";
  const options = $$("[data-run-option]", consentForm).map((input) => input.value.trim()).filter(Boolean);
  const passive = $("[data-run-passive]", consentForm);
  if (!whole && !boardIds.length) {
    showError("consent", R.pick_board);
    return;
  }
  if (!options.length) {
    showError("consent", R.consent_needs_option);
    $("[data-run-option]", consentForm)?.focus();
    return;
  }
  const answer = await openRound(consentForm, "consent", {
    kind: "consent", board_ids: boardIds,
    question: $("[data-run-field=question]", consentForm).value.trim(),
    options, passive_option: passive.value.trim() || passive.defaultValue,
  });
  if (answer.ok) {
    resetOptions();
    $("[data-run-field=question]", consentForm).value = "";
  }
});

// --- Rounds: live count, close, reveal, results, final order -------------------------------------

const roundCards = new Map();
const roundCaches = { dots: new Map(), consent: new Map() };

function renderRounds(kind) {
  const container = $(`[data-run-rounds="${kind}"]`);
  const rounds = newestFirst([...live.rounds.values()].filter((round) => round.kind === kind));
  $(`[data-run-rounds-empty="${kind}"]`).hidden = rounds.length > 0;
  keyed(container, roundCaches[kind], rounds, createRoundCard, updateRoundCard);
}

function createRoundCard(round) {
  const node = el("article", { class: "run-round", "data-run-round": round.id, "aria-labelledby": `run-round-${round.id}` });
  const header = el("header");
  header.append(el("h4", { id: `run-round-${round.id}`, dir: "auto", "data-part": "title" }),
    el("p", { class: "small", "data-part": "meta" }),
    el("p", { class: "run-round-state" }));
  $(".run-round-state", header).append(el("span", { class: "run-badge", "data-part": "state" }), " ",
    el("strong", { "data-part": "voters" }));
  const buttons = el("div", { class: "run-buttons" });
  const toggle = el("button", { type: "button", class: "button-small", "data-part": "toggle" });
  toggle.addEventListener("click", () => {
    const current = live.rounds.get(round.id);
    act(errorOf(node), "update_round", { round_id: round.id,
      settings: { state: current.state === "open" ? "closed" : "open" } });
  });
  const reveal = el("button", { type: "button", class: "button-small", "data-part": "reveal" });
  reveal.addEventListener("click", () => {
    const current = live.rounds.get(round.id);
    act(errorOf(node), "update_round", { round_id: round.id, settings: { revealed: !current.revealed } });
  });
  buttons.append(toggle, reveal);
  if (round.kind === "dots") {
    const label = el("label", { class: "run-check" });
    const box = el("input", { type: "checkbox", "data-part": "tallies" });
    box.addEventListener("change", () => act(errorOf(node), "update_round",
      { round_id: round.id, settings: { tallies_visible: box.checked } }));
    label.append(box, " ", R.tallies_toggle);
    buttons.append(label);
  }
  const projectButton = el("button", { type: "button", class: "button-small", "aria-pressed": "false",
    "data-run-project-round": round.id }, R.project);
  projectButton.addEventListener("click", () => project(`round:${round.id}`, errorOf(node)));
  buttons.append(projectButton);
  const results = el("details", { class: "run-results" });
  results.append(el("summary", { "data-part": "results-summary" }), el("div", { "data-part": "results" }));
  node.append(header, buttons, el("p", { class: "error", role: "alert", "data-part": "error" }), results);
  if (round.kind === "dots") node.append(createFinalOrder(round, node));
  roundCards.set(round.id, { node, revealed: null, draft: null });
  return node;
}

function errorOf(node) {
  return $("[data-part=error]", node);
}

function updateRoundCard(node, round) {
  const card = roundCards.get(round.id);
  const part = (name) => $(`[data-part="${name}"]`, node);
  part("title").textContent = roundTitle(round);
  const meta = [scopeText(live, round, R.whole_workshop)];
  if (round.kind === "dots") {
    meta.push(R[`kind_${round.target_kind}`],
      fill(R.round_rules, { dots: round.dots_per_person, cap: round.max_per_item }),
      round.allow_own ? R.own_allowed : R.own_forbidden,
      round.tallies_visible ? R.tallies_visible : R.tallies_hidden);
  }
  part("meta").textContent = meta.join(" · ");
  const state = part("state");
  state.textContent = [round.state === "open" ? R.state_open : R.state_closed,
    round.revealed ? R.state_revealed : null].filter(Boolean).join(" · ");
  state.dataset.state = round.state;
  part("voters").textContent = fill(round.kind === "dots" ? R.voted : R.answered,
    { voters: round.voters, eligible: round.eligible });
  part("toggle").textContent = round.state === "open" ? R.close : R.reopen;
  part("reveal").textContent = round.revealed ? R.unreveal : R.reveal;
  if (round.kind === "dots") part("tallies").checked = round.tallies_visible;
  part("results-summary").textContent = round.revealed ? R.results_shown : R.results_hidden;
  const details = $(".run-results", node);
  if (card.revealed !== round.revealed) {
    details.open = round.revealed;
    card.revealed = round.revealed;
  }
  if (changed(`results-${round.id}`, [round.results, round.final_order])) {
    part("results").replaceChildren(round.kind === "dots" ? dotsTable(round) : consentTable(round));
  }
  if (round.kind === "dots") updateFinalOrder(round, node);
}

function bar(value, max, text) {
  const cell = el("td");
  const wrap = el("div", { class: "run-bar-cell" });
  const track = el("span", { class: "run-bar", "aria-hidden": "true" });
  const fillBar = el("span", { class: "run-bar-fill" });
  fillBar.style.inlineSize = `${max ? (100 * value) / max : 0}%`;
  track.append(fillBar);
  wrap.append(el("span", { class: "run-bar-value" }, text), track);
  cell.append(wrap);
  return cell;
}

function rankCell(row) {
  const cell = el("td", { class: "run-rank" }, rankText(row));
  if (row.tie) cell.append(" ", el("span", { class: "run-tie" }, R.tie));
  return cell;
}

function dotsTable(round) {
  const rows = round.results || [];
  if (!rows.length || rows.every((row) => row.score === 0)) return el("p", { class: "empty" }, R.no_results);
  const finals = round.final_order || [];
  const table = el("table", { class: "table run-table" });
  const head = el("tr");
  for (const text of [R.col_rank, R.col_item, R.col_dots, R.col_final]) head.append(el("th", { scope: "col" }, text));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  const max = Math.max(...rows.map((row) => row.score));
  for (const row of rows) {
    const tr = el("tr", { "data-run-result": row.id });
    const position = finals.indexOf(row.id);
    tr.append(rankCell(row), el("td", { dir: "auto" }, row.label), bar(row.score, max, String(row.score)),
      el("td", {}, position === -1 ? "" : String(position + 1)));
    table.tBodies[0].append(tr);
  }
  return table;
}

function consentTable(round) {
  const rows = round.results || [];
  if (!rows.length || rows.every((row) => row.answers === 0)) return el("p", { class: "empty" }, R.no_results);
  const table = el("table", { class: "table run-table" });
  const head = el("tr");
  for (const text of [R.col_rank, R.col_option, R.col_total, R.col_mean, R.col_answers, R.col_distribution]) {
    head.append(el("th", { scope: "col" }, text));
  }
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  const max = Math.max(1, ...rows.map((row) => row.score));
  for (const row of rows) {
    const tr = el("tr", { "data-run-result": row.id });
    const label = el("td", { dir: "auto" }, row.label);
    if (row.passive) label.append(" ", el("span", { class: "run-tie" }, R.passive));
    tr.append(rankCell(row), label, bar(row.score, max, String(row.score)),
      el("td", {}, formatMean(consentMean(row))), el("td", {}, String(row.answers)),
      distributionCell(row.distribution || []));
    table.tBodies[0].append(tr);
  }
  return table;
}

function distributionCell(distribution) {
  const cell = el("td");
  const most = Math.max(1, ...distribution);
  const chart = el("span", { class: "run-histogram", "aria-hidden": "true" });
  distribution.forEach((count, value) => {
    const column = el("span", { class: "run-histogram-bar", title: fill(R.distribution_text, { value, count }) });
    column.style.blockSize = `${(100 * count) / most}%`;
    chart.append(column);
  });
  const text = distribution.map((count, value) => (count ? fill(R.distribution_text, { value, count }) : null))
    .filter(Boolean).join("; ");
  cell.append(chart, el("span", { class: "visually-hidden" }, text));
  return cell;
}

// The final order is edited as a draft here and saved at once; the votes stay as they were.
function createFinalOrder(round, node) {
  const details = el("details", { class: "run-final" });
  details.append(el("summary", {}, R.final_heading), el("p", { class: "small" }, R.final_hint),
    el("ol", { class: "run-final-list", "data-part": "final" }),
    el("p", { class: "small", role: "status", "data-part": "final-status" }));
  const buttons = el("div", { class: "run-buttons" });
  const save = el("button", { type: "button", class: "button-small button-primary", "data-part": "final-save" }, R.save_order);
  const reset = el("button", { type: "button", class: "button-small", "data-part": "final-reset" }, R.reset_order);
  const clear = el("button", { type: "button", class: "button-small", "data-part": "final-clear" }, R.clear_order);
  save.addEventListener("click", async () => {
    const card = roundCards.get(round.id);
    const current = live.rounds.get(round.id);
    const order = card.draft || finalOrder(current);
    const answer = await act(errorOf(node), "update_round", { round_id: round.id, settings: { final_order: order } });
    if (answer.ok) {
      card.draft = null;
      announce(R.order_saved);
    }
  });
  reset.addEventListener("click", () => {
    const current = live.rounds.get(round.id);
    roundCards.get(round.id).draft = (current.results || current.targets).map((row) => row.id);
    updateFinalOrder(current, node);
  });
  clear.addEventListener("click", async () => {
    const answer = await act(errorOf(node), "update_round", { round_id: round.id, settings: { final_order: [] } });
    if (answer.ok) roundCards.get(round.id).draft = null;
  });
  buttons.append(save, reset, clear);
  details.append(buttons);
  return details;
}

function updateFinalOrder(round, node) {
  const card = roundCards.get(round.id);
  const order = card.draft || finalOrder(round);
  const status = round.final_order.length ? R.final_set : "";
  $("[data-part=final-status]", node).textContent = card.draft ? R.order_unsaved : status;
  if (!changed(`final-${round.id}`, [order, round.targets, round.results])) return;
  const labels = new Map(round.targets.map((t) => [t.id, t.label]));
  const scores = new Map((round.results || []).map((row) => [row.id, row]));
  const list = $("[data-part=final]", node);
  const active = document.activeElement;
  const focusKey = list.contains(active) ? active.dataset.focusKey : null;
  const items = order.filter((id) => labels.has(id)).map((id, index, all) => {
    const label = labels.get(id);
    const item = el("li", { class: "run-final-item", "data-run-final": id });
    const score = scores.get(id);
    item.append(el("span", { dir: "auto", class: "run-final-label" }, label));
    if (score) item.append(el("span", { class: "small" }, ` · ${fill(R.dots_value, { count: score.score })} · ${R.col_rank} ${rankText(score)}`));
    // Names start with the visible text (WCAG 2.5.3), then say which item.
    const up = el("button", { type: "button", class: "button-small", "aria-label": `↑ ${R.up}: ${label}`,
      "data-focus-key": `final-${id}-up`, disabled: index === 0 }, `↑ ${R.up}`);
    const down = el("button", { type: "button", class: "button-small", "aria-label": `↓ ${R.down}: ${label}`,
      "data-focus-key": `final-${id}-down`, disabled: index === all.length - 1 }, `↓ ${R.down}`);
    up.addEventListener("click", () => moveFinal(round.id, id, -1, node));
    down.addEventListener("click", () => moveFinal(round.id, id, 1, node));
    item.append(el("span", { class: "run-final-buttons" }, null));
    item.lastChild.append(up, down);
    return item;
  });
  list.replaceChildren(...items);
  if (focusKey) {
    const target = list.querySelector(`[data-focus-key="${focusKey}"]`);
    const sibling = focusKey.endsWith("-up") ? focusKey.replace(/-up$/, "-down") : focusKey.replace(/-down$/, "-up");
    (target && !target.disabled ? target : list.querySelector(`[data-focus-key="${sibling}"]`))?.focus();
  }
}

function moveFinal(roundId, targetId, step, node) {
  const round = live.rounds.get(roundId);
  const card = roundCards.get(roundId);
  const order = [...(card.draft || finalOrder(round))];
  const index = order.indexOf(targetId);
  const to = index + step;
  if (index === -1 || to < 0 || to >= order.length) return;
  [order[index], order[to]] = [order[to], order[index]];
  card.draft = order;
  updateFinalOrder(round, node);
  const label = round.targets.find((t) => t.id === targetId)?.label ?? "";
  announce(fill(R.moved, { item: label, position: to + 1 }));
}

// --- Impact/effort matrix -----------------------------------------------------------------------

const matrix = $("[data-run-matrix]");
const chips = $("[data-run-matrix-chips]");
const chipCache = new Map();
const rowCache = new Map();
let matrixBoardId = null;
let picking = null;
const sendTimers = new Map();

const toScale = (value) => (value === null || value === undefined ? "" : String(Math.round(value * 10)));
const clamp = (value) => Math.min(1, Math.max(0, Math.round(value * 100) / 100));

function renderMatrixBoards() {
  const boards = live.orderedBoards();
  if (!boards.some((b) => b.id === matrixBoardId)) {
    matrixBoardId = (boards.find((b) => live.clustersOn(b.id).length) || boards[0])?.id ?? null;
  }
  if (changed("matrix-boards", [boards.map((b) => [b.id, b.title]), matrixBoardId])) {
    const select = $("[data-run-matrix-board]");
    select.replaceChildren(...boards.map((b) => el("option", { value: b.id }, b.title)));
    select.value = String(matrixBoardId);
  }
}

$("[data-run-matrix-board]").addEventListener("change", (event) => {
  matrixBoardId = Number(event.target.value);
  picking = null;
  renderMatrix();
});
$("[data-run-matrix-project]").addEventListener("click", () => {
  if (matrixBoardId !== null) project(`matrix:${matrixBoardId}`, "matrix");
});

function renderMatrix() {
  renderMatrixBoards();
  const board = live.boards.get(matrixBoardId);
  const clusters = board ? live.clustersOn(board.id) : [];
  $("[data-run-matrix-empty]").hidden = clusters.length > 0;
  $("[data-run-matrix-layout]").hidden = clusters.length === 0;
  if (board) matrix.setAttribute("aria-label", fill(R.matrix_label, { board: board.title }));
  matrix.dataset.picking = picking === null ? "" : "yes";
  keyed(chips, chipCache, clusters.filter((c) => c.matrix_x !== null && c.matrix_x !== undefined),
    createChip, updateChip);
  keyed($("[data-run-matrix-rows]"), rowCache, clusters, createMatrixRow, updateMatrixRow);
}

function positionOf(cluster) {
  const local = sendTimers.get(cluster.id);
  return local ? local.position : { x: cluster.matrix_x, y: cluster.matrix_y };
}

function chipLabel(cluster, { x, y }) {
  const where = quadrant(x, y);
  return fill(R.chip_label, { cluster: cluster.heading, x: toScale(x), y: toScale(y),
    quadrant: where ? R.quadrants[where] : R.not_placed });
}

function createChip(cluster) {
  const chip = el("button", { type: "button", class: "matrix-chip", "data-run-chip": cluster.id,
    "data-focus-key": `chip-${cluster.id}` });
  chip.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const current = live.clusters.get(cluster.id);
    const { x, y } = positionOf(current);
    const [dx, dy] = moves[event.key];
    placeSoon(current, { x: clamp(x + dx), y: clamp(y + dy) }, 500);
  });
  chip.addEventListener("pointerdown", (event) => startDrag(event, chip, cluster.id));
  return chip;
}

function updateChip(chip, cluster) {
  const position = positionOf(cluster);
  chip.className = `matrix-chip colour-${cluster.colour}`;
  chip.textContent = cluster.heading;
  chip.setAttribute("aria-label", chipLabel(cluster, position));
  if (!chip.dataset.dragging) placeChip(chip, position);
}

function placeChip(chip, { x, y }) {
  chip.style.insetInlineStart = percent(x);
  chip.style.insetBlockStart = percent(1 - y);
}

function pointToPosition(event) {
  const box = matrix.getBoundingClientRect();
  return { x: clamp((event.clientX - box.left) / box.width), y: clamp(1 - (event.clientY - box.top) / box.height) };
}

function startDrag(event, chip, clusterId) {
  if (event.button !== 0) return;
  const start = { x: event.clientX, y: event.clientY };
  let moved = false;
  chip.setPointerCapture(event.pointerId);
  const move = (e) => {
    if (!moved && Math.hypot(e.clientX - start.x, e.clientY - start.y) < 4) return;
    moved = true;
    chip.dataset.dragging = "yes";
    placeChip(chip, pointToPosition(e));
  };
  const end = (e) => {
    chip.removeEventListener("pointermove", move);
    chip.removeEventListener("pointerup", end);
    chip.removeEventListener("pointercancel", end);
    delete chip.dataset.dragging;
    if (moved && e.type === "pointerup") placeSoon(live.clusters.get(clusterId), pointToPosition(e), 0);
    else renderMatrix();
  };
  chip.addEventListener("pointermove", move);
  chip.addEventListener("pointerup", end);
  chip.addEventListener("pointercancel", end);
}

matrix.addEventListener("click", (event) => {
  if (picking === null || event.target.closest("[data-run-chip]")) return;
  const cluster = live.clusters.get(picking);
  picking = null;
  if (cluster) placeSoon(cluster, pointToPosition(event), 0);
});

// Show the new place at once; send it after a pause, so holding an arrow key stores one step.
function placeSoon(cluster, position, delay) {
  const pending = sendTimers.get(cluster.id);
  if (pending) clearTimeout(pending.timer);
  const timer = setTimeout(() => sendPlace(cluster.id, position), delay);
  sendTimers.set(cluster.id, { timer, position });
  renderMatrix();
  announce(fill(R.placed, { cluster: cluster.heading, x: toScale(position.x), y: toScale(position.y) }));
}

async function sendPlace(clusterId, position) {
  const answer = await act("matrix", "place_on_matrix",
    { cluster_id: clusterId, x: position.x, y: position.y });
  const pending = sendTimers.get(clusterId);
  if (pending && pending.position === position) sendTimers.delete(clusterId);
  const cluster = live.clusters.get(clusterId);
  // The broadcast follows; showing the stored place now keeps the chip from jumping back.
  if (answer.ok && cluster) live.apply({ clusters: [{ ...cluster, matrix_x: position.x, matrix_y: position.y }] });
  renderMatrix();
}

async function takeOff(clusterId) {
  sendTimers.delete(clusterId);
  await act("matrix", "place_on_matrix", { cluster_id: clusterId, x: null, y: null });
}

function createMatrixRow(cluster) {
  const row = el("tr", { "data-run-matrix-row": cluster.id });
  const effort = el("input", { type: "number", min: 0, max: 10, step: 1, inputmode: "numeric",
    class: "run-scale-input", "data-axis": "x", "data-focus-key": `x-${cluster.id}` });
  const impact = el("input", { type: "number", min: 0, max: 10, step: 1, inputmode: "numeric",
    class: "run-scale-input", "data-axis": "y", "data-focus-key": `y-${cluster.id}` });
  for (const input of [effort, impact]) {
    // Placed once both numbers are there: filling in the other one meanwhile would put a digit
    // into the field the person is about to type in.
    input.addEventListener("change", () => {
      if (effort.value === "" || impact.value === "") return;
      const value = (text) => Math.min(10, Math.max(0, Math.round(Number(text)))) / 10;
      placeSoon(live.clusters.get(cluster.id), { x: value(effort.value), y: value(impact.value) }, 0);
    });
  }
  const pick = el("button", { type: "button", class: "button-small", "aria-pressed": "false", "data-part": "pick" }, R.pick);
  pick.addEventListener("click", () => {
    picking = picking === cluster.id ? null : cluster.id;
    renderMatrix();
    if (picking !== null) announce(fill(R.picked, { cluster: live.clusters.get(cluster.id).heading }));
  });
  const off = el("button", { type: "button", class: "button-small", "data-part": "off" }, R.take_off);
  off.addEventListener("click", () => takeOff(cluster.id));
  const actions = el("td", { class: "run-buttons" });
  actions.append(pick, off);
  row.append(el("th", { scope: "row", dir: "auto" }), el("td"), el("td"), el("td", { "data-part": "quadrant" }), actions);
  row.children[1].append(effort);
  row.children[2].append(impact);
  return row;
}

function updateMatrixRow(row, cluster) {
  const position = positionOf(cluster);
  row.children[0].textContent = cluster.heading;
  for (const input of $$("input", row)) {
    input.setAttribute("aria-label", fill(input.dataset.axis === "x" ? R.effort_label : R.impact_label, { cluster: cluster.heading }));
    // Only a changed place overwrites the field, so a number typed but not yet sent stays.
    const stored = toScale(position[input.dataset.axis]);
    if (input.dataset.stored !== stored && document.activeElement !== input) {
      input.value = stored;
      input.dataset.stored = stored;
    }
  }
  const where = quadrant(position.x, position.y);
  $("[data-part=quadrant]", row).textContent = where ? R.quadrants[where] : R.not_placed;
  const pick = $("[data-part=pick]", row);
  pick.setAttribute("aria-pressed", String(picking === cluster.id));
  pick.setAttribute("aria-label", `${R.pick}: ${cluster.heading}`);
  const off = $("[data-part=off]", row);
  off.setAttribute("aria-label", `${R.take_off}: ${cluster.heading}`);
  off.disabled = where === null;
}

// --- Measures -----------------------------------------------------------------------------------

const measureForm = $("[data-run-measure-form]");
const field = (name) => $(`[data-run-measure="${name}"]`, measureForm);
let editing = null;  // id of the measure being edited, null for a new one
let sources = { source_idea_ids: [], source_cluster_id: null };

function renderMeasureChoices() {
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
    $("[data-run-measure-origin]").textContent = fill(R.origin_cluster, { text: item.heading, count: cards.length });
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
  for (const name of ["title", "description", "thematic_field", "responsible", "partners", "horizon"]) {
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

function renderMeasures() {
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
    !cluster && measure.source_idea_ids.length ? fill(R.from_cards, { count: measure.source_idea_ids.length }) : null,
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

// --- Everything, on every change ----------------------------------------------------------------

function render() {
  if (!live.workshop) return;
  renderPhases();
  renderTimer();
  renderBoardPicks();
  updateSuggestion();
  renderRounds("dots");
  renderRounds("consent");
  renderMatrix();
  renderMeasureChoices();
  renderMeasures();
  renderProjector();
}

live.addEventListener("change", render);
render();
