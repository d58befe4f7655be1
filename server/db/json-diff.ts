// A readable structural diff of two JSON documents: changed paths with their old and new values.
import { formatPath } from '../policy/diagnostics.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface JsonChange {
  op: 'add' | 'remove' | 'change';
  path: (string | number)[];
  old?: Json;
  new?: Json;
}

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** Arrays of objects that all carry a distinct `id` (rules) or `name` (tests) are compared by it. */
function keyOf(arr: Json[]): 'id' | 'name' | undefined {
  for (const k of ['id', 'name'] as const) {
    if (arr.length > 0 && arr.every((e) => isObject(e) && typeof e[k] === 'string') && new Set(arr.map((e) => (e as Record<string, Json>)[k])).size === arr.length) return k;
  }
  return undefined;
}

function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

function diffArrays(a: Json[], b: Json[], path: (string | number)[], out: JsonChange[]): void {
  if (equal(a, b)) return;
  const key = keyOf(a) ?? keyOf(b);
  if (key && (a.length === 0 || keyOf(a) === key) && (b.length === 0 || keyOf(b) === key)) {
    const oldBy = new Map(a.map((e, i) => [(e as Record<string, Json>)[key] as string, i]));
    const newKeys = new Set(b.map((e) => (e as Record<string, Json>)[key] as string));
    a.forEach((e, i) => {
      if (!newKeys.has((e as Record<string, Json>)[key] as string)) out.push({ op: 'remove', path: [...path, i], old: e });
    });
    b.forEach((e, i) => {
      const j = oldBy.get((e as Record<string, Json>)[key] as string);
      if (j === undefined) out.push({ op: 'add', path: [...path, i], new: e });
      else diffValues(a[j]!, e, [...path, i], out);
    });
    const order = (xs: Json[]) => xs.map((e) => (e as Record<string, Json>)[key] as string).filter((k) => oldBy.has(k) && newKeys.has(k));
    if (!equal(order(a), order(b))) out.push({ op: 'change', path: [...path, `(order of ${key}s)`], old: order(a), new: order(b) });
    return;
  }
  if (a.every(isScalar) && b.every(isScalar)) {
    // Set-like lists (addresses, ports, domains): report what came and went, not every shifted index.
    const tag = (v: Json) => JSON.stringify(v);
    const inB = new Set(b.map(tag));
    const inA = new Set(a.map(tag));
    const removed = a.flatMap((v, i) => (inB.has(tag(v)) ? [] : [{ op: 'remove' as const, path: [...path, i], old: v }]));
    const added = b.flatMap((v, i) => (inA.has(tag(v)) ? [] : [{ op: 'add' as const, path: [...path, i], new: v }]));
    if (removed.length + added.length === 0) out.push({ op: 'change', path, old: a, new: b });
    else out.push(...removed, ...added);
    return;
  }
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (i >= a.length) out.push({ op: 'add', path: [...path, i], new: b[i]! });
    else if (i >= b.length) out.push({ op: 'remove', path: [...path, i], old: a[i]! });
    else diffValues(a[i]!, b[i]!, [...path, i], out);
  }
}

function diffValues(a: Json, b: Json, path: (string | number)[], out: JsonChange[]): void {
  if (Array.isArray(a) && Array.isArray(b)) return diffArrays(a, b, path, out);
  if (isObject(a) && isObject(b)) {
    for (const k of Object.keys(a)) {
      if (!(k in b)) out.push({ op: 'remove', path: [...path, k], old: a[k]! });
      else diffValues(a[k]!, b[k]!, [...path, k], out);
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push({ op: 'add', path: [...path, k], new: b[k]! });
    return;
  }
  if (!equal(a, b)) out.push({ op: 'change', path, old: a, new: b });
}

/** Changes turning `a` into `b`; empty iff they are equal. */
export function diffJson(a: Json, b: Json): JsonChange[] {
  const out: JsonChange[] = [];
  diffValues(a, b, [], out);
  return out;
}

const show = (v: Json | undefined) => {
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** One line per change: `~ rules[0].action: "drop" → "accept"`, `+ sets.ads.elements[3]: "x.com"`. */
export function formatChange(c: JsonChange): string {
  const p = formatPath(c.path);
  if (c.op === 'add') return `+ ${p}: ${show(c.new)}`;
  if (c.op === 'remove') return `- ${p}: ${show(c.old)}`;
  return `~ ${p}: ${show(c.old)} → ${show(c.new)}`;
}
