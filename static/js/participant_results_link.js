// The link to the results page appears on the phone as soon as the facilitator publishes the
// results (and goes again if they close it), without a reload: the workshop object says so.
import { live } from "./participant_state.js";

const row = document.querySelector("[data-results-link-row]");

function showLink() {
  if (row && live.workshop) row.hidden = !live.workshop.results_published;
}

live.addEventListener("change", showLink);
showLink();  // the first sync may have arrived before this script ran
