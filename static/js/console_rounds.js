// The rounds in the run panel: each with its live count ("12 of 30 voted"), close and reopen,
// reveal, tallies, the projector button and its results (results_table.js, shared with the
// projector); a dot-voting round also has its final order (console_final_order.js).
import { el, fill } from "./live.js";
import { live } from "./console_state.js";
import { $, R, roundTitle, runAct as act } from "./console_panel.js";
import { changeTracker, keyed } from "./dom.js";
import { createFinalOrder, updateFinalOrder } from "./console_final_order.js";
import { project } from "./console_projector_choice.js";
import { newestFirst, scopeText } from "./prioritise.js";
import { consentTable, dotsTable, hasResults } from "./results_table.js";

const changed = changeTracker();
const revealedShown = new Map();  // round id → revealed state its results were last opened for
const roundCaches = { dots: new Map(), consent: new Map() };

export function renderRounds(kind) {
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
    "data-run-project-round": round.id, "data-run-project-value": `round:${round.id}` }, R.project);
  projectButton.addEventListener("click", () => project(`round:${round.id}`, errorOf(node)));
  buttons.append(projectButton);
  const results = el("details", { class: "run-results" });
  results.append(el("summary", { "data-part": "results-summary" }), el("div", { "data-part": "results" }));
  node.append(header, buttons, el("p", { class: "error", role: "alert", "data-part": "error" }), results);
  if (round.kind === "dots") node.append(createFinalOrder(round, node));
  return node;
}

function errorOf(node) {
  return $("[data-part=error]", node);
}

function updateRoundCard(node, round) {
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
  // Opened when the results are revealed, closed when hidden; in between the facilitator decides.
  if (revealedShown.get(round.id) !== round.revealed) {
    details.open = round.revealed;
    revealedShown.set(round.id, round.revealed);
  }
  if (changed(`results-${round.id}`, [round.results, round.final_order])) {
    part("results").replaceChildren(resultsOf(round));
  }
  if (round.kind === "dots") updateFinalOrder(round, node);
}

function resultsOf(round) {
  if (!hasResults(round)) return el("p", { class: "empty" }, R.no_results);
  return round.kind === "dots"
    ? dotsTable(round, R, { finalColumn: true, className: "table run-table", rowAttribute: "data-run-result" })
    : consentTable(round, R, { meanColumns: true, className: "table run-table", rowAttribute: "data-run-result" });
}

