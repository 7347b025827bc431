// Shared by the console, the phone and the projector: how prioritisation results are ordered,
// labelled and placed, and small DOM helpers that keep the keyboard focus where it was.

// An id made on the phone for each dot: the server counts an id once, so a resend after a lost
// answer can never put the same dot down twice.
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// "2=" for a shared rank: the sign is text, so a tie never depends on colour alone.
export function rankText(row) {
  return row.tie ? `${row.rank}=` : String(row.rank);
}

const decimal = new Intl.NumberFormat(document.documentElement.lang || undefined,
  { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export function formatMean(value) {
  return decimal.format(value);
}

export function consentMean(row) {
  return row.answers ? row.score / row.answers : 0;
}

// The facilitator's final order, then whatever it leaves out in the order of the votes.
export function finalOrder(round) {
  const ids = (round.targets || []).map((target) => target.id);
  const byVotes = (round.results || []).map((row) => row.id);
  const base = byVotes.length ? byVotes : ids;
  const chosen = (round.final_order || []).filter((id) => ids.includes(id));
  return [...chosen, ...base.filter((id) => !chosen.includes(id))];
}

// Impact/effort quadrant of a placed cluster (x: effort, y: impact, each 0..1).
export function quadrant(x, y) {
  if (x === null || x === undefined || y === null || y === undefined) return null;
  if (y >= 0.5) return x < 0.5 ? "quick_wins" : "major_projects";
  return x < 0.5 ? "fill_ins" : "thankless";
}

// A place 0..1 as a CSS percentage (0.4 * 100 is 40.00000000000001 in floating point).
export function percent(value) {
  return `${Math.round(value * 1000) / 10}%`;
}

export const QUADRANTS = ["quick_wins", "major_projects", "fill_ins", "thankless"];

// Board titles a round covers, or `whole` when it covers the whole workshop.
export function scopeText(live, round, whole) {
  if (!round.board_ids.length) return whole;
  return round.board_ids.map((id) => live.boards.get(id)?.title).filter(Boolean).join(", ");
}

// Replace a container's children and, when the focus was inside, put it back on the control
// with the same `data-focus-key` (screens rebuild parts of themselves on every live change).
export function replaceKeepingFocus(container, nodes) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : null;
  container.replaceChildren(...nodes);
  if (key) container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

export function readTexts(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

// Newest first: the round the facilitator just opened is the one people look for.
export function newestFirst(rounds) {
  return [...rounds].sort((a, b) => b.id - a.id);
}
