// The phone's part in running the workshop: the board's phase, the timer, dot voting and the
// consent check in "prioritise", the revealed ranking in "results". participant.js keeps the
// composer and the cards; both share one live connection (participant_state.js).
import { countdown, el, fill } from "./live.js";
import { data, live } from "./participant_state.js";
import { showBilingual } from "./content_language.js";
import { countText } from "./plural.js";
import { consentMean, formatMean, newClientId, rankText, readTexts } from "./prioritise.js";

const V = readTexts("vote-data");
// Consent values chosen with the arrow keys wait this long for the next press before saving.
const KEYBOARD_SETTLE_MS = 800;
const settling = new Map();
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const PHASES = ["collect", "cluster", "prioritise", "results"];
const area = $("[data-vote-area]");
const roundsBox = $("[data-vote-rounds]");
const timerValue = $("[data-vote-timer]");
const showTimer = countdown(timerValue, { paused: V.paused });
const cards = new Map();  // round id → its article, updated in place
const errors = new Map();  // "round:target" → the server's last refusal, shown at that item
let shownTimer = null;

function mine(roundId) {
  return live.myVotes[roundId] || live.myVotes[String(roundId)] || {};
}

function used(roundId) {
  return Object.values(mine(roundId)).reduce((sum, count) => sum + count, 0);
}

// --- Phase and timer ----------------------------------------------------------------------------

function renderStatus(board) {
  // A progress bar of the four steps (decoration: the sentence above says the same).
  const steps = $("[data-vote-steps]");
  if (!steps.children.length) steps.append(...PHASES.map(() => el("span")));
  const current = PHASES.indexOf(board.phase);
  [...steps.children].forEach((step, index) => { step.dataset.done = String(index <= current); });
  $("[data-vote-phase]").textContent = fill(V.phase_now, {
    step: current + 1, total: PHASES.length, phase: V.phases[board.phase] });
  // While collecting, the composer's own hint says what to do.
  const hint = $("[data-vote-hint]");
  hint.textContent = V.hints[board.phase] || "";
  hint.hidden = board.phase === "collect";
  const timer = live.workshop?.timer;
  // Only a new timer state restarts the countdown: an old one re-applied would turn it back.
  if (timer && timer !== shownTimer) {
    shownTimer = timer;
    showTimer(timer);
    $("[data-vote-timer-row]").hidden = timerValue.hidden;
  }
}

// --- Rounds -------------------------------------------------------------------------------------

// A plenary round (the whole workshop, or one board's round opened to the whole room) reaches
// the phone at any table and, while open, in any phase: nobody has to change table to vote.
function plenary(round) {
  return round.whole_room || round.board_ids.length === 0;
}

function roundsHere() {
  return [...live.rounds.values()].filter((round) =>
    round.whole_room || round.board_ids.length === 0 || round.board_ids.includes(data.board_id));
}

// How a round shows: its results only once the table is in "results" and voting has ended.
function viewOf(round, board) {
  return board.phase === "results" && !(plenary(round) && round.state === "open") ? "results" : "vote";
}

function render() {
  const board = live.boards.get(data.board_id);
  if (!board || !live.workshop) return;
  renderStatus(board);
  const rounds = roundsHere().sort((a, b) => b.id - a.id);
  // In "prioritise" the open rounds (and any revealed while the phase lasts); in "results" the
  // revealed ones. Before that, only open plenary rounds: people write and cluster first.
  // A round just closed stays (saying so) until the next one opens.
  const newest = rounds[0]?.id;
  const byPhase = board.phase === "prioritise"
    ? rounds.filter((r) => r.state === "open" || r.revealed || r.id === newest)
    : board.phase === "results" ? rounds.filter((r) => r.revealed) : [];
  const shown = rounds.filter((r) => byPhase.includes(r) || (plenary(r) && r.state === "open"));
  const voting = shown.some((r) => viewOf(r, board) === "vote");
  area.hidden = !(board.phase === "prioritise" || board.phase === "results" || shown.length);
  $("[data-vote-heading]").textContent = voting ? V.vote_heading : V.results_heading;
  const empty = $("[data-vote-empty]");
  empty.hidden = shown.length > 0;
  empty.textContent = board.phase === "results" ? V.no_results : V.waiting;
  const wanted = new Set(shown.map((r) => r.id));
  for (const [id, node] of cards) {
    if (!wanted.has(id)) {
      node.remove();
      cards.delete(id);
    }
  }
  shown.forEach((round, index) => {
    let node = cards.get(round.id);
    const view = viewOf(round, board);
    if (!node || node.dataset.kind !== `${round.kind}-${view}`) {
      node?.remove();
      node = el("article", { class: "vote-round", "data-vote-round": round.id,
        "aria-labelledby": `vote-round-${round.id}` });
      node.dataset.kind = `${round.kind}-${view}`;
      cards.set(round.id, node);
    }
    if (view === "results") updateResultsOnly(node, round);
    else if (round.kind === "dots") updateDots(node, round);
    else updateConsent(node, round);
    if (roundsBox.children[index] !== node) roundsBox.insertBefore(node, roundsBox.children[index] || null);
  });
}

function heading(node, round, fallback) {
  let title = $(`#vote-round-${round.id}`, node);
  if (!title) {
    title = el("h3", { id: `vote-round-${round.id}`, dir: "auto" });
    node.prepend(title);
  }
  if (round.question) showBilingual(title, live.workshop, "round", round.id, "question", round.question);
  else title.textContent = fallback;
}

// Children made once per node and kept: `part(node, "name", () => el(...))`.
function part(node, name, make) {
  let child = $(`[data-part="${name}"]`, node);
  if (!child) {
    child = make();
    child.dataset.part = name;
    node.append(child);
  }
  return child;
}

// --- Dot voting ---------------------------------------------------------------------------------

function updateDots(node, round) {
  heading(node, round, V.dots_untitled);
  const open = round.state === "open";
  const rules = part(node, "rules", () => el("ul", { class: "vote-rules" }));
  const ruleTexts = [fill(V.rule_budget, { dots: round.dots_per_person }),
    fill(V.rule_cap, { cap: round.max_per_item }),
    round.allow_own ? V.rule_own_allowed : V.rule_own_forbidden,
    round.tallies_visible ? V.rule_tallies_visible : V.rule_tallies_hidden];
  if (rules.dataset.texts !== ruleTexts.join("|")) {
    rules.dataset.texts = ruleTexts.join("|");
    rules.replaceChildren(...ruleTexts.map((text) => el("li", {}, text)));
  }
  part(node, "closed", () => el("p", { class: "notice vote-closed", role: "status" })).hidden = open;
  $("[data-part=closed]", node).textContent = V.closed;
  const list = part(node, "targets", () => el("ul", { class: "vote-targets" }));
  const results = new Map((round.results || []).map((row) => [row.id, row]));
  const boards = new Set(round.targets.map((t) => t.board_id));
  const items = new Map([...list.children].map((item) => [Number(item.dataset.voteTarget), item]));
  round.targets.forEach((target, index) => {
    let item = items.get(target.id);
    items.delete(target.id);
    if (!item) item = targetItem(round, target);
    // Cards of another table (a round opened to the whole room) say which table they are from.
    updateTarget(item, round, target, results.get(target.id), boards.size > 1 || !boards.has(data.board_id));
    if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
  });
  for (const stale of items.values()) stale.remove();
  const left = Math.max(0, round.dots_per_person - used(round.id));
  const status = part(node, "left", () => el("p", { class: "vote-left", role: "status" }));
  const text = fill(V.dots_left, { left, total: round.dots_per_person });
  if (status.dataset.shown !== text) {
    status.dataset.shown = text;
    status.replaceChildren(el("span", {}, text),
      el("span", { class: "vote-dots", "aria-hidden": "true" }, "●".repeat(left) + "○".repeat(round.dots_per_person - left)));
  }
  status.hidden = !open;
  const revealed = part(node, "ranking", () => el("div"));
  if (round.revealed && round.results) revealed.replaceChildren(...ranking(round, true));
  else revealed.replaceChildren();
}

function targetItem(round, target) {
  const item = el("li", { class: "vote-target", "data-vote-target": target.id });
  const label = el("p", { class: "vote-label", dir: "auto" });
  const controls = el("div", { class: "vote-controls" });
  const minus = el("button", { type: "button", class: "vote-minus", "data-vote-minus": "" }, `− ${V.take_back}`);
  const plus = el("button", { type: "button", class: "vote-plus", "data-vote-plus": "" }, `+ ${V.add_dot}`);
  const count = el("span", { class: "vote-count", "data-vote-count": "" });
  minus.addEventListener("click", () => removeDot(round.id, target.id));
  plus.addEventListener("click", () => placeDot(round.id, target.id));
  controls.append(minus, plus);
  const head = el("div", { class: "vote-head" });
  head.append(label, count);
  item.append(head, controls, el("p", { class: "vote-total", "data-vote-total": "", hidden: true }),
    el("p", { class: "vote-error", role: "alert", "data-vote-error": "", hidden: true }));
  return item;
}

function updateTarget(item, round, target, result, showBoard) {
  const label = $(".vote-label", item);
  label.textContent = target.label;
  if (showBoard && live.boards.get(target.board_id)) {
    label.append(el("span", { class: "vote-board" }, live.boards.get(target.board_id).title));
  }
  const count = mine(round.id)[target.id] || 0;
  const open = round.state === "open";
  const countNode = $("[data-vote-count]", item);
  const countText = fill(V.your_dots, { count });
  if (countNode.dataset.shown !== countText) {
    countNode.dataset.shown = countText;
    countNode.replaceChildren(el("span", { class: "vote-count-dots", "aria-hidden": "true" }, "●".repeat(count)),
      el("span", {}, countText));
  }
  item.dataset.voted = count ? "yes" : "no";
  const plus = $("[data-vote-plus]", item);
  const minus = $("[data-vote-minus]", item);
  // The name starts with the visible text (WCAG 2.5.3), then the item and its count.
  const about = fill(V.item_count, { item: target.label, count });
  plus.setAttribute("aria-label", `${plus.textContent}: ${about}`);
  minus.setAttribute("aria-label", `${minus.textContent}: ${about}`);
  // "+" stays usable at the budget: the server's refusal then says why, in words.
  plus.disabled = !open;
  minus.disabled = !open || count === 0;
  const total = $("[data-vote-total]", item);
  total.hidden = !result;
  if (result) total.textContent = fill(V.total, { count: result.score });
  const error = $("[data-vote-error]", item);
  const message = errors.get(`${round.id}:${target.id}`);
  const fresh = message && error.textContent !== message;
  error.hidden = !message;
  error.textContent = message || "";
  if (fresh) error.scrollIntoView({ block: "nearest" });
}

function showItemError(roundId, targetId, message) {
  const key = `${roundId}:${targetId}`;
  if (message) errors.set(key, message);
  else errors.delete(key);
}

function clearRoundErrors(roundId) {
  for (const key of errors.keys()) if (key.startsWith(`${roundId}:`)) errors.delete(key);
}

// Each dot gets an id made here; if the answer is lost, the same id is sent again and the
// server, having counted it already, refuses the copy instead of counting it twice.
async function placeDot(roundId, targetId) {
  const clientId = newClientId();
  let answer = await live.call("place_dot", { round_id: roundId, target_id: targetId, client_id: clientId });
  if (answer.error === "timeout" && live.socket.connected) {
    answer = await live.call("place_dot", { round_id: roundId, target_id: targetId, client_id: clientId });
  }
  afterVote(roundId, targetId, answer);
}

async function removeDot(roundId, targetId) {
  afterVote(roundId, targetId, await live.call("remove_dot", { round_id: roundId, target_id: targetId }));
}

function afterVote(roundId, targetId, answer) {
  if (answer.ok) {
    clearRoundErrors(roundId);
    live.myVotes[roundId] = answer.my_votes;
  } else if (answer.error === "already_counted") {
    clearRoundErrors(roundId);
    live.sync();  // the first try did count: fetch what the server holds
  } else {
    showItemError(roundId, targetId, answer.message || V.not_sent);
  }
  render();
}

// --- Consent check ------------------------------------------------------------------------------

function updateConsent(node, round) {
  heading(node, round, V.consent_untitled);
  const open = round.state === "open";
  part(node, "intro", () => el("p", { id: `vote-scale-${round.id}` }, V.consent_intro));
  part(node, "closed", () => el("p", { class: "notice vote-closed", role: "status" }, V.closed)).hidden = open;
  const list = part(node, "options", () => el("div"));
  if (!list.children.length) {
    list.append(...round.options.map((option) => consentOption(round, option)));
  }
  const answers = mine(round.id);
  for (const fieldset of list.children) {
    const optionId = Number(fieldset.dataset.voteOption);
    const value = answers[optionId];
    const stillChoosing = settling.has(`${round.id}:${optionId}`);
    for (const radio of $$("input", fieldset)) {
      if (!stillChoosing) radio.checked = value !== undefined && Number(radio.value) === value;
      radio.disabled = !open;
    }
    const saved = $("[data-vote-saved]", fieldset);
    saved.hidden = value === undefined;
    // A live region: only new words, or each redraw (answer, then tallies) reads it again.
    const savedText = value === undefined ? "" : fill(V.saved, { value });
    if (saved.textContent !== savedText) saved.textContent = savedText;
    const error = $("[data-vote-error]", fieldset);
    const message = errors.get(`${round.id}:${optionId}`);
    error.hidden = !message;
    error.textContent = message || "";
  }
  part(node, "progress", () => el("p", { class: "small" })).textContent =
    countText(V.counts.options_rated, round.options.length,
      { count: Object.keys(answers).length, total: round.options.length });
  const revealed = part(node, "ranking", () => el("div"));
  if (round.revealed && round.results) revealed.replaceChildren(...ranking(round, true));
  else revealed.replaceChildren();
}

function consentOption(round, option) {
  const fieldset = el("fieldset", { class: "vote-scale", "data-vote-option": option.id,
    "aria-describedby": `vote-scale-${round.id}` });
  const legend = el("legend", { dir: "auto" });
  showBilingual(legend, live.workshop, "option", `${round.id}:${option.id}`, "text", option.text);
  if (option.id === 0) legend.append(" ", el("small", {}, V.passive));
  const ends = el("div", { class: "vote-scale-ends", "aria-hidden": "true" });
  ends.append(el("span", {}, V.scale_low), el("span", {}, V.scale_high));
  const values = el("div", { class: "vote-scale-values" });
  // Arrow keys walk a radio group and fire `change` at every step: the value is saved once the
  // person stops on one, not eleven times on the way from 0 to 10.
  values.addEventListener("keydown", () => { values.dataset.byKeyboard = "yes"; });
  values.addEventListener("pointerdown", () => { delete values.dataset.byKeyboard; });
  for (let value = 0; value <= 10; value += 1) {
    const label = el("label");
    const radio = el("input", { type: "radio", name: `consent-${round.id}-${option.id}`, value,
      "aria-label": value === 0 ? V.value_low : value === 10 ? V.value_high : String(value) });
    radio.addEventListener("change", () => chosen(values, round.id, option.id, value));
    label.append(radio, el("span", { "aria-hidden": "true" }, String(value)));
    values.append(label);
  }
  fieldset.append(legend, ends, values,
    el("p", { class: "vote-saved", role: "status", "data-vote-saved": "", hidden: true }),
    el("p", { class: "vote-error", role: "alert", "data-vote-error": "", hidden: true }));
  return fieldset;
}

function chosen(scale, roundId, optionId, value) {
  const key = `${roundId}:${optionId}`;
  clearTimeout(settling.get(key));
  if (scale.dataset.byKeyboard !== "yes") {
    rate(roundId, optionId, value);
    return;
  }
  settling.set(key, setTimeout(() => {
    settling.delete(key);
    rate(roundId, optionId, value);
  }, KEYBOARD_SETTLE_MS));
}

async function rate(roundId, optionId, value) {
  const answer = await live.call("rate_option", { round_id: roundId, option_id: optionId, value });
  afterVote(roundId, optionId, answer);
}

// --- Revealed results ---------------------------------------------------------------------------

function updateResultsOnly(node, round) {
  heading(node, round, round.kind === "dots" ? V.dots_untitled : V.consent_untitled);
  part(node, "ranking", () => el("div")).replaceChildren(...ranking(round, false));
}

function ranking(round, withHeading) {
  const rows = round.results || [];
  const nodes = [];
  if (withHeading) nodes.push(el("h4", {}, V.ranking_heading));
  nodes.push(el("p", { class: "small" }, countText(
    round.kind === "dots" ? V.counts.people_voted : V.counts.people_answered, round.voters,
    { voters: round.voters, eligible: round.eligible })));
  if (round.kind === "consent") nodes.push(el("p", { class: "small" }, V.consent_order));
  const boards = new Set(rows.map((row) => row.board_id));
  const list = el("ol", { class: "vote-ranking" });
  const max = Math.max(1, ...rows.map((row) => row.score));
  for (const row of rows) {
    const item = el("li", { "data-vote-result": row.id });
    const rank = el("span", { class: "vote-rank" }, rankText(row));
    if (row.tie) rank.append(el("small", {}, V.tie));
    const label = el("span", { dir: "auto" }, row.label);
    if (row.passive) label.append(" ", el("small", {}, V.passive));
    if ((boards.size > 1 || !boards.has(data.board_id)) && live.boards.get(row.board_id)) {
      label.append(el("span", { class: "vote-board" }, live.boards.get(row.board_id).title));
    }
    const value = el("span", { class: "vote-result-bar" });
    const track = el("span", { class: "run-bar", "aria-hidden": "true" });
    const fillBar = el("span", { class: "run-bar-fill" });
    fillBar.style.inlineSize = `${(100 * row.score) / max}%`;
    track.append(fillBar);
    value.append(el("span", {}, round.kind === "dots" ? fill(V.dots_value, { count: row.score })
      : fill(V.resistance_value, { total: row.score, mean: formatMean(consentMean(row)) })), track);
    item.append(rank, label, value);
    list.append(item);
  }
  nodes.push(list);
  return nodes;
}

live.addEventListener("change", render);
render();
