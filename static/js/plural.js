// Count texts in the page's language: the server sends each count text as {CLDR category: text}
// (facilitator/plurals.py), and Intl.PluralRules names the category of a number. No count text
// is built by hand ("1 Ideen"): Arabic has six forms, Russian and Ukrainian three.
import { fill } from "./live.js";

const root = document.documentElement;
// Dari's rules are Persian ones; browsers may not know `prs` and would fall back to English.
const rules = new Intl.PluralRules(root.dataset.pluralLocale || root.lang || undefined);

export function countText(forms, count, values = {}) {
  const text = typeof forms === "string" ? forms : (forms[rules.select(count)] ?? forms.other);
  return fill(text, { count, ...values });
}
