// The live state of one workshop as this screen may see it, kept current over Socket.IO.
// Every change carries the workshop's sequence number: a screen that missed numbers (flaky
// Wi-Fi, a server restart) asks for what changed since the last one it saw, without a reload.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { CLIENT_EVENTS, SEQUENCED_EVENTS } from "./protocol.js";

export function pageData() {
  return JSON.parse(document.getElementById("page-data").textContent);
}

// "{max} left" style placeholders, filled with plain values (never HTML).
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

export class LiveWorkshop extends EventTarget {
  constructor(auth) {
    super();
    this.seq = 0;
    // A phone hears card events of its own table only, so numbers of other tables' cards never
    // reach it: it cannot tell a gap from another table's card and catches up on reconnect.
    this.hearsEverything = auth.role !== "participant";
    this.workshop = null;
    this.boards = new Map();
    this.ideas = new Map();
    this.clusters = new Map();
    this.measures = new Map();
    this.rounds = new Map();
    this.myVotes = {};
    this.syncing = false;
    this.syncAgain = false;
    this.heard = null;
    this.retries = 0;
    this.connection = null;  // {state, reason} once the socket has connected, left or been refused
    this.socket = io({ auth, reconnectionDelayMax: 5000 });
    this.askAgainWithoutAnswer();
    this.socket.on("connect", () => { this.emitState("connected"); this.sync(); });
    this.socket.on("disconnect", () => this.emitState("disconnected"));
    this.socket.on("connect_error", (error) => {
      this.emitState("refused", error.message);
      // The server could not answer at that instant (its database busy): ask again soon, a
      // little later each time (a hall of phones must not hammer a server that stays busy).
      if (error.message === RETRY_SOON) {
        const wait = Math.min(CONNECT_ANSWER_MS, RETRY_SOON_MS * 2 ** this.retries);
        setTimeout(() => this.socket.connect(), wait);
        this.retries += 1;
      }
    });
    this.socket.on("connect", () => { this.retries = 0; });
    for (const name of SEQUENCED_EVENTS) {
      this.socket.on(name, (payload) => this.receive(payload));
    }
    this.socket.on("presence_changed", (counts) => this.dispatch("presence", counts));
    // Tallies are not sequenced (every sync carries them): apply, never count as a gap.
    this.socket.on("votes_changed", (payload) => {
      this.apply(payload);
      this.dispatch("change", { payload });
    });
  }

  // A server that fails while accepting a connection (a database busy at that instant) never
  // answers it, and the client would wait for ever, its ideas unsent: ask again.
  askAgainWithoutAnswer() {
    let timer = null;
    this.socket.io.on("open", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (this.socket.connected) return;
        this.socket.disconnect();
        this.socket.connect();
      }, CONNECT_ANSWER_MS);
    });
    this.socket.on("connect", () => clearTimeout(timer));
  }

  dispatch(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  emitState(state, reason) {
    this.connection = { state, reason };
    this.dispatch("connection", this.connection);
  }

  // Where the connection stands, now and at every change. A page's module scripts run one
  // after another as they arrive, and the socket may connect in between: a module that only
  // listened for the next change missed "connected" (the console's banner said "connecting"
  // for good, and an outbox did not send what it held until the next reconnect).
  onConnection(listener) {
    this.addEventListener("connection", ({ detail }) => listener(detail));
    if (this.connection) listener(this.connection);
  }

  // Acknowledged request; resolves {ok:false, error:"timeout"} when no answer comes in time.
  // "busy" means the server did nothing (one request per kind in flight per connection): the
  // same request goes again after a short, jittered pause, within the same time limit.
  async call(event, data, timeoutMs = 10000) {
    // A name the protocol does not know is a bug here, not a bad connection: say so at once.
    if (!Object.hasOwn(CLIENT_EVENTS, event)) {
      console.error(`unknown socket event ${event} (not in static/js/protocol.js)`);
      return { ok: false, error: "unknown_event" };
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.callOnce(event, data, deadline - Date.now());
      const pause = BUSY_PAUSE_MS * (1 + Math.random());
      if (answer.error !== "busy" || Date.now() + pause >= deadline) return answer;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  callOnce(event, data, timeoutMs) {
    return new Promise((resolve) => {
      this.socket.timeout(timeoutMs).emit(event, data, (error, answer) => {
        resolve(error ? { ok: false, error: "timeout" } : answer);
      });
    });
  }

  async sync() {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    this.syncAgain = false;
    // Live events keep arriving while the answer is on its way, some of them newer than the
    // snapshot the server took (on PostgreSQL the answer can trail them by a few milliseconds).
    this.heard = [];
    // A phone asks from a little before its last number: an event from another server process
    // can overtake an earlier one just before a disconnect.
    const since = this.hearsEverything || this.seq === 0 ? this.seq : Math.max(1, this.seq - RESYNC_MARGIN);
    const answer = await this.call("sync", { since });
    const heard = this.heard;
    this.heard = null;
    this.syncing = false;
    if (!answer.ok) {
      if (this.socket.connected) setTimeout(() => this.sync(), 2000);
      return;
    }
    this.merge(answer);
    this.seq = this.hearsEverything ? contiguousFrom(answer.seq, heard)
      : Math.max(answer.seq, ...heard);
    this.dispatch("change", { full: answer.full });
    // A number missing between the snapshot and what arrived live: ask for it.
    if (this.syncAgain || heard.some((seq) => seq > this.seq)) this.sync();
  }

  // Snapshot and live events merged by sequence number: a full snapshot drops what it no longer
  // lists only up to its own number, so a card that arrived live meanwhile stays.
  merge(answer) {
    if (answer.full) {
      for (const map of [this.boards, this.ideas, this.clusters, this.measures]) {
        for (const [id, item] of map) if (item.seq <= answer.seq) map.delete(id);
      }
    }
    this.rounds.clear();
    if (answer.my_votes) this.myVotes = answer.my_votes;
    this.apply(answer);
  }

  receive(payload) {
    this.apply(payload);
    if (this.heard) {
      this.heard.push(payload.seq);  // judged against the snapshot once it is here
    } else if (payload.seq === this.seq + 1 || (!this.hearsEverything && payload.seq > this.seq)) {
      this.seq = payload.seq;
    } else if (payload.seq > this.seq + 1) {
      this.sync();  // numbers were missed: fetch them
    }
    this.dispatch("change", { payload });
  }

  apply(payload) {
    if (payload.workshop && (!this.workshop || payload.workshop.seq >= this.workshop.seq)) {
      this.workshop = payload.workshop;
      for (const id of this.boards.keys()) {
        if (!payload.workshop.board_ids.includes(id)) this.boards.delete(id);
      }
    }
    for (const board of payload.boards || []) upsert(this.boards, board);
    for (const cluster of payload.clusters || []) upsert(this.clusters, cluster);
    for (const measure of payload.measures || []) upsert(this.measures, measure);
    for (const round of payload.rounds || []) upsert(this.rounds, round);
    for (const idea of payload.ideas || []) {
      const known = this.ideas.get(idea.id);
      // The room's copy of a card withholds its text on a concealed board, and once it is hidden
      // or merged; the author's phone keeps its own words (a withdrawn card's are erased).
      if (known?.mine && idea.text === null && idea.state !== "withdrawn") {
        idea.text = known.text;
      }
      if (known?.mine) idea.mine = true;
      upsert(this.ideas, idea);
    }
  }

  orderedBoards() {
    const order = this.workshop ? this.workshop.board_ids : [];
    return order.map((id) => this.boards.get(id)).filter(Boolean);
  }

  ideasOn(boardId) {
    return [...this.ideas.values()]
      .filter((idea) => idea.board_id === boardId && idea.state !== "withdrawn" &&
        idea.state !== "merged")
      .sort((a, b) => a.id - b.id);
  }

  clustersOn(boardId) {
    return [...this.clusters.values()]
      .filter((cluster) => cluster.board_id === boardId && cluster.state === "active")
      .sort((a, b) => a.position - b.position || a.id - b.id);
  }

  // Cards of one cluster (or the unsorted ones, clusterId null) in their order.
  cardsIn(boardId, clusterId) {
    return this.ideasOn(boardId)
      .filter((idea) => (idea.cluster_id ?? null) === clusterId)
      .sort((a, b) => a.position - b.position || a.id - b.id);
  }

  activeMeasures() {
    return [...this.measures.values()]
      .filter((measure) => measure.state === "active")
      .sort((a, b) => a.position - b.position || a.id - b.id);
  }

  // Open or revealed rounds that concern a board (a round without boards covers all).
  roundsFor(boardId) {
    return [...this.rounds.values()].filter((round) =>
      round.board_ids.length === 0 || round.board_ids.includes(boardId));
  }
}

const RESYNC_MARGIN = 200;
const BUSY_PAUSE_MS = 300;
const CONNECT_ANSWER_MS = 8000;
// A connect refused for a passing reason (facilitator/sockets.py RETRY_SOON).
const RETRY_SOON = "retry";
const RETRY_SOON_MS = 500;

// A countdown shown from this screen's own clock, restarted by every timer state it receives.
export function countdown(element, labels) {
  let timer = null;
  return (state) => {
    clearInterval(timer);
    if (!state || (!state.running && !state.remaining)) {
      element.hidden = true;
      return;
    }
    element.hidden = false;
    const end = Date.now() + state.remaining * 1000;
    const show = () => {
      const left = state.running ? Math.max(0, Math.round((end - Date.now()) / 1000)) : state.remaining;
      const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      element.textContent = state.running ? text : `${text} (${labels.paused})`;
      element.dataset.state = left === 0 ? "over" : state.running ? "running" : "paused";
    };
    show();
    if (state.running) timer = setInterval(show, 1000);
  };
}

// The last number of an unbroken run from `seq` through the numbers heard live.
function contiguousFrom(seq, heard) {
  const numbers = new Set(heard);
  let last = seq;
  while (numbers.has(last + 1)) last += 1;
  return last;
}

function upsert(map, item) {
  const known = map.get(item.id);
  if (!known || item.seq >= known.seq) map.set(item.id, item);
}

// A live region that reads out at most one summary every few seconds, so screen reader users
// are told about new ideas without being flooded.
export function politeAnnouncer(element, delayMs = 4000) {
  let pending = [];
  let timer = null;
  return (message) => {
    pending.push(message);
    if (timer) return;
    timer = setTimeout(() => {
      element.textContent = pending.length > 3 ? pending.slice(-3).join(". ") : pending.join(". ");
      pending = [];
      timer = null;
    }, delayMs);
  };
}

// Kept here for the pages that import it from live.js; it lives in dom.js with its siblings.
export { el } from "./dom.js";

// Bring a list in line with `items` (in order) while leaving unchanged nodes where they are,
// so a keyboard user's focus is not thrown away whenever a new idea arrives. `make(item)`
// builds a node; a node is rebuilt only when its item's `seq` changed.
export function syncList(list, items, make) {
  const known = new Map([...list.children].map((node) => [node.dataset.key, node]));
  let cursor = list.firstElementChild;
  for (const item of items) {
    const key = String(item.id);
    let node = known.get(key);
    known.delete(key);
    if (node && node.dataset.seq !== String(item.seq)) {
      const hadFocus = node.contains(document.activeElement);
      const fresh = make(item);
      node.replaceWith(fresh);
      if (cursor === node) cursor = fresh;
      node = fresh;
      if (hadFocus) node.querySelector("button, textarea, input")?.focus();
    }
    if (!node) node = make(item);
    node.dataset.key = key;
    node.dataset.seq = String(item.seq);
    if (node !== cursor) list.insertBefore(node, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const stale of known.values()) stale.remove();
}
