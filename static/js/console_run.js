// The console's "run the workshop" panel: phases, timer, projector, dot voting, consent check,
// impact/effort matrix and measures, a module each. What it shows comes from the live state;
// each control sends one facilitator action and shows the server's refusal beside it. Parts are
// updated in place (tallies arrive twice a second while a hall votes), so focus and half-typed
// forms survive.
import { live } from "./console_state.js";
import { renderPhases, renderTimer } from "./console_phases.js";
import { renderProjector } from "./console_projector_choice.js";
import "./console_tabs.js";
import { renderBoardPicks, updateSuggestion } from "./console_round_forms.js";
import { renderRounds } from "./console_rounds.js";
import { renderMatrix } from "./console_matrix.js";
import { renderMeasureChoices, renderMeasures } from "./console_measures.js";

function render() {
  if (!live.workshop) return;
  renderPhases();
  renderTimer();
  renderBoardPicks();
  updateSuggestion();
  renderRounds("dots");
  renderRounds("consent");
  renderMatrix();
  renderMeasureChoices();
  renderMeasures();
  renderProjector();  // last: it marks the projector buttons the other parts drew
}

live.addEventListener("change", render);
render();
