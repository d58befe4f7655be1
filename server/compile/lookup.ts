// Lookup data and tests for one match field: CIDR tables per prefix length, port tables and ranges, domain suffix tables.
import type { Expr, Stmt, TableField } from '../lua/ast.js';
import { and, band, bool, call, eq, ge, hex, id, index, int, keyed, le, list, local, or, str, table } from '../lua/build.js';
import type { PortRange, Prefix } from './ir.js';
import type { SharedTables } from './shared.js';

/*
 * Address design. The script reads addresses as host-order 32-bit words (ntoh32 of getuint32): one
 * for IPv4, four for IPv6. A prefix of length L is looked up in the table for L, nested by word:
 * IPv4 `t[a & mask]`; IPv6 /48 `(t[w1] or EMPTY)[w2 & 0xFFFF0000]`, /128 four levels deep. So a lookup
 * costs one probe per distinct prefix length in the set, allocates nothing (no byte strings are cut
 * or masked per packet), and never uses 64-bit arithmetic: hex literals and ntoh32 results wrap the
 * same way on a 32-bit lua_Integer build, so the keys still agree there.
 */

/** Inline comparisons read better than a table for a handful of elements. */
const INLINE_MAX = 3;

export function maskOf(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/** How a prefix of length `len` is looked up: the words it spans and the mask of the last one. */
export function prefixShape(len: number): { words: number; mask: number } {
  const words = Math.max(1, Math.ceil(len / 32));
  return { words, mask: maskOf(len - 32 * (words - 1)) };
}

const empty = id('EMPTY');

/** `((t[a] or EMPTY)[b] or EMPTY)[c & mask]`: a nested lookup that never indexes nil. */
function nestedLookup(t: Expr, vars: Expr[], mask: number): Expr {
  let e = t;
  vars.forEach((v, i) => {
    const last = i === vars.length - 1;
    const key = last && mask !== 0xffffffff ? band(v, hex(mask)) : v;
    const obj = i === 0 ? e : or(e, empty);
    e = index(obj, key);
  });
  return e;
}

type Nested = Map<number, Nested | number | true>;

function nestedTable(n: Nested): Expr {
  const keys = [...n.keys()].sort((a, b) => a - b);
  const fields: TableField[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = n.get(keys[i])!;
    fields[i] = keyed(hex(keys[i]), v === true ? bool(true) : typeof v === 'number' ? int(v) : nestedTable(v));
  }
  return table(fields);
}

interface LengthGroup {
  len: number;
  /** Words kept per prefix: the ones the length spans. */
  words: number;
  mask: number;
  /** Nested by word; leaves are the rule number (or true). */
  root: Nested;
  /** Distinct prefixes, each as its spanned words (for inline comparisons). */
  unique: number[][];
}

/** Prefixes grouped by length, longest first, deduplicated into nested tables keeping the lowest value. */
function byLength(items: { prefix: Prefix; value: number | true }[]): LengthGroup[] {
  const groups = new Map<number, LengthGroup>();
  for (const { prefix, value } of items) {
    let g = groups.get(prefix.len);
    if (!g) {
      g = { len: prefix.len, ...prefixShape(prefix.len), root: new Map(), unique: [] };
      groups.set(prefix.len, g);
    }
    let cur = g.root;
    for (let i = 0; i < g.words - 1; i++) {
      let next = cur.get(prefix.words[i]);
      if (!(next instanceof Map)) {
        next = new Map();
        cur.set(prefix.words[i], next);
      }
      cur = next;
    }
    const last = prefix.words[g.words - 1];
    const old = cur.get(last);
    if (old === undefined) g.unique.push(prefix.words.slice(0, g.words));
    if (old === undefined || (typeof old === 'number' && typeof value === 'number' && value < old)) cur.set(last, value);
  }
  return [...groups.entries()].sort((a, b) => b[0] - a[0]).map((e) => e[1]);
}

export interface FieldCode {
  locals: Stmt[];
  test: Expr;
}

/** Address in any of the prefixes (one rule): inline comparisons or per-length tables. */
export function cidrTest(name: string, vars: Expr[], prefixes: Prefix[]): FieldCode {
  const locals: Stmt[] = [];
  const terms: Expr[] = [];
  for (const g of byLength(prefixes.map((prefix) => ({ prefix, value: true as const })))) {
    const { words, mask } = g;
    if (g.unique.length <= INLINE_MAX) {
      for (const w of g.unique) {
        terms.push(and(...w.map((word, i) => (i === words - 1 && mask !== 0xffffffff ? eq(band(vars[i], hex(mask)), hex(word)) : eq(vars[i], hex(word))))));
      }
      continue;
    }
    const t = `${name}_${g.len}`;
    locals.push(local(t, nestedTable(g.root)));
    terms.push(nestedLookup(id(t), vars.slice(0, words), mask));
  }
  return { locals, test: or(...terms) };
}

/** The lowest rule number whose prefixes hold the address (merged rules): a helper walks the lengths. */
export function cidrBest(name: string, vars: Expr[], family: 4 | 6, perRule: { rule: number; prefixes: Prefix[] }[]): FieldCode {
  const items = perRule.flatMap((r) => r.prefixes.map((prefix) => ({ prefix, value: r.rule })));
  const entries = byLength(items).map((g) => (family === 4 ? list([hex(g.mask), nestedTable(g.root)]) : list([int(g.words), hex(g.mask), nestedTable(g.root)])));
  const t = `${name}_sets`;
  return { locals: [local(t, list(entries))], test: call(id(family === 4 ? 'best4' : 'best6'), id(t), ...vars) };
}

function rangeTerms(v: Expr, ranges: PortRange[]): Expr[] {
  return ranges.map((r) => (r.lo === r.hi ? eq(v, int(r.lo)) : and(ge(v, int(r.lo)), le(v, int(r.hi)))));
}

/** Port in the ranges (one rule): comparisons, or an exact-port table plus a binary search over wide ranges. */
export function portTest(name: string, v: Expr, ranges: PortRange[]): FieldCode {
  if (ranges.length <= INLINE_MAX + 1) return { locals: [], test: or(...rangeTerms(v, ranges)) };
  const locals: Stmt[] = [];
  const terms: Expr[] = [];
  const exact = ranges.filter((r) => r.lo === r.hi);
  const wide = ranges.filter((r) => r.lo !== r.hi);
  if (exact.length <= INLINE_MAX) terms.push(...rangeTerms(v, exact));
  else {
    locals.push(local(`${name}_set`, table(exact.map((r) => keyed(int(r.lo), bool(true))))));
    terms.push(index(id(`${name}_set`), v));
  }
  if (wide.length <= INLINE_MAX) terms.push(...rangeTerms(v, wide));
  else {
    locals.push(local(`${name}_ranges`, list(wide.flatMap((r) => [int(r.lo), int(r.hi)]))));
    terms.push(call(id('in_ranges'), id(`${name}_ranges`), v));
  }
  return { locals, test: or(...terms) };
}

/** The lowest rule number whose ports hold the port (merged rules): exact ports first, then wide ranges. */
export function portBest(name: string, v: Expr, perRule: { rule: number; ranges: PortRange[] }[]): FieldCode {
  const exact = new Map<number, number>();
  const wide: { lo: number; hi: number; rule: number }[] = [];
  for (const { rule, ranges } of perRule) {
    for (const r of ranges) {
      if (r.lo !== r.hi) wide.push({ ...r, rule });
      else if (!exact.has(r.lo)) exact.set(r.lo, rule);
    }
  }
  const t = `${name}_rule`;
  const locals = [local(t, table([...exact.keys()].sort((a, b) => a - b).map((p) => keyed(int(p), int(exact.get(p)!)))))];
  if (wide.length === 0) return { locals, test: index(id(t), v) };
  const r = `${name}_ranges`;
  locals.push(local(r, list(wide.flatMap((w) => [int(w.lo), int(w.hi), int(w.rule)]))));
  return { locals, test: call(id('best_port'), id(t), id(r), v) };
}

/**
 * Suffix table for label-by-label lookup from the right: each name maps to the lowest rule number
 * listing it, and every shorter label suffix of a name (that is not itself listed) maps to 0 so the
 * walk knows to keep going; a suffix absent from the table ends the walk.
 */
export function namesLookup(name: string, v: Expr, perRule: { rule: number; names: string[] }[], pool: SharedTables): FieldCode {
  const key = pool.key(['names', ...perRule.flatMap((r) => [r.rule, r.names])]);
  const ref = pool.use(key, () => suffixTable(perRule));
  return { locals: [local(`${name}_table`, ref)], test: and(v, call(id('lookup_name'), id(`${name}_table`), v)) };
}

function suffixTable(perRule: { rule: number; names: string[] }[]): Expr {
  const t = new Map<string, number>();
  for (const { rule, names } of perRule) {
    for (const n of names) {
      const old = t.get(n);
      if (old === undefined || old === 0 || rule < old) t.set(n, rule);
      let dot = n.indexOf('.');
      while (dot >= 0) {
        const s = n.slice(dot + 1);
        if (!t.has(s)) t.set(s, 0);
        dot = n.indexOf('.', dot + 1);
      }
    }
  }
  const keys = [...t.keys()].sort();
  return table(keys.map((k) => keyed(str(k), int(t.get(k)!))));
}
