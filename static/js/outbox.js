// Ideas written on this phone that the server has not acknowledged yet. They live in
// localStorage, so a reload, a dead battery or a lost connection does not lose them; each keeps
// the id made here, so resending can never store it twice.
const RETRY_MS = [1000, 2000, 5000, 10000, 20000];

export class Outbox extends EventTarget {
  constructor(key, live) {
    super();
    this.key = key;
    this.live = live;
    this.items = this.load();
    this.flushing = false;
    this.attempt = 0;
    live.onConnection((detail) => {
      if (detail.state === "connected") this.flush();
      else this.markWaiting();
    });
    window.addEventListener("online", () => this.flush());
  }

  load() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "[]");
    } catch {
      return [];
    }
  }

  save() {
    localStorage.setItem(this.key, JSON.stringify(this.items));
    this.dispatchEvent(new Event("change"));
  }

  // `row`: a stock-taking card's {fields: [{key, value}], exists} (participant_stock.js).
  add(boardId, text, row = null) {
    const item = { client_id: newClientId(), board_id: boardId, text, status: "sending", ...row };
    this.items.push(item);
    this.save();
    this.flush();
    return item;
  }

  dismiss(clientId) {
    this.items = this.items.filter((item) => item.client_id !== clientId);
    this.save();
  }

  markWaiting() {
    for (const item of this.items) if (item.status !== "failed") item.status = "waiting";
    this.save();
  }

  async flush() {
    if (!this.live.socket.connected) return;
    if (this.flushing) {
      // An idea written while the previous one is on its way goes right after it, not at the
      // next reconnect.
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    this.flushAgain = false;
    let retry = false;
    for (const item of this.items.filter((i) => i.status !== "failed")) {
      item.status = ["sending", "throttled"].includes(item.status) ? item.status : "retrying";
      this.save();
      const payload = { board_id: item.board_id, client_id: item.client_id, text: item.text };
      if (item.fields) Object.assign(payload, { fields: item.fields, exists: item.exists });
      const answer = await this.live.call("post_idea", payload);
      if (answer.ok) {
        this.items = this.items.filter((i) => i.client_id !== item.client_id);
        this.dispatchEvent(new CustomEvent("sent", { detail: answer.idea }));
      } else if (RETRYABLE.has(answer.error)) {
        // Too fast for the server's limits: kept here like an idea sent while offline, and sent
        // again after a pause (the phone says so instead of "not sent").
        item.status = answer.error === "rate_limited" ? "throttled" : "retrying";
        retry = true;
        break;
      } else {
        // The server refused it (closed board, too long...): resending would change nothing.
        item.status = "failed";
        item.message = answer.message;
      }
      this.save();
    }
    this.flushing = false;
    if (retry) {
      const delay = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)];
      setTimeout(() => this.flush(), delay);
    } else {
      this.attempt = 0;
      if (this.flushAgain) this.flush();
    }
  }
}

// No answer in time, or the server shedding load: the same card, sent again a little later.
const RETRYABLE = new Set(["timeout", "busy", "server_error", "rate_limited"]);

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
