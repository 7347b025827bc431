// Who else runs this workshop right now: the names of colleagues with the console open, from
// the staff-only `facilitators` list of presence_changed (phones and the projector never get it),
// and the last heading a colleague gave a cluster, so a rename that replaced one's own is seen.
import { el, fill } from "./live.js";
import { live } from "./console_state.js";

const slot = document.querySelector("[data-console-team]");
const me = Number(slot?.dataset.me);
const names = new Intl.ListFormat(document.documentElement.lang || undefined,
  { style: "long", type: "conjunction" });
const headings = new Map();  // cluster id → heading as this console last knew it
let team = [];

// Two lines: who is here, and the last rename by a colleague; each shown only when it says something.
function parts() {
  if (!slot.children.length) slot.append(el("span"), el("br"), el("span"));
  const [people, lineBreak, rename] = slot.children;
  return { people, lineBreak, rename };
}

function layout() {
  const { people, lineBreak, rename } = parts();
  people.hidden = !people.textContent;
  rename.hidden = !rename.textContent;
  lineBreak.hidden = people.hidden || rename.hidden;
  slot.hidden = people.hidden && rename.hidden;
}

function showTeam(facilitators) {
  team = facilitators;
  const others = facilitators.filter((person) => person.id !== me).map((person) => person.name);
  // Names are typed by people: set as text, never as HTML.
  parts().people.textContent = others.length ? fill(slot.dataset.template, { names: names.format(others) }) : "";
  layout();
}

function showRename(by, before, after) {
  const name = team.find((person) => person.id === by)?.name;
  parts().rename.textContent = fill(name ? slot.dataset.renamed : slot.dataset.renamedAnonymous,
    { name, old: before, new: after });
  layout();
}

function noteHeadings({ payload }) {
  for (const cluster of payload?.clusters || []) {
    const known = headings.get(cluster.id);
    if (payload.by && payload.by !== me && cluster.state === "active" && known !== undefined &&
        known !== cluster.heading) {
      showRename(payload.by, known, cluster.heading);
    }
  }
  rememberHeadings();
}

function rememberHeadings() {
  for (const cluster of live.clusters.values()) headings.set(cluster.id, cluster.heading);
}

if (slot) {
  // This script may run after the first sync arrived (live.js, onConnection): start from it.
  rememberHeadings();
  live.addEventListener("presence", ({ detail }) => showTeam(detail.facilitators || []));
  live.addEventListener("change", ({ detail }) => noteHeadings(detail));
  // Reconnecting: the list comes again with the next presence_changed; until then say nothing
  // that may be stale.
  live.onConnection((detail) => { if (detail.state !== "connected") showTeam([]); });
}
