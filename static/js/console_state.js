// What every part of the console shares: its page data, texts and one live connection.
import { LiveWorkshop, pageData, politeAnnouncer } from "./live.js";

export const data = pageData();
export const T = data.text;
export const live = new LiveWorkshop({ role: "staff", code: data.code });
export const announce = politeAnnouncer(document.querySelector("[data-announcer]"));

// Send a facilitator action; returns the server's answer ({ok, error?, message?, ...}).
export function request(event, payload = {}) {
  return live.call(event, payload);
}
