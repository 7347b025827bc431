// The facilitator's translations of the workshop content, as every workshop payload carries
// them: {kind: {id: {field: {lang: text}}}}. Phones pick their language, the projector its
// second language; the original always stays reachable.
export function translated(workshop, kind, id, field, lang) {
  if (!workshop || !lang) return null;
  return workshop.translations?.[kind]?.[String(id)]?.[field]?.[lang] ?? null;
}
