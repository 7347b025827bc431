// Against a flood: the phones that posted most (muted ones first), each with "Mute"/"Unmute" and
// "Hide all their cards", and "Hide the N ticked cards" for a selection made on the boards.
// The server decides and tells every console (`moderation_changed`); hiding is one undoable step.
import { $, $$, el, keyed, setAttr, setText } from "./dom.js";
import { act, live, request } from "./console_state.js";
import { fill } from "./live.js";
import { readTexts } from "./prioritise.js";

const M = readTexts("moderation-data");
const box = $("[data-moderation]");
const list = $("[data-moderation-list]", box);
const errorLine = $("[data-moderation-error]", box);
const hideSelected = $("[data-moderation-hide-selected]", box);
const rows = new Map();
const REFRESH_MS = 2000;
let refreshTimer = null;

function nameOf(participant) {
  return participant.name || fill(M.anonymous, { id: participant.id });
}

function say(message) {
  const region = $("[data-moderation-announcer]", box);
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

function makeRow(participant) {
  const row = el("li", { class: "moderation-row", "data-participant-id": participant.id });
  const who = el("span", { class: "moderation-who" });
  who.append(el("bdi", { "data-part": "name" }), " ",
    el("span", { class: "run-badge", "data-part": "muted" }, M.muted));
  const buttons = el("span", { class: "run-buttons" });
  const mute = el("button", { type: "button", class: "button-small", "data-part": "mute" });
  mute.addEventListener("click", () => setMuted(row));
  const hide = el("button", { type: "button", class: "button-small", "data-part": "hide" }, M.hide_all);
  hide.addEventListener("click", () => hideAllOf(row));
  buttons.append(mute, hide);
  row.append(who, el("span", { class: "small", "data-part": "counts" }), buttons);
  return row;
}

function updateRow(row, participant) {
  const name = nameOf(participant);
  row.participant = participant;
  setText($("[data-part=name]", row), name);
  $("[data-part=muted]", row).hidden = !participant.muted;
  setText($("[data-part=counts]", row), fill(M.counts, participant));
  const mute = $("[data-part=mute]", row);
  setText(mute, participant.muted ? M.unmute : M.mute);
  setAttr(mute, "aria-label", fill(participant.muted ? M.unmute_label : M.mute_label, { name }));
  setAttr(mute, "aria-pressed", String(participant.muted));
  const hide = $("[data-part=hide]", row);
  hide.disabled = participant.visible === 0;
  setAttr(hide, "aria-label", fill(M.hide_all_label, { count: participant.visible, name }));
}

function draw(participants) {
  $("[data-moderation-empty]", box).hidden = participants.length > 0;
  keyed(list, rows, participants, makeRow, updateRow);
}

async function refresh() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  const answer = await request("list_participants");
  if (answer.ok) draw(answer.participants);
}

// New cards change the counts: ask again at most every two seconds, not once per card.
function refreshSoon() {
  if (!refreshTimer) refreshTimer = setTimeout(refresh, REFRESH_MS);
}

async function setMuted(row) {
  const { id, muted } = row.participant;
  const name = nameOf(row.participant);
  const answer = await act(errorLine, "mute_participant", { participant_id: id, muted: !muted });
  if (!answer.ok) return;
  draw(answer.participants);
  say(fill(muted ? M.unmuted_done : M.muted_done, { name }));
}

async function hideAllOf(row) {
  const answer = await act(errorLine, "hide_cards", { participant_id: row.participant.id });
  if (answer.ok) say(fill(M.hidden_done, { count: answer.hidden }));
}

// Cards ticked on the boards (console_clusters.js marks them `data-selected`).
function tickedCards() {
  return $$("[data-idea-id][data-selected]").map((node) => Number(node.dataset.ideaId));
}

function showSelection() {
  const count = tickedCards().length;
  hideSelected.hidden = count === 0;
  setText(hideSelected, fill(M.hide_selected, { count }));
}

hideSelected.addEventListener("click", async () => {
  const answer = await act(errorLine, "hide_cards", { idea_ids: tickedCards() });
  if (answer.ok) say(fill(M.hidden_done, { count: answer.hidden }));
});

live.socket.on("moderation_changed", (payload) => draw(payload.participants));
live.onConnection((detail) => { if (detail.state === "connected") refresh(); });
live.addEventListener("change", () => {
  refreshSoon();
  requestAnimationFrame(showSelection);
});
document.addEventListener("change", () => requestAnimationFrame(showSelection));
if (live.socket.connected) refresh();
