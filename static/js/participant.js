// The phone's board page: write ideas, see them arrive, edit or withdraw your own, and learn
// what the facilitation did with them (hidden, merged).
import { el, fill, politeAnnouncer, syncList } from "./live.js";
import { Outbox } from "./outbox.js";
import { countText } from "./plural.js";
import { T, data, live } from "./participant_state.js";
import { renderBoardText } from "./participant_content.js";
import { clearRow, existsMark, isStock, readRow, renderStockForm, setStockEnabled,
  stockEditFields } from "./participant_stock.js";

const $ = (selector) => document.querySelector(selector);
const outbox = new Outbox(`facilitator.outbox.${data.code}`, live);
const announce = politeAnnouncer($("[data-announcer]"));
// The author hears what becomes of each card they send, at once and in its own region:
// "Sending…", "Sent", "Not sent: <the server's reason>" (limit reached, board closed).
const ownStatus = $("[data-own-status]");
const heardStatus = new Map();
// Every card this phone sent: the room's copy of it is never read out as someone's new idea,
// even when it arrives after the server's answer took it out of the outbox.
const sentHere = new Set(outbox.items.map((item) => item.client_id));
const textarea = $("[data-idea-text]");
const template = $("[data-card-template]");
// What an own card's state says to its author, beside the text.
const OWN_STATUS = { visible: "sent", concealed: "sent", hidden: "hidden_mine",
  merged: "merged_mine", withdrawn: "withdrawn_mine" };
const FACILITATION_STATES = ["hidden", "merged"];
let editing = null;
// The state each own card had at the last render: a change to hidden or merged is read out.
const ownStates = new Map();


live.onConnection((detail) => {
  const banner = $("[data-connection]");
  banner.textContent = detail.state === "connected" ? T.online : T.offline;
  banner.dataset.state = detail.state;
});

live.addEventListener("change", ({ detail }) => {
  // The room's copy of an own idea can arrive before the server's answer to this phone: an
  // idea still in the outbox is this phone's own, never read out as someone's new idea.
  for (const idea of detail.payload?.ideas || []) {
    if (idea.mine) sentHere.add(idea.client_id);
    if (!idea.mine && !sentHere.has(idea.client_id) && idea.board_id === data.board_id &&
        idea.text && idea.state === "visible") {
      announce(fill(T.new_idea, { text: idea.text }));
    }
  }
  render();
});
outbox.addEventListener("change", () => {
  announceOwnStatus();
  render();
});
outbox.addEventListener("sent", ({ detail }) => {
  heardStatus.delete(detail.client_id);
  sayOwnStatus(T.sent);
  detail.mine = true;
  live.apply({ ideas: [detail] });
  render();
});

textarea.addEventListener("input", updateCounter);
$("[data-composer]").addEventListener("submit", (event) => {
  event.preventDefault();
  const board = live.boards.get(data.board_id);
  if (isStock(board)) {
    // A stock-taking board: the fields make the row, and its short form the card's text.
    const form = $("[data-composer]");
    const { problem, input, row, text } = readRow(form, board);
    if (problem) {
      showNotice(problem);
      input?.focus();
      return;
    }
    showNotice(null);
    sentHere.add(outbox.add(data.board_id, text, row).client_id);
    clearRow(form);
    return;
  }
  const text = textarea.value.trim();
  const problem = !text ? T.empty : text.length > data.max_chars ? T.too_long : null;
  if (problem) {
    showNotice(problem);
    textarea.focus();
    return;
  }
  sentHere.add(outbox.add(data.board_id, text).client_id);
  textarea.value = "";
  updateCounter();
  textarea.focus();
});

function sayOwnStatus(message) {
  // The same words twice in a row would not be read again: clear first, then say.
  ownStatus.textContent = "";
  requestAnimationFrame(() => { ownStatus.textContent = message; });
}

function announceOwnStatus() {
  for (const item of outbox.items) {
    sentHere.add(item.client_id);
    if (heardStatus.get(item.client_id) === item.status) continue;
    heardStatus.set(item.client_id, item.status);
    sayOwnStatus(item.status === "failed" ? `${T.failed} ${item.message || ""}` : T[item.status]);
  }
}

function updateCounter() {
  const counter = $("[data-counter]");
  counter.textContent = `${textarea.value.length} / ${data.max_chars}`;
  counter.classList.toggle("counter-full", textarea.value.length >= data.max_chars);
}

function showNotice(message) {
  const notice = $("[data-board-notice]");
  notice.textContent = message || "";
  notice.hidden = !message;
}

function card(idea, status) {
  const node = template.content.firstElementChild.cloneNode(true);
  node.querySelector("[data-text]").textContent = idea.text ?? "";
  const author = idea.mine ? T.you : idea.author;
  node.querySelector("[data-author]").textContent = author || "";
  const mark = existsMark(idea);
  if (mark) node.querySelector(".card-meta").prepend(mark, " ");
  if (status) {
    const badge = node.querySelector("[data-status]");
    badge.textContent = status.message ? `${T.failed} ${status.message}` : T[status.status];
    badge.dataset.status = status.status;
  }
  return node;
}

function accepts(board) {
  return Boolean(board && board.is_open && board.phase === "collect");
}

// The phone's own cards on this board, every state: what happened to a card is shown, not
// hidden from its author.
function ownIdeas() {
  return [...live.ideas.values()]
    .filter((idea) => idea.mine && idea.board_id === data.board_id)
    .sort((a, b) => a.id - b.id);
}

function editable(idea, board) {
  return accepts(board) && (idea.state === "visible" || idea.state === "concealed");
}

function render() {
  const board = live.boards.get(data.board_id);
  if (board) renderBoardState(board);
  else if (live.workshop) boardGone();
  const own = ownIdeas();
  if (editing !== null && !own.some((idea) => idea.id === editing && editable(idea, board))) {
    editing = null;  // hidden, closed or gone meanwhile: the server would refuse the edit
  }
  announceFacilitation(own);
  renderMine(own, board);
  const ideas = live.ideasOn(data.board_id).filter((idea) => !idea.mine);
  const visible = ideas.filter((idea) => idea.state === "visible");
  const hiddenCount = ideas.filter((idea) => idea.state === "concealed").length;
  const ownOnBoard = own.filter((idea) => OWN_STATUS[idea.state] === "sent").length;
  syncList($("[data-others]"), visible.slice().reverse(), (idea) => card(idea));
  $("[data-others-count]").textContent = `(${visible.length + hiddenCount + ownOnBoard})`;
  const concealed = $("[data-concealed-notice]");
  concealed.hidden = !(board && board.concealed && !board.revealed);
  if (!concealed.hidden) {
    concealed.textContent = `${concealed.dataset.base || (concealed.dataset.base = concealed.textContent)} ${countText(data.counts.ideas_collected, hiddenCount + ownOnBoard)}`;
  }
}

// Keyed, so an open edit form keeps the typing and the focus while other cards arrive.
function renderMine(own, board) {
  const mine = $("[data-mine]");
  const pending = outbox.items.filter((item) => item.board_id === data.board_id).map((item) => ({
    id: `pending:${item.client_id}`, seq: `${item.status}:${item.message || ""}`,
    make: () => pendingCard(item),
  }));
  const sent = own.slice().reverse().map((idea) => {
    const mode = editing === idea.id ? "editing" : editable(idea, board) ? "open" : "closed";
    return {
      id: `idea:${idea.id}`,
      seq: mode === "editing" ? mode : `${idea.seq}:${idea.state}:${mode}`,
      make: () => (mode === "editing" ? editCard(idea) : ownCard(idea, mode === "open")),
    };
  });
  syncList(mine, [...pending, ...sent], (entry) => entry.make());
  $("[data-mine-empty]").hidden = mine.children.length > 0;
}

function announceFacilitation(own) {
  for (const idea of own) {
    const before = ownStates.get(idea.id);
    if (before && before !== idea.state && FACILITATION_STATES.includes(idea.state)) {
      announce(T[OWN_STATUS[idea.state]]);
    }
    ownStates.set(idea.id, idea.state);
  }
}

function renderBoardState(board) {
  renderBoardText(board, live.workshop);
  renderStockForm(board, live.workshop);
  $("[data-counter]").hidden = isStock(board);
  const collecting = accepts(board);
  // Outside "collect" the phone shows the phase and, later, the vote instead (participant_vote.js).
  $("[data-composer]").hidden = board.phase !== "collect";
  const send = $("[data-send]");
  send.disabled = !collecting;
  textarea.disabled = !collecting;
  setStockEnabled(collecting);
  if (!collecting) {
    showNotice(T.closed);
  } else if (board.max_ideas_per_person) {
    // As the server counts: every own card but the withdrawn ones, plus those still on the way.
    const used = ownIdeas().filter((i) => i.state !== "withdrawn").length +
      outbox.items.filter((i) => i.board_id === board.id && i.status !== "failed").length;
    const left = Math.max(0, board.max_ideas_per_person - used);
    showNotice(countText(data.counts.ideas_left, left, { left, max: board.max_ideas_per_person }));
  } else {
    showNotice(null);
  }
}

// The facilitator removed this table (only an empty one can be): say so, post nothing here.
function boardGone() {
  textarea.disabled = true;
  $("[data-send]").disabled = true;
  showNotice(T.board_gone);
}

function pendingCard(item) {
  const entry = item.fields ? { exists: item.exists } : null;
  const node = card({ text: item.text, mine: true, entry }, item);
  node.classList.add("card-pending");
  if (item.status === "failed") {
    const actions = node.querySelector("[data-actions]");
    actions.hidden = false;
    const dismiss = el("button", { type: "button", class: "button-small" }, T.dismiss);
    dismiss.addEventListener("click", () => outbox.dismiss(item.client_id));
    actions.replaceChildren(dismiss);
  }
  return node;
}

function ownCard(idea, open) {
  const node = card(idea, { status: OWN_STATUS[idea.state] || "sent" });
  node.dataset.ideaId = idea.id;
  node.dataset.state = idea.state;
  const settled = OWN_STATUS[idea.state] !== "sent";
  // Such a card is no longer on the board: the status says what became of it, not "you".
  node.querySelector("[data-author]").hidden = settled;
  // A withdrawn card's text is erased on the server: the status alone says what it was.
  node.querySelector("[data-text]").hidden = idea.state === "withdrawn";
  node.querySelector("[data-actions]").hidden = !open;
  node.querySelector("[data-edit]").addEventListener("click", () => {
    editing = idea.id;
    render();
  });
  node.querySelector("[data-withdraw]").addEventListener("click", async () => {
    if (!window.confirm(T.withdraw_confirm)) return;
    const answer = await live.call("withdraw_idea", { idea_id: idea.id });
    if (answer.ok) live.apply({ ideas: [{ ...answer.idea, mine: true }] });
    else showNotice(answer.message || T.retrying);
    render();
  });
  return node;
}

function editCard(idea) {
  const board = live.boards.get(data.board_id);
  if (isStock(board)) return stockEditCard(idea, board);
  const form = el("form", { class: "card card-editing" });
  const label = el("label", { for: `edit-${idea.id}` }, T.edit_prompt);
  const input = el("textarea", { id: `edit-${idea.id}`, rows: 3, maxlength: data.max_chars,
    dir: "auto", "data-edit-text": idea.id });
  input.value = idea.text ?? "";
  const save = el("button", { type: "submit", class: "button-small button-primary" }, T.save);
  const cancel = el("button", { type: "button", class: "button-small" }, T.cancel);
  const error = el("p", { class: "error", role: "alert" });
  const stop = () => { editing = null; render(); };
  cancel.addEventListener("click", stop);
  form.addEventListener("keydown", (event) => { if (event.key === "Escape") stop(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    const problem = !text ? T.empty : text.length > data.max_chars ? T.too_long : null;
    if (problem) {
      error.textContent = problem;
      input.focus();
      return;
    }
    await saveEdit(form, error, { idea_id: idea.id, text });
  });
  const actions = el("div", { class: "card-actions" });
  actions.append(save, cancel);
  form.append(label, input, actions, error);
  // The form replaces the card under the finger: the typing goes on where the button was.
  queueMicrotask(() => input.focus());
  return form;
}

// Sends an edit of one's own card (plain or stock-taking) once; on success the card shows saved.
async function saveEdit(form, error, change) {
  // Not `disabled`: that would drop the focus, which should land on the saved card.
  if (form.dataset.busy) return;
  form.dataset.busy = "1";
  const answer = await live.call("edit_idea", change);
  delete form.dataset.busy;
  if (answer.ok) {
    editing = null;
    live.apply({ ideas: [{ ...answer.idea, mine: true }] });
    render();
  } else {
    error.textContent = answer.error === "timeout" ? T.edit_not_saved : answer.message;
  }
}

// A stock-taking card is edited field by field, like it was written.
function stockEditCard(idea, board) {
  const form = el("form", { class: "card card-editing", novalidate: "" });
  const legend = el("p", { class: "card-edit-title" }, T.edit_prompt);
  const save = el("button", { type: "submit", class: "button-small button-primary" }, T.save);
  const cancel = el("button", { type: "button", class: "button-small" }, T.cancel);
  const error = el("p", { class: "error", role: "alert" });
  const stop = () => { editing = null; render(); };
  cancel.addEventListener("click", stop);
  form.addEventListener("keydown", (event) => { if (event.key === "Escape") stop(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { problem, input, row, text } = readRow(form, board);
    if (problem) {
      error.textContent = problem;
      input?.focus();
      return;
    }
    await saveEdit(form, error, { idea_id: idea.id, text, ...row });
  });
  const actions = el("div", { class: "card-actions" });
  actions.append(save, cancel);
  form.append(legend, ...stockEditFields(idea, board, live.workshop), actions, error);
  queueMicrotask(() => form.querySelector("input")?.focus());
  return form;
}

textarea.disabled = false;
$("[data-send]").disabled = false;
updateCounter();
render();
