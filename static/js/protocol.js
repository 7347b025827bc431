// Generated from facilitator/protocol.py by `python -m facilitator.protocol > static/js/protocol.js`:
// do not edit by hand (tests/test_protocol.py fails when the two differ).

// Client → server events and who may send them.
export const CLIENT_EVENTS = Object.freeze({
  "sync": ["participant", "staff", "screen"],
  "post_idea": ["participant"],
  "edit_idea": ["participant"],
  "withdraw_idea": ["participant"],
  "place_dot": ["participant"],
  "remove_dot": ["participant"],
  "rate_option": ["participant"],
  "update_board": ["staff"],
  "set_phase": ["staff"],
  "set_timer": ["staff"],
  "set_projector": ["staff"],
  "set_projector_paging": ["staff"],
  "create_cluster": ["staff"],
  "update_cluster": ["staff"],
  "move_cluster": ["staff"],
  "dissolve_cluster": ["staff"],
  "merge_clusters": ["staff"],
  "move_idea": ["staff"],
  "hide_idea": ["staff"],
  "correct_idea": ["staff"],
  "merge_duplicates": ["staff"],
  "place_on_matrix": ["staff"],
  "save_measure": ["staff"],
  "delete_measure": ["staff"],
  "undo": ["staff"],
  "redo": ["staff"],
  "history": ["staff"],
  "mute_participant": ["staff"],
  "hide_cards": ["staff"],
  "list_participants": ["staff"],
  "open_round": ["staff"],
  "update_round": ["staff"],
});

// Server → client events.
export const SERVER_EVENTS = Object.freeze(["idea_posted", "idea_updated", "board_updated", "workshop_updated", "arrangement_changed", "measure_updated", "round_updated", "votes_changed", "presence_changed", "moderation_changed"]);

// Server events that carry the workshop's sequence number.
export const SEQUENCED_EVENTS = Object.freeze(["idea_posted", "idea_updated", "board_updated", "workshop_updated", "arrangement_changed", "measure_updated", "round_updated"]);

// Refusals the protocol itself answers with (besides the domain's codes).
export const PROTOCOL_ERRORS = Object.freeze(["unknown_event", "invalid_input", "rate_limited", "server_error", "forbidden"]);
