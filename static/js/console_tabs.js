// The run panel's tabs (dot voting, consent check, matrix, measures): the WAI-ARIA tabs pattern,
// arrow keys move between tabs; the last tab chosen stays chosen on this device.
import { $$ } from "./console_panel.js";

const tabs = $$("[data-run-tab]");

export function selectTab(name, focus = false) {
  for (const tab of tabs) {
    const on = tab.dataset.runTab === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    if (on && focus) tab.focus();
  }
  for (const tabpanel of $$("[data-run-tabpanel]")) tabpanel.hidden = tabpanel.dataset.runTabpanel !== name;
  sessionStorage.setItem("facilitator.run-tab", name);
}

for (const [index, tab] of tabs.entries()) {
  tab.addEventListener("click", () => selectTab(tab.dataset.runTab));
  tab.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    selectTab(tabs[(moves[event.key] + tabs.length) % tabs.length].dataset.runTab, true);
  });
}
selectTab(sessionStorage.getItem("facilitator.run-tab") || "dots");

