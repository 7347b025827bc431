// Count texts in the page's language: the server sends each count text as {CLDR category: text}
// (facilitator/plurals.py), and Intl.PluralRules names the category of a number. No count text
// is built by hand ("1 Ideen"): Arabic has six forms, Russian and Ukrainian three.
const root = document.documentElement;
// Dari's rules are Persian ones; browsers may not know `prs` and would fall back to English.
const rules = new Intl.PluralRules(root.dataset.pluralLocale || root.lang || undefined);

// "{count} ideas" style placeholders, filled with plain values (never HTML). Own copy: pages
// without a live connection (photos) import this module too.
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

export function countText(forms, count, values = {}) {
  const text = typeof forms === "string" ? forms : (forms[rules.select(count)] ?? forms.other);
  return fill(text, { count, ...values });
}
