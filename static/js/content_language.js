// The facilitator's translations of the workshop content, as every workshop payload carries
// them: {kind: {id: {field: {lang: text}}}}. Phones pick their language, the projector its
// second language; the original always stays reachable.
export function translated(workshop, kind, id, field, lang) {
  if (!workshop || !lang) return null;
  return workshop.translations?.[kind]?.[String(id)]?.[field]?.[lang] ?? null;
}

// A field in the reader's language with its original right under it, read in the original's
// language by screen readers (for short texts: vote questions, consent options).
export function showBilingual(node, workshop, kind, id, field, original) {
  const lang = document.documentElement.lang;
  const translation = translated(workshop, kind, id, field, lang);
  if (!translation || translation === original) {
    node.textContent = original;
    return;
  }
  node.textContent = translation;
  const line = document.createElement("span");
  line.className = "original-text";
  line.setAttribute("lang", workshop.language);
  line.setAttribute("dir", "auto");
  line.textContent = original;
  node.append(" ", line);
}
