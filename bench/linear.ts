// The naive baseline bench/filter.ts measures against: the same IPv4 parsing, then one if per rule, sets scanned linearly.
import type { Expr, Stmt } from '../server/lua/ast.js';
import { add, and, assign, band, blank, bool, call, callStmt, comment, eq, field, forNum, ge, hex, id, if_, index, int, keyed, le, len, list, local, localFn, lt, method, ne, or, ret, shl, shr, str, sub, table } from '../server/lua/build.js';
import { printChunk } from '../server/lua/printer.js';
import { bytesToWords } from '../server/compile/elements.js';
import { nameFunctions } from '../server/compile/names.js';
import { parseCidr } from '../server/policy/cidr.js';
import { parsePort } from '../server/policy/ports.js';
import { resolveList } from '../server/policy/prepare.js';
import type { Policy } from '../server/policy/schema.js';

const v = id;
const maskOf = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
const protoNums: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

function cidrCond(policy: Policy, list_: string | string[], var_: string, pre: Stmt[], n: number): Expr {
  const nets = (resolveList(policy, list_) ?? []).flatMap((e) => {
    const c = parseCidr(String(e));
    return c.ok && c.family === 4 ? [{ net: bytesToWords(c.bytes)[0], mask: maskOf(c.prefix) }] : [];
  });
  if (nets.length <= 4) return or(...nets.map((x) => eq(band(v(var_), hex(x.mask)), hex(x.net))), bool(false));
  const name = `nets${n}`;
  pre.push(local(name, list(nets.flatMap((x) => [hex(x.net), hex(x.mask)]))));
  return call(v('scan_nets'), v(name), v(var_));
}

function portCond(policy: Policy, list_: string | (string | number)[], var_: string): Expr {
  const ranges = (resolveList(policy, list_) ?? []).flatMap((e) => {
    const p = parsePort(e);
    return p.ok ? [p.range] : [];
  });
  return or(...ranges.map((r) => (r.lo === r.hi ? eq(v(var_), int(r.lo)) : and(ge(v(var_), int(r.lo)), le(v(var_), int(r.hi))))), bool(false));
}

/** A lunatik-4 netfilter script that checks every rule in turn: what a direct, unoptimised translation does. */
export function linearScript(policy: Policy): string {
  const pre: Stmt[] = [];
  const rules: Stmt[] = [];
  policy.rules.forEach((r, i) => {
    if (!r.enabled || r.action === 'reject') return;
    const m = r.match;
    const conds: Expr[] = [];
    if (m.proto) conds.push(or(...(Array.isArray(m.proto) ? m.proto : [m.proto]).map((p) => eq(v('proto'), int(protoNums[p])))));
    if (m.dstPorts) conds.push(portCond(policy, m.dstPorts, 'dport'));
    if (m.srcPorts) conds.push(portCond(policy, m.srcPorts, 'sport'));
    if (m.src) conds.push(cidrCond(policy, m.src, 'src', pre, i));
    if (m.dst) conds.push(cidrCond(policy, m.dst, 'dst', pre, i));
    if (m.domains) {
      const name = `names${i}`;
      const doms = (resolveList(policy, m.domains) ?? []).map(String);
      pre.push(local(name, list(doms.map((d) => str(d)))), local(`${name}_dotted`, list(doms.map((d) => str(`.${d}`)))));
      conds.push(and(v('name'), call(v('scan_names'), v(name), v(`${name}_dotted`), v('name'))));
    }
    const counter = index(v('counters'), str(r.id));
    const body: Stmt[] = [assign(counter, add(counter, int(1)))];
    if (r.action !== 'log') body.push(ret(v(r.action === 'accept' ? 'ACCEPT' : 'DROP')));
    rules.push(if_(conds.length ? and(...conds) : bool(true), body));
  });
  const d = v('d');
  const u8 = (o: Expr) => method(d, 'getuint8', o);
  const u16 = (o: Expr) => call(v('ntoh16'), method(d, 'getuint16', o));
  const u32 = (o: Expr) => call(v('ntoh32'), method(d, 'getuint32', o));
  const body: Stmt[] = [
    local('netfilter', call(v('require'), str('netfilter'))),
    local('nf', call(v('require'), str('linux.nf'))),
    local('byteorder', call(v('require'), str('byteorder'))),
    local('ntoh16', field(v('byteorder'), 'ntoh16')),
    local('ntoh32', field(v('byteorder'), 'ntoh32')),
    local('lower', field(v('string'), 'lower')),
    local('find', field(v('string'), 'find')),
    local('sub', field(v('string'), 'sub')),
    local('byte', field(v('string'), 'byte')),
    local('ACCEPT', field(field(v('nf'), 'action'), 'ACCEPT')),
    local('DROP', field(field(v('nf'), 'action'), 'DROP')),
    local('counters', table([...policy.rules.map((r) => keyed(str(r.id), int(0))), keyed(str('default'), int(0))])),
    localFn('scan_nets', ['nets', 'a'], [
      forNum('i', int(1), len(v('nets')), [if_(eq(band(v('a'), index(v('nets'), add(v('i'), int(1)))), index(v('nets'), v('i'))), [ret(bool(true))])], int(2)),
      ret(bool(false)),
    ]),
    localFn('scan_names', ['names', 'dotted', 'name'], [
      local('n', len(v('name'))),
      forNum('i', int(1), len(v('names')), [
        if_(eq(v('name'), index(v('names'), v('i'))), [ret(bool(true))]),
        local('dot', index(v('dotted'), v('i'))),
        if_(and(lt(len(v('dot')), v('n')), call(v('find'), v('name'), v('dot'), add(sub(v('n'), len(v('dot'))), int(1)), bool(true))), [ret(bool(true))]),
      ]),
      ret(bool(false)),
    ]),
    ...nameFunctions(),
    ...pre,
    blank,
    comment('Every rule in order, every set element in turn.'),
    localFn('hook', ['skb'], [
      local('d', method(v('skb'), 'data', str('net'))),
      local('n', len(d)),
      if_(or(lt(v('n'), int(20)), ne(shr(u8(int(0)), int(4)), int(4))), [ret(v('ACCEPT'))]),
      local('hl', shl(band(u8(int(0)), hex(0x0f)), int(2))),
      local('proto', u8(int(9))),
      local('src', u32(int(12))),
      local('dst', u32(int(16))),
      local(['sport', 'dport', 'name'], int(-1), int(-1), bool(false)),
      if_(and(or(eq(v('proto'), int(6)), eq(v('proto'), int(17))), ge(v('n'), add(v('hl'), int(8)))), [
        assign(v('sport'), u16(v('hl'))),
        assign(v('dport'), u16(add(v('hl'), int(2)))),
        if_(and(eq(v('proto'), int(17)), eq(v('dport'), int(53))), [assign(v('name'), call(v('dns_name'), d, add(v('hl'), int(8)), v('n')))]),
      ]),
      ...rules,
      assign(field(v('counters'), 'default'), add(field(v('counters'), 'default'), int(1))),
      ret(v(policy.defaultAction === 'accept' ? 'ACCEPT' : 'DROP')),
    ]),
    callStmt(call(field(v('netfilter'), 'register'), table([keyed(str('hook'), v('hook')), keyed(str('pf'), field(field(v('nf'), 'proto'), 'INET')), keyed(str('hooknum'), field(field(v('nf'), 'inet'), 'LOCAL_IN')), keyed(str('priority'), int(0))]))),
  ];
  return printChunk({ policyName: `${policy.name}-linear`, revision: 0, body });
}

/** The floor: a hook that only returns ACCEPT. */
export function emptyScript(): string {
  return printChunk({
    policyName: 'empty',
    revision: 0,
    body: [
      local('netfilter', call(v('require'), str('netfilter'))),
      local('nf', call(v('require'), str('linux.nf'))),
      local('ACCEPT', field(field(v('nf'), 'action'), 'ACCEPT')),
      localFn('hook', ['skb'], [ret(v('ACCEPT'))]),
      callStmt(call(field(v('netfilter'), 'register'), table([keyed(str('hook'), v('hook')), keyed(str('pf'), field(field(v('nf'), 'proto'), 'INET')), keyed(str('hooknum'), field(field(v('nf'), 'inet'), 'LOCAL_IN')), keyed(str('priority'), int(0))]))),
    ],
  });
}
