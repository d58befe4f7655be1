// Escaping for the few hot views built as strings (rule rows, policy rows): hono/jsx costs ~7 µs per element,
// which made a 200-rule editor take 125 ms (bench/ui.ts); template strings with this escaper take a fraction.
import { raw } from 'hono/html';

const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value, escaped for HTML. */
export const esc = (s: string | number): string => {
  const t = String(s);
  return /[&<>"']/.test(t) ? t.replace(/[&<>"']/g, (c) => map[c]!) : t;
};

/** Marks a string built from escaped parts as HTML for hono/jsx. */
export const trusted = (s: string) => raw(s);
