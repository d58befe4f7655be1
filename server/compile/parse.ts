// Packet parsing in Lua: IP headers, the IPv6 extension walk, transport fields, and the decision loop.
import type { Expr, Stmt } from '../lua/ast.js';
import { add, and, assign, blank, bool, brk, call, comment, eq, forNum, ge, gt, hex, id, if_, ifChain, index, int, le, len, local, localFn, lt, method, ne, not, or, ret, shl, shr, str, sub, band, while_ } from '../lua/build.js';
import type { FamilyIR, FamilyMatch } from './ir.js';
import { dispatchName, matchParams, portsName, scanName } from './rules.js';
import { nameFunctions } from './names.js';

const v = id;
const d = v('d');
export const u8 = (o: Expr): Expr => method(d, 'getuint8', o);
export const u16 = (o: Expr): Expr => call(v('ntoh16'), method(d, 'getuint16', o));
const u32 = (o: Expr): Expr => call(v('ntoh32'), method(d, 'getuint32', o));

export interface ParseOptions {
  names: boolean;
}

/** Which packet fields some rule of the family reads: the script reads only those. */
interface Needs {
  src: boolean;
  dst: boolean;
  proto: boolean;
  transport: boolean;
}

function needsOf(f: FamilyIR): Needs {
  const ms: FamilyMatch[] = f.groups.flatMap((g) => g.matches);
  const any = (pred: (m: FamilyMatch) => boolean) => ms.some(pred);
  const transport = any((m) => m.sport !== undefined || m.dport !== undefined || m.flags !== undefined || m.icmpType !== undefined || m.names !== undefined);
  return { src: any((m) => m.src !== undefined), dst: any((m) => m.dst !== undefined), proto: transport || any((m) => m.protos !== undefined), transport };
}

function byDefault(): Stmt[] {
  return [
    blank,
    comment('The policy default decides (no rule matched, or the IP header is unusable).'),
    localFn('by_default', [], [assign(index(v('counters'), str('default')), add(index(v('counters'), str('default')), int(1))), ret(v('DEFAULT'))]),
  ];
}

/**
 * Transport fields from the header at l4 up to the packet end `stop`: ports, TCP flags, ICMP type
 * and the name domain rules match; left at -1 / false when the header is not fully there.
 */
function transport(icmp: number, names: boolean): Stmt[] {
  const l4 = v('l4');
  const room = v('room');
  const ports: Stmt[] = [local('w', u32(l4)), assign(v('sport'), shr(v('w'), int(16))), assign(v('dport'), band(v('w'), hex(0xffff)))];
  return [
    local('room', sub(v('stop'), l4)),
    ifChain([
      {
        cond: eq(v('proto'), int(6)),
        body: [
          if_(ge(room, int(20)), [
            comment('Data offset (high 4 bits) and flags (low 8 bits) share one 16-bit read.'),
            local('x', u16(add(l4, int(12)))),
            local('thl', shl(shr(v('x'), int(12)), int(2))),
            if_(and(ge(v('thl'), int(20)), le(v('thl'), room)), [
              ...ports,
              assign(v('flags'), band(v('x'), hex(0xff))),
              ...(names ? [assign(v('name'), call(v('tcp_name'), d, v('dport'), add(l4, v('thl')), v('stop')))] : []),
            ]),
          ]),
        ],
      },
      {
        cond: eq(v('proto'), int(17)),
        body: [
          if_(ge(room, int(8)), [
            ...ports,
            ...(names ? [if_(eq(v('dport'), int(53)), [assign(v('name'), call(v('dns_name'), d, add(l4, int(8)), v('stop')))])] : []),
          ]),
        ],
      },
      { cond: and(eq(v('proto'), int(icmp)), ge(room, int(8))), body: [assign(v('itype'), u8(l4))] },
    ]),
  ];
}

/** Call one match function: count and decide, or count a log rule and go on. */
function tryGroup(family: 4 | 6, fn: Expr): Stmt[] {
  return [
    local('r', call(fn, ...matchParams(family).map(v))),
    if_(v('r'), [
      local('rid', index(v('rule_id'), v('r'))),
      assign(index(v('counters'), v('rid')), add(index(v('counters'), v('rid')), int(1))),
      local('verdict', index(v('rule_verdict'), v('r'))),
      if_(v('verdict'), [ret(v('verdict'))]),
    ]),
  ];
}

/**
 * A class whose table holds only some groups: the port's table list, each function after the scan of
 * the port's bucket up to its stop, then the rest of the bucket; scanned groups are called only when
 * the port is within their envelope.
 */
function scanLoop(family: 4 | 6, proto: number, shift: number, buckets: number, table: boolean): Stmt[] {
  const scan = v('scan');
  const j = v('j');
  const step = (limit: Expr): Stmt =>
    while_(lt(j, limit), [
      if_(and(ge(v('dport'), index(scan, j)), le(v('dport'), index(scan, add(j, int(1))))), tryGroup(family, index(scan, add(j, int(2))))),
      assign(j, add(j, int(3))),
    ]);
  const bucket = buckets === 1 ? int(1) : add(band(shr(v('dport'), int(shift)), int(buckets - 1)), int(1));
  return [
    ...(buckets === 1 ? [] : [comment('dport -1 (no transport header) falls in the last bucket and passes only the envelopes of port-less groups.')]),
    local('scan', index(v(scanName(family, proto)), bucket)),
    local('j', int(1)),
    ...(table
      ? [
          local('runs', index(v(portsName(family, proto)), v('dport'))),
          if_(v('runs'), [forNum('i', int(1), len(v('runs')), [step(index(v('runs'), v('i'))), ...tryGroup(family, index(v('runs'), add(v('i'), int(1))))], int(2))]),
        ]
      : []),
    local('last', len(scan)),
    step(add(v('last'), int(1))),
    ret(call(v('by_default'))),
  ];
}

/** The rule loop shared by both families: the list for the protocol (and port), tried in order. */
function decideLoop(family: 4 | 6, f: FamilyIR): Stmt[] {
  const clauses = f.classes
    .filter((c) => c.proto !== undefined)
    .map((c) => ({
      cond: eq(v('proto'), int(c.proto!)),
      body: c.scan
        ? scanLoop(family, c.proto!, c.scan.shift, c.scan.buckets.length, c.scan.table.size > 0)
        : [assign(v('list'), c.byPort ? or(index(v(portsName(family, c.proto!)), v('dport')), v(dispatchName(family, c.proto))) : v(dispatchName(family, c.proto)))],
    }));
  return [
    local('list'),
    ifChain(clauses, [assign(v('list'), v(dispatchName(family, undefined)))]),
    forNum('i', int(1), len(v('list')), tryGroup(family, index(v('list'), v('i')))),
    ret(call(v('by_default'))),
  ];
}

const transportFields = ['sport', 'dport', 'flags', 'itype', 'name'];
const unset = (): Stmt => local(transportFields, int(-1), int(-1), int(-1), int(-1), bool(false));

function decide4(f: FamilyIR, names: boolean): Stmt[] {
  const off = v('off');
  const need = needsOf(f);
  const unread = (what: string) => comment(`No rule tests the ${what}: it is not read.`);
  return [
    blank,
    comment('IPv4 from offset off; n is the buffer length.'),
    localFn('decide4', ['d', 'off', 'n', 'dev'], [
      if_(lt(sub(v('n'), off), int(20)), [ret(call(v('by_default')))]),
      comment('Version, header length and total length in the first 32-bit word.'),
      local('w0', u32(off)),
      local('hl', shl(band(shr(v('w0'), int(24)), hex(0x0f)), int(2))),
      local('total', band(v('w0'), hex(0xffff))),
      if_(or(ne(shr(v('w0'), int(28)), int(4)), lt(v('hl'), int(20)), gt(add(off, v('hl')), v('n')), lt(v('total'), v('hl'))), [ret(call(v('by_default')))]),
      comment('The packet ends at the total length, or earlier where the buffer does.'),
      local('stop', add(off, v('total'))),
      if_(gt(v('stop'), v('n')), [assign(v('stop'), v('n'))]),
      ...(need.proto
        ? [
            comment('Fragment offset, TTL and protocol in one read: every read is a C call in the kernel.'),
            local('w6', u32(add(off, int(6)))),
            local('proto', band(v('w6'), hex(0xff))),
          ]
        : [unread('protocol'), local('proto', int(-1))]),
      ...(need.src ? [local('src', u32(add(off, int(12))))] : [local('src', int(0))]),
      ...(need.dst ? [local('dst', u32(add(off, int(16))))] : [local('dst', int(0))]),
      unset(),
      ...(need.transport
        ? [
            comment('Non-first fragments carry no transport header.'),
            if_(eq(band(v('w6'), hex(0x1fff0000)), int(0)), [local('l4', add(off, v('hl'))), ...transport(1, names)]),
          ]
        : []),
      ...decideLoop(4, f),
    ]),
  ];
}

function decide6(f: FamilyIR, names: boolean): Stmt[] {
  const off = v('off');
  const pos = v('pos');
  const need = needsOf(f);
  const isExt = or(...[0, 43, 60, 44, 51].map((x) => eq(v('proto'), int(x))));
  const addr = (names_: string[], base: number, wanted: boolean): Stmt =>
    wanted ? local(names_, ...[0, 4, 8, 12].map((o) => u32(add(off, int(base + o))))) : local(names_, int(0), int(0), int(0), int(0));
  const walk: Stmt[] = [
    local('pos', add(off, int(40))),
    local('l4', int(-1)),
    forNum('i', int(1), int(9), [
      if_(not(isExt), [assign(v('l4'), pos), brk]),
      comment('A ninth extension header, or one running past the packet end: the protocol is unknown.'),
      if_(or(eq(v('i'), int(9)), gt(add(pos, int(2)), v('stop'))), [assign(v('proto'), int(-1)), brk]),
      local('size', shl(add(u8(add(pos, int(1))), int(1)), int(3))),
      ifChain([
        { cond: eq(v('proto'), int(44)), body: [assign(v('size'), int(8))] },
        { cond: eq(v('proto'), int(51)), body: [assign(v('size'), shl(add(u8(add(pos, int(1))), int(2)), int(2)))] },
      ]),
      if_(gt(add(pos, v('size')), v('stop')), [assign(v('proto'), int(-1)), brk]),
      local('nxt', u8(pos)),
      comment('A non-first fragment: the protocol is known, the transport header is elsewhere.'),
      if_(and(eq(v('proto'), int(44)), ne(band(u16(add(pos, int(2))), hex(0xfff8)), int(0))), [assign(v('proto'), v('nxt')), brk]),
      assign(v('proto'), v('nxt')),
      assign(pos, add(pos, v('size'))),
    ]),
  ];
  return [
    blank,
    comment('IPv6 from offset off, walking at most 8 extension headers to the transport header.'),
    localFn('decide6', ['d', 'off', 'n', 'dev'], [
      if_(or(lt(sub(v('n'), off), int(40)), ne(shr(u32(off), int(28)), int(6))), [ret(call(v('by_default')))]),
      comment('Payload length and next header in the second 32-bit word.'),
      local('w1', u32(add(off, int(4)))),
      local('stop', add(add(off, int(40)), shr(v('w1'), int(16)))),
      if_(gt(v('stop'), v('n')), [assign(v('stop'), v('n'))]),
      addr(['s1', 's2', 's3', 's4'], 8, need.src),
      addr(['d1', 'd2', 'd3', 'd4'], 24, need.dst),
      local('proto', band(shr(v('w1'), int(8)), hex(0xff))),
      unset(),
      ...(need.proto ? [...walk, ...(need.transport ? [if_(ge(v('l4'), int(0)), transport(58, names))] : [])] : [comment('No rule tests the protocol: extension headers are not walked.')]),
      ...decideLoop(6, f),
    ]),
  ];
}

export function parseStatements(families: FamilyIR[], opts: ParseOptions): Stmt[] {
  const out: Stmt[] = [...byDefault()];
  if (opts.names) out.push(...nameFunctions());
  for (const f of families) out.push(...(f.family === 4 ? decide4(f, opts.names) : decide6(f, opts.names)));
  return out;
}
