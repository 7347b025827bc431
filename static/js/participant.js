// The phone's board page: write ideas, see them arrive, edit or withdraw your own.
import { el, fill, politeAnnouncer, syncList } from "./live.js";
import { Outbox } from "./outbox.js";
import { T, data, live } from "./participant_state.js";

const $ = (selector) => document.querySelector(selector);
const outbox = new Outbox(`facilitator.outbox.${data.code}`, live);
const announce = politeAnnouncer($("[data-announcer]"));
const textarea = $("[data-idea-text]");
const template = $("[data-card-template]");
let editing = null;


live.addEventListener("connection", ({ detail }) => {
  const banner = $("[data-connection]");
  banner.textContent = detail.state === "connected" ? T.online : T.offline;
  banner.dataset.state = detail.state;
});

live.addEventListener("change", ({ detail }) => {
  for (const idea of detail.payload?.ideas || []) {
    if (!idea.mine && idea.board_id === data.board_id && idea.text && idea.state === "visible") {
      announce(fill(T.new_idea, { text: idea.text }));
    }
  }
  render();
});
outbox.addEventListener("change", render);
outbox.addEventListener("sent", ({ detail }) => {
  detail.mine = true;
  live.apply({ ideas: [detail] });
  render();
});

textarea.addEventListener("input", updateCounter);
$("[data-composer]").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textarea.value.trim();
  const problem = !text ? T.empty : text.length > data.max_chars ? T.too_long : null;
  if (problem) {
    showNotice(problem);
    textarea.focus();
    return;
  }
  outbox.add(data.board_id, text);
  textarea.value = "";
  updateCounter();
  textarea.focus();
});

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
  if (status) {
    const badge = node.querySelector("[data-status]");
    badge.textContent = status.message ? `${T.failed} ${status.message}` : T[status.status];
    badge.dataset.status = status.status;
  }
  return node;
}

function render() {
  const board = live.boards.get(data.board_id);
  if (board) renderBoardState(board);
  const mine = $("[data-mine]");
  const others = $("[data-others]");
  const ideas = live.ideasOn(data.board_id).filter((idea) => idea.state !== "hidden");
  const own = ideas.filter((idea) => idea.mine);
  // While an idea is being edited its form keeps the typing and the focus: leave the list be.
  if (editing === null) {
    mine.replaceChildren(
      ...outbox.items.filter((item) => item.board_id === data.board_id).map(pendingCard),
      ...own.slice().reverse().map((idea) => ownCard(idea, board)),
    );
  }
  $("[data-mine-empty]").hidden = mine.children.length > 0;
  const visible = ideas.filter((idea) => !idea.mine && idea.state === "visible");
  const hiddenCount = ideas.filter((idea) => idea.state === "concealed").length;
  syncList(others, visible.slice().reverse(), (idea) => card(idea));
  $("[data-others-count]").textContent = `(${visible.length + hiddenCount + own.length})`;
  const concealed = $("[data-concealed-notice]");
  concealed.hidden = !(board && board.concealed && !board.revealed);
  if (!concealed.hidden) {
    concealed.textContent = `${concealed.dataset.base || (concealed.dataset.base = concealed.textContent)} ${fill(T.hidden_count, { count: hiddenCount + own.length })}`;
  }
}

function renderBoardState(board) {
  $("[data-board-title]").textContent = board.title;
  $("[data-board-question]").textContent = board.question;
  const collecting = board.is_open && board.phase === "collect";
  // Outside "collect" the phone shows the phase and, later, the vote instead (participant_vote.js).
  $("[data-composer]").hidden = board.phase !== "collect";
  const send = $("[data-send]");
  send.disabled = !collecting;
  textarea.disabled = !collecting;
  if (!collecting) {
    showNotice(T.closed);
  } else if (board.max_ideas_per_person) {
    const used = live.ideasOn(board.id).filter((i) => i.mine).length +
      outbox.items.filter((i) => i.board_id === board.id && i.status !== "failed").length;
    const left = Math.max(0, board.max_ideas_per_person - used);
    showNotice(fill(T.limit_left, { left, max: board.max_ideas_per_person }));
  } else {
    showNotice(null);
  }
}

function pendingCard(item) {
  const node = card({ text: item.text, mine: true }, item);
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

function ownCard(idea, board) {
  if (editing === idea.id) return editCard(idea);
  const node = card(idea, { status: "sent" });
  node.dataset.ideaId = idea.id;
  const actions = node.querySelector("[data-actions]");
  actions.hidden = !(board && board.is_open && board.phase === "collect" && idea.state !== "hidden");
  node.querySelector("[data-edit]").addEventListener("click", () => {
    editing = idea.id;
    render();
    document.querySelector(`[data-edit-text="${idea.id}"]`)?.focus();
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
  const form = el("form", { class: "card card-editing" });
  const label = el("label", { for: `edit-${idea.id}` }, T.edit_prompt);
  const input = el("textarea", { id: `edit-${idea.id}`, rows: 3, maxlength: data.max_chars,
    dir: "auto", "data-edit-text": idea.id });
  input.value = idea.text;
  const save = el("button", { type: "submit", class: "button-small button-primary" }, T.save);
  const cancel = el("button", { type: "button", class: "button-small" }, T.cancel);
  const error = el("p", { class: "error", role: "alert" });
  cancel.addEventListener("click", () => { editing = null; render(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await live.call("edit_idea", { idea_id: idea.id, text: input.value });
    if (answer.ok) {
      editing = null;
      live.apply({ ideas: [{ ...answer.idea, mine: true }] });
      render();
    } else {
      error.textContent = answer.message || T.retrying;
    }
  });
  form.append(label, input, el("div", { class: "card-actions" }), error);
  form.querySelector(".card-actions").append(save, cancel);
  return form;
}

textarea.disabled = false;
$("[data-send]").disabled = false;
updateCounter();
render();
