// What every part of the phone's board page shares: page data, texts, one live connection.
import { LiveWorkshop, pageData } from "./live.js";

export const data = pageData();
export const T = data.text;
export const live = new LiveWorkshop({ role: "participant", code: data.code, board_id: data.board_id });
