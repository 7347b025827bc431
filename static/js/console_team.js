// Who else runs this workshop right now: the names of colleagues with the console open, from
// the staff-only `facilitators` list of presence_changed (phones and the projector never get it).
import { fill } from "./live.js";
import { live } from "./console_state.js";

const slot = document.querySelector("[data-console-team]");
const me = Number(slot?.dataset.me);
const names = new Intl.ListFormat(document.documentElement.lang || undefined,
  { style: "long", type: "conjunction" });

function show(facilitators) {
  const others = facilitators.filter((person) => person.id !== me).map((person) => person.name);
  // Names are typed by people: set as text, never as HTML.
  slot.textContent = others.length ? fill(slot.dataset.template, { names: names.format(others) }) : "";
  slot.hidden = others.length === 0;
}

if (slot) {
  live.addEventListener("presence", ({ detail }) => show(detail.facilitators || []));
  // Reconnecting: the list comes again with the next presence_changed; until then say nothing
  // that may be stale.
  live.addEventListener("connection", ({ detail }) => { if (detail.state !== "connected") show([]); });
}
