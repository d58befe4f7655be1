// Merging adjacent rules into shared lookups, and the protocol/port dispatch that skips rules a packet cannot match.
import type { DispatchClass, FamilyMatch, Group, KeyField, PortRange, RuleIR, ScanEntry } from './ir.js';
import { keyFields } from './ir.js';

/** Ports a group may put in the destination port table at most; larger port lists are scanned. */
const MAX_INDEXED_PORTS = 64;
/** Table entries (port, group) per protocol at most: the table is in the script, entry by entry. */
const MAX_TABLE_ENTRIES = 4096;
/** Groups outside the table that every port's list may repeat, and the list entries that allows in all. */
const MAX_REPEATED = 16;
const MAX_LISTED = 4096;
/** Scan bucket counts tried (as shifts of the port), coarsest first. */
const SCAN_SHIFTS = [16, 14, 12, 10, 8];
/** A bucket this short on average is not split further: more buckets would cost more than they save. */
const SHORT_SCAN = 4;

const fieldNames: (keyof FamilyMatch)[] = ['protos', 'src', 'dst', 'sport', 'dport', 'icmpType', 'flags', 'dev', 'names'];

/** Per-field canonical text, memoised: large sets are compared by identity first. */
const signatures = new WeakMap<object, string>();
function fieldSig(m: FamilyMatch, f: keyof FamilyMatch): string {
  const v = m[f];
  if (v === undefined) return '-';
  if (typeof v !== 'object') return String(v);
  let s = signatures.get(v);
  if (s === undefined) {
    s = JSON.stringify(v);
    signatures.set(v, s);
  }
  return s;
}

function sameField(a: FamilyMatch, b: FamilyMatch, f: keyof FamilyMatch): boolean {
  return a[f] === b[f] || fieldSig(a, f) === fieldSig(b, f);
}

/** The one key field in which a and b differ (both having it), if all others are equal. */
function soleDifference(a: FamilyMatch, b: FamilyMatch): KeyField | undefined {
  const diff = fieldNames.filter((f) => !sameField(a, b, f));
  if (diff.length !== 1) return undefined;
  const f = diff[0] as KeyField;
  return keyFields.includes(f) && a[f] !== undefined && b[f] !== undefined ? f : undefined;
}

/**
 * Adjacent accept/drop rules with the same verdict that differ only in one of src, dst, srcPorts,
 * dstPorts or domains become one group with one lookup returning the first rule that matches.
 * `log` rules are never merged: each one that matches counts.
 */
export function mergeGroups(entries: { rule: RuleIR; match: FamilyMatch }[]): Group[] {
  const groups: Group[] = [];
  for (const e of entries) {
    const g = groups[groups.length - 1];
    if (g && e.rule.verdict !== 'log' && g.rules[0].verdict === e.rule.verdict) {
      const key = soleDifference(g.matches[0], e.match);
      if (key && (g.key === undefined || g.key === key)) {
        g.key = key;
        g.rules.push(e.rule);
        g.matches.push(e.match);
        continue;
      }
    }
    groups.push({ rules: [e.rule], matches: [e.match] });
  }
  return groups;
}

/** The destination ports of a group as sorted disjoint ranges (undefined: the group has no port test). */
function groupPorts(g: Group): PortRange[] | undefined {
  if (g.matches[0].dport === undefined) return undefined;
  const all = g.matches.flatMap((m) => m.dport ?? []).sort((a, b) => a.lo - b.lo);
  const out: PortRange[] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
    else out.push({ lo: r.lo, hi: r.hi });
  }
  return out;
}

const countPorts = (ranges: PortRange[]): number => ranges.reduce((n, r) => n + r.hi - r.lo + 1, 0);

/**
 * Buckets for the scanned groups: split finer while the average bucket is long, each split shortens it
 * by a tenth or more, and the entries stay within a few per group (wide and port-less groups are in every
 * bucket).
 */
function scanBuckets(entries: ScanEntry[]): { shift: number; buckets: ScanEntry[][] } {
  const split = (shift: number): ScanEntry[][] => {
    const n = 1 << (16 - shift);
    const buckets: ScanEntry[][] = Array.from({ length: n }, () => []);
    for (const e of entries) {
      const first = e.lo < 0 ? 0 : e.lo >> shift;
      const last = e.lo < 0 ? n - 1 : e.hi >> shift;
      for (let b = first; b <= last; b++) buckets[b].push(e);
    }
    return buckets;
  };
  const cap = 4 * entries.length + 64;
  let best = { shift: SCAN_SHIFTS[0], buckets: split(SCAN_SHIFTS[0]) };
  const average = (b: ScanEntry[][]) => b.reduce((n, x) => n + x.length, 0) / b.length;
  for (const shift of SCAN_SHIFTS.slice(1)) {
    const buckets = split(shift);
    const total = buckets.reduce((n, x) => n + x.length, 0);
    if (average(best.buckets) <= SHORT_SCAN) break;
    if (total <= cap && average(buckets) < 0.9 * average(best.buckets)) best = { shift, buckets };
  }
  return best;
}

/**
 * For each protocol class (and "any other"), the groups a packet must try, in policy order. TCP and UDP
 * groups with few destination ports are found through a port table. When the other groups are few, each
 * port's list repeats them. Otherwise they are scanned (a port envelope check, then the call) and merged
 * with the port's table list by position at run time, so a packet still tries its groups in order and the
 * script grows with the number of rules and table entries, never with their product.
 */
export function buildDispatch(groups: Group[], classes: number[]): DispatchClass[] {
  const result: DispatchClass[] = classes.map((proto) => {
    const members = groups.flatMap((g, i) => (g.matches[0].protos === undefined || g.matches[0].protos.includes(proto) ? [i] : []));
    const ports = new Map(members.map((i) => [i, proto === 6 || proto === 17 ? groupPorts(groups[i]) : undefined]));
    if (![...ports.values()].some((r) => r !== undefined)) return { proto, any: members };
    // Fewest ports first, so that a few big groups do not keep many small ones out of the table.
    const candidates = members.filter((i) => ports.get(i) !== undefined && countPorts(ports.get(i)!) <= MAX_INDEXED_PORTS);
    candidates.sort((a, b) => countPorts(ports.get(a)!) - countPorts(ports.get(b)!) || a - b);
    const indexed = new Set<number>();
    let total = 0;
    for (const i of candidates) {
      const n = countPorts(ports.get(i)!);
      if (total + n > MAX_TABLE_ENTRIES) break;
      indexed.add(i);
      total += n;
    }
    const table = new Map<number, number[]>();
    for (const i of members) {
      if (!indexed.has(i)) continue;
      for (const r of ports.get(i)!) {
        for (let p = r.lo; p <= r.hi; p++) {
          const l = table.get(p);
          if (l) l.push(i);
          else table.set(p, [i]);
        }
      }
    }
    const sortedPorts = [...table.keys()].sort((a, b) => a - b);
    const scanned = members.filter((i) => !indexed.has(i));
    // Few groups outside the table: each port's list simply repeats them, as long as that stays small.
    let listed = 0;
    for (const l of table.values()) listed += l.length + scanned.length;
    if (scanned.length <= MAX_REPEATED && listed <= MAX_LISTED) {
      if (table.size === 0) return { proto, any: members };
      return { proto, any: scanned, byPort: new Map(sortedPorts.map((p) => [p, mergeSorted(table.get(p)!, scanned)])) };
    }
    const entries: ScanEntry[] = scanned.map((group) => {
      const r = ports.get(group);
      return r ? { group, lo: r[0].lo, hi: r[r.length - 1].hi } : { group, lo: -1, hi: 65535 };
    });
    const { shift, buckets } = scanBuckets(entries);
    const runs = new Map<number, { before: number; group: number }[]>();
    for (const p of sortedPorts) {
      const bucket = buckets[p >> shift];
      runs.set(p, table.get(p)!.map((group) => ({ group, before: bucket.filter((e) => e.group < group).length })));
    }
    return { proto, any: [], scan: { shift, buckets, table: runs } };
  });
  result.push({ any: groups.flatMap((g, i) => (g.matches[0].protos === undefined ? [i] : [])) });
  return result;
}

function mergeSorted(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}
