// Match functions per family (one per rule group) and the protocol/port dispatch lists that select them.
import type { Expr, Stmt } from '../lua/ast.js';
import { and, assign, blank, comment, do_, eq, func, ge, hex, id, if_, index, int, keyed, list, local, ret, table, band } from '../lua/build.js';
import type { FamilyIR, FamilyMatch, Group, PortScan, RuleIR } from './ir.js';
import { cidrBest, cidrTest, namesLookup, portBest, portTest, type FieldCode } from './lookup.js';
import type { SharedTables } from './shared.js';

export const matchParams = (family: 4 | 6): string[] =>
  family === 4
    ? ['src', 'dst', 'sport', 'dport', 'flags', 'itype', 'name', 'dev']
    : ['s1', 's2', 's3', 's4', 'd1', 'd2', 'd3', 'd4', 'sport', 'dport', 'flags', 'itype', 'name', 'dev'];

const addrVars = (family: 4 | 6, side: 'src' | 'dst'): Expr[] =>
  family === 4 ? [id(side)] : [1, 2, 3, 4].map((i) => id(`${side === 'src' ? 's' : 'd'}${i}`));

export const rulesTable = (family: 4 | 6): string => `rules${family}`;

const protoNames: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };

/** A one-line summary of a rule for its comment: what it does, in policy terms. */
function describe(rule: RuleIR, m: FamilyMatch): string {
  const parts: string[] = [rule.verdict];
  if (m.protos) parts.push(m.protos.map((p) => protoNames[p] ?? String(p)).join('/'));
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (m.src) parts.push(`from ${count(m.src.length, 'network')}`);
  if (m.dst) parts.push(`to ${count(m.dst.length, 'network')}`);
  if (m.sport) parts.push(`sport ${m.sport.map((r) => (r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`)).slice(0, 8).join(',')}${m.sport.length > 8 ? ',…' : ''}`);
  if (m.dport) parts.push(`dport ${m.dport.map((r) => (r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`)).slice(0, 8).join(',')}${m.dport.length > 8 ? ',…' : ''}`);
  if (m.icmpType !== undefined) parts.push(`icmp type ${m.icmpType}`);
  if (m.flags) parts.push(`tcp flags & 0x${m.flags.mask.toString(16)} == 0x${m.flags.value.toString(16)}`);
  if (m.dev !== undefined) parts.push(`device ${m.dev}`);
  if (m.names) parts.push(`names: ${count(m.names.length, 'domain')}`);
  return parts.join(' ');
}

function ruleComments(g: Group): Stmt[] {
  const out: Stmt[] = [];
  g.rules.forEach((r, i) => {
    out.push(comment(`rule ${r.index} "${r.id}" (rules[${r.position}]): ${describe(r, g.matches[i])}`));
    if (r.comment.trim()) out.push(comment(r.comment));
  });
  if (g.key) out.push(comment(`${g.rules.length} rules differing only in ${g.key} share one lookup; the first that matches wins.`));
  return out;
}

/** Tests on every field but `skip`, cheapest first. */
function fieldTests(family: 4 | 6, m: FamilyMatch, skip: string | undefined, rule: number, pool: SharedTables): FieldCode[] {
  const out: FieldCode[] = [];
  const v = (name: string): Expr => id(name);
  if (m.dev !== undefined) out.push({ locals: [], test: eq(v('dev'), int(m.dev)) });
  if (m.dport && skip !== 'dport') out.push(portTest('dport', v('dport'), m.dport));
  if (m.sport && skip !== 'sport') out.push(portTest('sport', v('sport'), m.sport));
  if (m.icmpType !== undefined) out.push({ locals: [], test: eq(v('itype'), int(m.icmpType)) });
  if (m.flags) out.push({ locals: [], test: and(ge(v('flags'), int(0)), eq(band(v('flags'), hex(m.flags.mask)), hex(m.flags.value))) });
  if (m.src && skip !== 'src') out.push(cidrTest('src', addrVars(family, 'src'), m.src));
  if (m.dst && skip !== 'dst') out.push(cidrTest('dst', addrVars(family, 'dst'), m.dst));
  if (m.names && skip !== 'names') out.push(namesLookup('names', v('name'), [{ rule, names: m.names }], pool));
  return out;
}

function keyLookup(family: 4 | 6, g: Group, pool: SharedTables): FieldCode {
  const rules = g.rules.map((r) => r.index);
  switch (g.key!) {
    case 'src':
    case 'dst': {
      const side = g.key;
      return cidrBest(side, addrVars(family, side), family, g.matches.map((m, i) => ({ rule: rules[i], prefixes: m[side]! })));
    }
    case 'sport':
    case 'dport': {
      const side = g.key;
      return portBest(side, id(side), g.matches.map((m, i) => ({ rule: rules[i], ranges: m[side]! })));
    }
    case 'names':
      return namesLookup('names', id('name'), g.matches.map((m, i) => ({ rule: rules[i], names: m.names! })), pool);
  }
}

function groupStatements(family: 4 | 6, g: Group, position: number, pool: SharedTables): Stmt[] {
  const tests = fieldTests(family, g.matches[0], g.key, g.rules[0].index, pool);
  const key = g.key ? keyLookup(family, g, pool) : undefined;
  const locals = [...tests.flatMap((t) => t.locals), ...(key ? key.locals : [])];
  const result = key ? key.test : int(g.rules[0].index);
  const body = tests.length ? [if_(and(...tests.map((t) => t.test)), [ret(result)])] : [ret(result)];
  const fn = assign(index(id(rulesTable(family)), int(position + 1)), func(matchParams(family), body));
  const stmts = [...ruleComments(g), ...(locals.length ? [do_([...locals, fn])] : [fn])];
  return stmts;
}

const listName = (family: 4 | 6, proto: number | undefined): string => `${proto === undefined ? 'other' : protoNames[proto]}${family === 4 ? '4' : '6'}`.replace('icmpv6', 'icmp');

function groupList(family: 4 | 6, positions: number[]): Expr {
  return list(positions.map((p) => index(id(rulesTable(family)), int(p + 1))));
}

export function dispatchName(family: 4 | 6, proto: number | undefined): string {
  return listName(family, proto);
}
export const portsName = (family: 4 | 6, proto: number): string => `${listName(family, proto)}_port`;
export const scanName = (family: 4 | 6, proto: number): string => `${listName(family, proto)}_scan`;

/**
 * The merged dispatch of a class (DispatchClass.scan): per bucket a flat { low, high, function, … } list,
 * and per table port a flat { stop, function, … } list where stop is the index in the port's bucket list
 * up to which the scan runs before that function is tried.
 */
function scanTables(family: 4 | 6, proto: number, scan: PortScan): Stmt[] {
  const fn = (g: number): Expr => index(id(rulesTable(family)), int(g + 1));
  const buckets = scan.buckets.map((b) => list(b.flatMap((e) => [int(e.lo), int(e.hi), fn(e.group)])));
  const out: Stmt[] = [local(scanName(family, proto), list(buckets))];
  if (scan.table.size > 0) {
    const entries = [...scan.table.entries()].map(([port, runs]) => keyed(int(port), list(runs.flatMap((r) => [int(3 * r.before + 1), fn(r.group)]))));
    out.push(local(portsName(family, proto), table(entries)));
  }
  return out;
}

/** Match functions of one family, then the lists a packet of each protocol (and port) walks in order. */
export function familyRules(f: FamilyIR, pool: SharedTables): Stmt[] {
  const out: Stmt[] = [
    blank,
    comment(`IPv${f.family} rules: each function returns the number of the rule that matches, or nothing.`),
    local(rulesTable(f.family), table()),
  ];
  f.groups.forEach((g, i) => out.push(...groupStatements(f.family, g, i, pool)));
  out.push(blank, comment(`IPv${f.family} dispatch: a packet tries only the rules that can match its protocol and destination port.`));
  for (const c of f.classes) {
    if (c.scan && c.proto !== undefined) {
      out.push(...scanTables(f.family, c.proto, c.scan));
      continue;
    }
    out.push(local(listName(f.family, c.proto), groupList(f.family, c.any)));
    if (c.byPort && c.proto !== undefined) {
      const entries = [...c.byPort.entries()].map(([port, l]) => keyed(int(port), groupList(f.family, l)));
      out.push(local(portsName(f.family, c.proto), table(entries)));
    }
  }
  return out;
}
