// What every part of the console shares: its page data, texts and one live connection, and the
// one way an action is sent (the server decides; its refusal is shown where the action was).
import { sendAndShow } from "./dom.js";
import { LiveWorkshop, pageData, politeAnnouncer } from "./live.js";

export const data = pageData();
export const T = data.text;
export const live = new LiveWorkshop({ role: "staff", code: data.code });
export const announce = politeAnnouncer(document.querySelector("[data-announcer]"));

// Send a facilitator action; returns the server's answer ({ok, error?, message?, ...}).
export function request(event, payload = {}) {
  return live.call(event, payload);
}

// Send an action and show its refusal (or the lost connection) in `errorNode`. Undoable actions
// answer with the history, which the undo bar (console_history.js) shows.
export async function act(errorNode, event, payload) {
  const answer = await sendAndShow(request, errorNode, event, payload, T.offline);
  if (answer.history) {
    document.dispatchEvent(new CustomEvent("facilitator:history", { detail: answer.history }));
  }
  return answer;
}
