// Opening a round: the dot-voting and consent-check forms, with the boards they open on. Nothing
// is ticked that the facilitator did not tick, and the boards chosen are said in words beside
// the button (blocker 5 of issue 7: a hidden pre-ticked first board went into every round).
import { el, fill } from "./live.js";
import { live } from "./console_state.js";
import { $, $$, R, announce, roundTitle, runAct as act, showError } from "./console_panel.js";
import { changeTracker } from "./dom.js";
import { replaceKeepingFocus } from "./prioritise.js";

const MAX_CONSENT_OPTIONS = 8;
const changed = changeTracker();

const dotsForm = $("[data-run-dots-form]");
const consentForm = $("[data-run-consent-form]");
const picked = new Map([[dotsForm, null], [consentForm, null]]);

function scopeOf(form) {
  const whole = $("[data-run-scope]:checked", form).value === "all";
  return whole ? [] : $$("[data-run-board-pick]:checked", form).map((box) => Number(box.value));
}

export function renderBoardPicks() {
  const boards = live.orderedBoards();
  if (!changed("picks", boards.map((b) => [b.id, b.title]))) return;
  for (const form of [dotsForm, consentForm]) {
    // Nothing is ticked that the facilitator did not tick (blocker 5: a hidden first board
    // went into every round); a board that is gone drops out of the choice.
    const chosen = picked.get(form) ?? new Set();
    for (const id of chosen) if (!boards.some((b) => b.id === id)) chosen.delete(id);
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
        showScope(form);
      });
      label.append(box, " ", el("bdi", {}, board.title));
      return label;
    });
    replaceKeepingFocus($("[data-run-board-picks]", form), boxes);
    showScope(form);
  }
}

// Said in words beside the button: the boards the round will open on, always the ones ticked.
function showScope(form) {
  const whole = $("[data-run-scope]:checked", form).value === "all";
  const titles = scopeOf(form).map((id) => live.boards.get(id)?.title).filter(Boolean);
  $("[data-run-scope-summary]", form).textContent = whole ? R.opens_on_all
    : titles.length ? fill(R.opens_on, { boards: titles.join(", ") }) : R.pick_board;
}

for (const form of [dotsForm, consentForm]) {
  for (const radio of $$("[data-run-scope]", form)) {
    radio.addEventListener("change", () => {
      const whole = $("[data-run-scope]:checked", form).value === "all";
      for (const box of $$("[data-run-board-pick]", form)) box.disabled = whole;
      updateSuggestion();
      showScope(form);
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

export function updateSuggestion() {
  const kind = $("[data-run-target-kind]:checked", dotsForm).value;
  const whole = $("[data-run-scope]:checked", dotsForm).value === "all";
  const boardIds = scopeOf(dotsForm);
  // No board ticked yet: nothing to vote on (an empty list of boards means the whole workshop).
  const count = whole || boardIds.length ? optionCount(kind, boardIds) : 0;
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
    // Phones at every table vote on this board's items (a plenary round on one table's themes).
    whole_room: Boolean($("[data-run-field=whole_room]", dotsForm)?.checked),
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

