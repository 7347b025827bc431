// The process page's events table stays current without a reload: while the page is visible it
// asks the server for each event's state and counts every few seconds
// (/console/process/<id>/live.json) and writes what changed into the table. Hidden pages ask
// nothing; coming back asks at once. Changed counts are announced politely in one live region
// ("Auftakt: Cards 5"); the table itself is not a live region, so nothing else is read out.
import { $, $$, setText } from "./dom.js";

const EVERY_MS = 5000;
const table = $("[data-events][data-live-url]");
const announce = $("[data-live-announce]");

// The column headings name the counts in the page's language.
function headings() {
  const names = {};
  const cells = $$("thead th", table);
  const first = $("tbody tr", table);
  if (!first) return names;
  [...first.children].forEach((cell, index) => {
    const key = cell.dataset.count || (cell.hasAttribute("data-state") ? "state" : null);
    if (key && cells[index]) names[key] = cells[index].textContent.trim();
  });
  return names;
}

function apply(rows, names) {
  const said = [];
  for (const row of rows) {
    const tr = $(`tr[data-event="${Number(row.id)}"]`, table);
    if (!tr) continue;  // an event made meanwhile: shown on the next reload
    const title = ($("th", tr)?.textContent || "").trim();
    const changed = [];
    const state = $("[data-state]", tr);
    if (state && state.textContent !== row.state_label) {
      setText(state, row.state_label);
      changed.push(`${names.state || ""} ${row.state_label}`.trim());
    }
    for (const key of ["participants", "cards", "votes"]) {
      const cell = $(`[data-count="${key}"]`, tr);
      const text = String(row[key]);
      if (cell && cell.textContent.trim() !== text) {
        setText(cell, text);
        changed.push(`${names[key] || key} ${text}`);
      }
    }
    if (changed.length) said.push(`${title}: ${changed.join(", ")}`);
  }
  if (said.length && announce) setText(announce, said.join("; "));
}

if (table) {
  const names = headings();
  let timer = null;
  let busy = false;

  async function refresh() {
    if (busy || document.visibilityState !== "visible") return;
    busy = true;
    try {
      const response = await fetch(table.dataset.liveUrl, {
        credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store",
      });
      if (response.ok) apply((await response.json()).events || [], names);
    } catch {
      // Offline for a moment: the next tick tries again.
    } finally {
      busy = false;
    }
  }

  function schedule() {
    clearInterval(timer);
    timer = document.visibilityState === "visible" ? setInterval(refresh, EVERY_MS) : null;
  }

  document.addEventListener("visibilitychange", () => {
    schedule();
    if (document.visibilityState === "visible") refresh();
  });
  schedule();
}
