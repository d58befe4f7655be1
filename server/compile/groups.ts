// Merging adjacent rules into shared lookups, and the protocol/port dispatch that skips rules a packet cannot match.
import type { DispatchClass, FamilyMatch, Group, KeyField, RuleIR } from './ir.js';
import { keyFields } from './ir.js';

/** Ports a group indexes by destination port at most; wider port lists are tried for every port. */
const MAX_INDEXED_PORTS = 1024;
/** Total entries across all per-port lists of one protocol, beyond which port dispatch is skipped. */
const MAX_DISPATCH_ENTRIES = 200_000;

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

function portCount(m: FamilyMatch[]): number {
  let n = 0;
  for (const x of m) for (const r of x.dport ?? []) n += r.hi - r.lo + 1;
  return n;
}

/** For each protocol class (and "any other"), the groups a packet must try, optionally by destination port. */
export function buildDispatch(groups: Group[], classes: number[]): DispatchClass[] {
  const result: DispatchClass[] = classes.map((proto) => {
    const members = groups.flatMap((g, i) => (g.matches[0].protos === undefined || g.matches[0].protos.includes(proto) ? [i] : []));
    const indexable = proto === 6 || proto === 17;
    const indexed = new Set(members.filter((i) => indexable && groups[i].matches[0].dport !== undefined && portCount(groups[i].matches) <= MAX_INDEXED_PORTS));
    if (indexed.size === 0) return { proto, any: members };
    const ports = new Map<number, number[]>();
    for (const i of indexed) {
      for (const m of groups[i].matches) {
        for (const r of m.dport ?? []) {
          for (let p = r.lo; p <= r.hi; p++) {
            const l = ports.get(p);
            if (!l) ports.set(p, [i]);
            else if (l[l.length - 1] !== i) l.push(i);
          }
        }
      }
    }
    const any = members.filter((i) => !indexed.has(i));
    // Every per-port list repeats the unindexed groups: size it before building it.
    let total = ports.size * any.length;
    for (const l of ports.values()) total += l.length;
    if (total > MAX_DISPATCH_ENTRIES) return { proto, any: members };
    const byPort = new Map<number, number[]>();
    for (const p of [...ports.keys()].sort((a, b) => a - b)) byPort.set(p, mergeSorted(ports.get(p)!, any));
    return { proto, any, byPort };
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
