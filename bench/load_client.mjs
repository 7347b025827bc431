// One load-client process for bench/realtime.py: a slice of the simulated phones, each an
// official socket.io-client connection as a browser opens it (HTTP long-polling first, then the
// WebSocket upgrade, permessage-deflate offered).
//
// Talks to realtime.py over JSON lines: reads its config from the file named in argv[2];
// prints {"type":"ready"} once every phone is connected; then, for each {"type":"go", burst, t0,
// posters} on stdin, posts one idea per phone at t0 + its offset and prints {"type":"result"}
// when every expected broadcast of that burst has arrived (or the drain deadline passes);
// {"type":"stop"} (or the end of stdin) disconnects every phone and exits.
//
// Times are wall-clock milliseconds with sub-millisecond resolution (performance.timeOrigin +
// performance.now()), so emit and receive times from different processes on the same machine
// can be compared. Receipts are aggregated here per idea (count and last arrival among the
// members of the idea's board, and among all phones) to keep the result small.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { performance, monitorEventLoopDelay } from "node:perf_hooks";
import { io } from "socket.io-client";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const FAC = cfg.mode === "facilitator";
const now = () => performance.timeOrigin + performance.now();
const send = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const log = (...args) => { if (cfg.verbose) process.stderr.write(`[worker ${cfg.worker}] ${args.join(" ")}\n`); };

const phones = [];           // {idx, board, socket, connected, seq, syncing}
// Per burst: what was posted, what arrived, counters. Reset by newBurst().
let receipts, posts, stats, midPrefix = null;
let expectedBoard = Infinity, expectedAll = Infinity, gotBoard = 0, gotAll = 0;
let finishResolve = () => {};

function newBurst(prefix) {
  receipts = new Map();  // mid -> {board, n_board, last_board, n_all, last_all}
  posts = [];            // {idx, mid, board, t_emit, t_ack, ok, error}
  stats = { disconnects: 0, connect_errors: 0, other_events: 0, seq_gaps: 0,
            seq_out_of_order: 0, syncs_sent: 0, syncs_failed: 0, duplicates: 0 };
  midPrefix = prefix;
  expectedBoard = expectedAll = Infinity;
  gotBoard = gotAll = 0;
}
newBurst(null);

function receive(phone, mid, board) {
  const t = now();
  // Only this burst's ideas count (a straggler from an earlier burst must not end this one).
  if (midPrefix === null || typeof mid !== "string" || !mid.startsWith(midPrefix)) return;
  let r = receipts.get(mid);
  if (!r) {
    r = { board, n_board: 0, last_board: 0, n_all: 0, last_all: 0 };
    receipts.set(mid, r);
  }
  r.n_all += 1; gotAll += 1;
  if (t > r.last_all) r.last_all = t;
  if (String(board) === String(phone.board)) {
    r.n_board += 1; gotBoard += 1;
    if (t > r.last_board) r.last_board = t;
  }
  if (gotBoard >= expectedBoard && gotAll >= expectedAll) finishResolve();
}

// What live.js does on a gap in sequence numbers: ask the server for what was missed.
function phoneSync(phone) {
  if (phone.syncing) return;
  phone.syncing = true;
  stats.syncs_sent += 1;
  phone.socket.timeout(cfg.ackTimeoutMs).emit("sync", { since: phone.seq }, (err, answer) => {
    phone.syncing = false;
    if (err || !answer || !answer.ok) { stats.syncs_failed += 1; return; }
    phone.seq = answer.seq;
  });
}

function onFacilitatorChange(phone, payload) {
  for (const idea of payload.ideas || []) receive(phone, idea.client_id, idea.board_id);
  if (typeof payload.seq !== "number" || phone.seq === null) return;
  if (payload.seq === phone.seq + 1) {
    phone.seq = payload.seq;
  } else if (payload.seq > phone.seq + 1) {
    stats.seq_gaps += 1;  // a real phone would call sync() here
    if (cfg.phoneSync) phoneSync(phone);
  } else {
    stats.seq_out_of_order += 1;  // older than what the phone has: applied, seq unchanged
  }
}

function connectPhone(spec) {
  return new Promise((resolve) => {
    const opts = {
      perMessageDeflate: cfg.deflate ? { threshold: 1024 } : false,  // browsers offer it
      forceNew: true,             // one engine.io connection per phone, as on separate devices
      reconnectionDelayMax: 5000, // as static/js/live.js
      transports: cfg.transports,
      timeout: cfg.connectTimeoutMs,
    };
    if (FAC) {
      opts.auth = { role: "participant", code: cfg.code, board_id: spec.board };
      opts.extraHeaders = { Cookie: `${cfg.cookieName}=${spec.cookie}` };
    }
    const socket = io(spec.url || cfg.url, opts);
    const phone = { idx: spec.idx, board: spec.board, offsetsMs: spec.offsetsMs, socket,
                    connected: false, seq: null, syncing: false };
    let settled = false;
    const settle = (ok, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ phone, ok, error });
    };
    const timer = setTimeout(() => settle(false, "setup timeout"), cfg.connectTimeoutMs + 5000);
    let retries = 0;
    socket.on("connect_error", (err) => {
      stats.connect_errors += 1;
      if (settled) return;
      // The server could not answer at that instant: ask again as static/js/live.js does.
      if (err.message === "retry") {
        setTimeout(() => socket.connect(), Math.min(8000, 500 * 2 ** retries));
        retries += 1;
        return;
      }
      socket.close();
      settle(false, `connect_error: ${err.message}`);
    });
    socket.on("disconnect", () => { if (phone.connected) stats.disconnects += 1; });
    socket.onAny((event) => {
      if (event !== "idea_added" && event !== "idea_posted") stats.other_events += 1;
    });
    if (FAC) {
      socket.on("idea_posted", (payload) => onFacilitatorChange(phone, payload));
    } else {
      socket.on("idea_added", (payload) => receive(phone, payload.mid, payload.board));
    }
    socket.once("connect", () => {
      // Join the board (bare) or fetch the state like a phone's first sync (Facilitator).
      // With fanout "workshop" a bare phone joins every board's room: Facilitator's fan-out.
      const calls = FAC ? [["sync", { since: 0 }]]
        : (cfg.fanout === "workshop" ? cfg.boards : [spec.board])
          .map((board) => ["join", { board: String(board) }]);
      let pending = calls.length;
      const send = (event, data) => {
        socket.timeout(cfg.ackTimeoutMs).emit(event, data, (err, answer) => {
          if (!err && answer && answer.error === "busy") {
            // The server shed load: ask again shortly, as static/js/live.js does.
            stats.busy = (stats.busy || 0) + 1;
            setTimeout(() => send(event, data), 300 * (1 + Math.random()));
            return;
          }
          if (err || !answer || (FAC && !answer.ok)) {
            settle(false, `${event} failed: ${err ? err.message : JSON.stringify(answer)}`);
            return;
          }
          if (FAC) phone.seq = answer.seq;
          if (--pending === 0) {
            phone.connected = true;
            settle(true);
          }
        });
      };
      for (const [event, data] of calls) send(event, data);
    });
  });
}

async function connectAll() {
  const queue = [...cfg.phones];
  const failed = [];
  async function lane() {
    while (queue.length) {
      const spec = queue.shift();
      const { phone, ok, error } = await connectPhone(spec);
      if (ok) phones.push(phone);
      else failed.push({ idx: spec.idx, error });
    }
  }
  await Promise.all(Array.from({ length: cfg.connectConcurrency }, lane));
  return failed;
}

function post(phone) {
  const mid = `${midPrefix}${phone.idx}-${Math.random().toString(36).slice(2, 10)}`;
  const text = `Idee ${phone.idx}: mehr Sprachkurse am Abend, mit Kinderbetreuung vor Ort.`;
  const rec = { idx: phone.idx, mid, board: phone.board, t_emit: now(), t_ack: null, ok: null,
                error: null };
  posts.push(rec);
  const [event, data] = cfg.dots
    ? ["place_dot", { round_id: cfg.roundId, client_id: mid,
                      target_id: cfg.targetIds[(phone.idx + posts.length) % cfg.targetIds.length] }]
    : FAC
      ? ["post_idea", { board_id: phone.board, client_id: mid, text }]
      : ["post_idea", { board: String(phone.board), text, mid, ts: rec.t_emit }];
  const send = () => phone.socket.timeout(cfg.ackTimeoutMs).emit(event, data, (err, answer) => {
    if (!err && answer && answer.error === "busy") {
      stats.busy = (stats.busy || 0) + 1;  // shed: sent again shortly, as the page does
      setTimeout(send, 300 * (1 + Math.random()));
      return;
    }
    rec.t_ack = now();
    if (err) { rec.ok = false; rec.error = "ack timeout"; return; }
    rec.ok = FAC ? Boolean(answer && answer.ok) : Boolean(answer && answer.id);
    if (!rec.ok) rec.error = JSON.stringify(answer).slice(0, 200);
    if (FAC && answer && answer.duplicate) stats.duplicates += 1;
    if (cfg.dots) checkDotsDone();
  });
  send();
}

// Dots mode: one projector connection (worker 0) records every tally it is sent, so the time
// from a dot's emit until the wall shows a total that includes it can be measured.
const tallies = [];  // {t, total}
let projector = null;

function connectProjector() {
  return new Promise((resolve) => {
    projector = io(cfg.url, { forceNew: true, transports: cfg.transports,
                              perMessageDeflate: false, auth: { role: "screen", key: cfg.screenKey } });
    projector.on("votes_changed", (payload) => {
      for (const round of payload.rounds || []) {
        if (round.id !== cfg.roundId || !round.results) continue;
        tallies.push({ t: now(), total: round.results.reduce((sum, row) => sum + row.score, 0) });
      }
      checkDotsDone();
    });
    projector.once("connect", () => projector.emit("sync", { since: 0 }, () => resolve()));
  });
}

function checkDotsDone() {
  if (!cfg.dots || !posts.length || posts.some((p) => p.ok === null)) return;
  if (!cfg.projector) { finishResolve(); return; }
  if (tallies.length && tallies[tallies.length - 1].total >= dotsExpected + dotsBefore) finishResolve();
}

let dotsBefore = 0;
let dotsExpected = Infinity;  // every phone's dot, all workers together

async function main() {
  const tConnect = now();
  const failed = await connectAll();
  if (cfg.projector) await connectProjector();
  send({ type: "ready", connected: phones.map((p) => p.idx), failed,
         connect_s: (now() - tConnect) / 1000 });

  const messages = [];
  let wake = null;
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => { messages.push(JSON.parse(line)); if (wake) wake(); });
  lines.on("close", () => { messages.push({ type: "stop" }); if (wake) wake(); });
  const next = async () => {
    while (!messages.length) await new Promise((resolve) => { wake = resolve; });
    wake = null;
    return messages.shift();
  };
  for (;;) {
    const msg = await next();
    if (msg.type === "stop") break;
    if (msg.type === "go") send(await burst(msg));
  }

  for (const phone of phones) phone.socket.close();
  if (projector) projector.close();
  setTimeout(() => process.exit(0), 200);
}

async function burst(go) {
  newBurst(`r${cfg.run}b${go.burst}-`);
  const done = new Promise((resolve) => { finishResolve = resolve; });
  // Every phone here should receive every post of its board (and, Facilitator, of the workshop).
  expectedBoard = phones.reduce((sum, p) => sum + (go.posters[String(p.board)] || 0), 0);
  expectedAll = cfg.fanout === "workshop" ? phones.length * go.totalPosters : expectedBoard;
  if (!cfg.dots && gotBoard >= expectedBoard && gotAll >= expectedAll) finishResolve();

  for (const phone of phones) {
    const name = phone.socket.io.engine && phone.socket.io.engine.transport
      ? phone.socket.io.engine.transport.name : "none";
    stats[`transport_${name}`] = (stats[`transport_${name}`] || 0) + 1;
  }
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  if (cfg.dots) {
    // Nothing is broadcast per dot: the burst ends when every dot is answered (and the
    // projector shows them all).
    expectedBoard = expectedAll = 0;
    dotsBefore = tallies.length ? tallies[tallies.length - 1].total : 0;
    dotsExpected = go.totalPosters;
    tallies.length = 0;
  }
  for (const phone of phones) {
    // A warm-up burst (--warmup): one post a phone, anywhere in its window, not measured.
    const offsets = go.warmup ? [Math.random() * go.windowMs] : phone.offsetsMs;
    for (const offset of offsets) {
      setTimeout(() => post(phone), Math.max(0, go.t0 + offset - now()));
    }
  }
  const deadline = go.t0 + go.windowMs + go.drainMs;
  const timer = setTimeout(finishResolve, Math.max(0, deadline - now()));
  await done;
  clearTimeout(timer);
  // Acks may trail the last broadcast slightly; give them a moment (bounded).
  const ackDeadline = Math.min(deadline, now() + 2000);
  while (posts.some((p) => p.ok === null) && now() < ackDeadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  lag.disable();
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const result = {
    type: "result",
    worker: cfg.worker,
    burst: go.burst,
    posts,
    receipts: Object.fromEntries(receipts),
    expected_board: expectedBoard, got_board: gotBoard,
    expected_all: expectedAll, got_all: gotAll,
    stats,
    event_loop: { utilization: elu.utilization, lag_p99_ms: lag.percentile(99) / 1e6,
                  lag_max_ms: lag.max / 1e6 },
    cpu_s: (cpu.user + cpu.system) / 1e6,
    tallies: cfg.projector ? tallies.slice() : [],
    dots_before: dotsBefore,
  };
  midPrefix = null;  // late arrivals from now on are ignored
  return result;
}

main().catch((err) => {
  process.stderr.write(`load_client failed: ${err.stack || err}\n`);
  process.exit(1);
});
