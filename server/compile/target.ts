// Per profile × target: the requires and verdict constants, where the IP header starts, the entry point and its registration.
import type { Expr, Stmt } from '../lua/ast.js';
import { and, blank, call, callStmt, comment, eq, field, ge, hex, id, if_, ifChain, int, keyed, le, len, local, localFn, lt, method, not, or, ret, shr, str, table, add, index, assign } from '../lua/build.js';
import type { Hook, Policy } from '../policy/schema.js';
import type { LoweredPolicy } from './ir.js';
import type { TargetProfile } from './profile.js';

const v = id;

export interface TargetInfo {
  profile: TargetProfile;
  target: 'netfilter' | 'xdp';
  hook?: Hook;
}

const hookNames: Record<Hook, string> = {
  prerouting: 'PRE_ROUTING',
  input: 'LOCAL_IN',
  forward: 'FORWARD',
  output: 'LOCAL_OUT',
  postrouting: 'POST_ROUTING',
};

/** The name the accept verdict goes by in the script: XDP says PASS. */
export const acceptName = (t: TargetInfo): string => (t.target === 'xdp' ? 'PASS' : 'ACCEPT');

/** Whether the hook's buffer starts at L2 (lunatik.md §2.4, §3.2, §10). */
export const startsAtL2 = (t: TargetInfo): boolean => t.target === 'xdp' || (t.profile === 'lunatik-3.6' && t.hook !== 'output');

export function prologue(t: TargetInfo, needsNames: boolean, defaultVerdict: 'accept' | 'drop'): Stmt[] {
  const out: Stmt[] = [];
  const req = (name: string, mod: string) => out.push(local(name, call(v('require'), str(mod))));
  const verdicts = (accept: Expr, drop: Expr) => {
    out.push(blank, comment('Verdicts: always an integer (nil, booleans and strings DROP in the kernel).'));
    out.push(local(acceptName(t), accept), local('DROP', drop), local('DEFAULT', v(defaultVerdict === 'accept' ? acceptName(t) : 'DROP')));
  };
  const v4 = t.profile === 'lunatik-4';
  if (t.target === 'netfilter') {
    req('netfilter', 'netfilter');
    if (v4) req('nf', 'linux.nf');
  } else {
    req('xdp', 'xdp');
    if (v4) {
      req('xdp_consts', 'linux.xdp');
      // Later Lunatik builds nest the verdicts one level down (linux.xdp.action); a nil PASS would drop everything.
      out.push(comment('Verdicts sit in linux.xdp itself, or under .action on later Lunatik builds.'));
      out.push(local('action', or(field(v('xdp_consts'), 'action'), v('xdp_consts'))));
    }
  }
  if (v4) req('byteorder', 'byteorder');
  else req('linux', 'linux');
  const bo = v(v4 ? 'byteorder' : 'linux');
  out.push(blank, local('ntoh16', field(bo, 'ntoh16')), local('ntoh32', field(bo, 'ntoh32')));
  if (needsNames) out.push(local('lower', field(v('string'), 'lower')), local('find', field(v('string'), 'find')), local('sub', field(v('string'), 'sub')), local('byte', field(v('string'), 'byte')));
  if (t.target === 'netfilter') {
    const actions = v4 ? field(v('nf'), 'action') : field(v('netfilter'), 'action');
    verdicts(field(actions, 'ACCEPT'), field(actions, 'DROP'));
  } else {
    const actions = v4 ? v('action') : field(v('xdp'), 'action');
    verdicts(field(actions, 'PASS'), field(actions, 'DROP'));
  }
  return out;
}

function l2Start(): Stmt[] {
  const d = v('d');
  const et = (o: number): Expr => call(v('ntoh16'), method(d, 'getuint16', int(o)));
  const isTag = or(eq(v('et'), hex(0x8100)), eq(v('et'), hex(0x88a8)));
  // A tag at o: TPID, then the TCI, then the next EtherType at o + 4.
  const tag = (o: number): Stmt => if_(isTag, [
    if_(lt(v('n'), int(o + 6)), [ret(int(0), int(0))]),
    assign(v('et'), et(o + 4)),
    assign(v('off'), int(o + 6)),
  ]);
  return [
    blank,
    comment('Ethernet: the IP header offset after up to two 802.1Q/802.1ad tags, and the family the EtherType'),
    comment('announces (0 when the frame is not IP).'),
    localFn('l2_start', ['d', 'n'], [
      if_(lt(v('n'), int(14)), [ret(int(0), int(0))]),
      local('et', et(12)),
      local('off', int(14)),
      tag(12),
      tag(16),
      if_(eq(v('et'), hex(0x0800)), [ret(v('off'), int(4))]),
      if_(eq(v('et'), hex(0x86dd)), [ret(v('off'), int(6))]),
      ret(int(0), int(0)),
    ]),
  ];
}

/** Lunatik 3.6 hands a hook the frame from the MAC header when one is set, else from the IP header (§10). */
function ipStart36(): Stmt[] {
  const d = v('d');
  const off = v('off');
  const n = v('n');
  const nib = (o: Expr): Expr => shr(method(d, 'getuint8', o), int(4));
  const u16 = (o: Expr): Expr => call(v('ntoh16'), method(d, 'getuint16', o));
  return [
    blank,
    comment('Lunatik 3.6 passes received packets from the Ethernet header and locally generated ones (and those of'),
    comment('devices without one, e.g. PPPoE) from the IP header. Both are tried strictly first: the version nibble'),
    comment('and an IP length that ends exactly at the buffer end (the kernel trims packets to it), since an IP'),
    comment('header can look like an Ethernet one (a source address 8.0.64.x reads as EtherType 0x0800 and'),
    comment('version 4). Failing both, the Ethernet reading stands.'),
    localFn('ip_start', ['d', 'n'], [
      local(['off', 'family'], call(v('l2_start'), d, n)),
      if_(and(eq(v('family'), int(4)), le(add(off, int(4)), n), eq(nib(off), int(4)), eq(add(off, u16(add(off, int(2)))), n)), [ret(off, int(4))]),
      if_(and(eq(v('family'), int(6)), le(add(off, int(6)), n), eq(nib(off), int(6)), eq(add(add(off, int(40)), u16(add(off, int(4)))), n)), [ret(off, int(6))]),
      if_(ge(n, int(20)), [
        local('x', nib(int(0))),
        if_(and(eq(v('x'), int(4)), eq(u16(int(2)), n)), [ret(int(0), int(4))]),
        if_(and(eq(v('x'), int(6)), ge(n, int(40)), eq(add(u16(int(4)), int(40)), n)), [ret(int(0), int(6))]),
      ]),
      ret(off, v('family')),
    ]),
  ];
}

/**
 * The family filter and the interface list apply to every IP packet; anything else passes untouched.
 * Written out in each entry point rather than as a function: one call less per packet.
 */
function dispatchFamily(t: TargetInfo, ir: LoweredPolicy, data: string, off: Expr, family: Expr, dev: Expr): Stmt[] {
  const accept = v(acceptName(t));
  const guard: Stmt[] = ir.interfaces ? [if_(not(index(v('interfaces'), dev)), [ret(accept)])] : [];
  const clauses = ir.families.map((f) => ({
    cond: eq(family, int(f.family)),
    body: [...guard, ret(call(v(`decide${f.family}`), v(data), off, v('n'), dev))],
  }));
  return [...(clauses.length ? [ifChain(clauses)] : []), ret(accept)];
}

export function entry(t: TargetInfo, ir: LoweredPolicy, policy: Policy): Stmt[] {
  const out: Stmt[] = [];
  if (startsAtL2(t)) out.push(...l2Start());
  if (t.profile === 'lunatik-3.6' && t.target === 'netfilter' && t.hook !== 'output') out.push(...ipStart36());
  const accept = v(acceptName(t));
  out.push(blank);
  if (t.target === 'xdp') {
    out.push(
      comment('XDP: the buffer is the frame from the Ethernet header; the argument carries the ingress ifindex (host order).'),
      localFn('callback', ['buffer', 'argument'], [
        local('n', len(v('buffer'))),
        local('dev', int(0)),
        if_(and(v('argument'), ge(len(v('argument')), int(4))), [assign(v('dev'), method(v('argument'), 'getuint32', int(0)))]),
        local(['off', 'family'], call(v('l2_start'), v('buffer'), v('n'))),
        ...dispatchFamily(t, ir, 'buffer', v('off'), v('family'), v('dev')),
      ]),
      blank,
      callStmt(call(field(v('xdp'), 'attach'), v('callback'))),
    );
    return out;
  }
  const hook = t.hook ?? 'input';
  if (t.profile === 'lunatik-4') {
    out.push(
      comment('Netfilter (Lunatik 4.3+): skb:data("net") starts at the IP header.'),
      localFn('hook', ['skb'], [
        local('d', method(v('skb'), 'data', str('net'))),
        local('n', len(v('d'))),
        if_(eq(v('n'), int(0)), [ret(accept)]),
        local('dev', ir.needsDevice ? or(method(v('skb'), 'ifindex'), int(0)) : int(0)),
        local('family', shr(method(v('d'), 'getuint8', int(0)), int(4))),
        ...dispatchFamily(t, ir, 'd', int(0), v('family'), v('dev')),
      ]),
    );
  } else {
    const start: Stmt[] =
      hook === 'output'
        ? [
            comment('LOCAL_OUT: offset 0 is the IP header (lunatik.md §10).'),
            if_(eq(v('n'), int(0)), [ret(accept)]),
            local('family', shr(method(v('data'), 'getuint8', int(0)), int(4))),
            ...dispatchFamily(t, ir, 'data', int(0), v('family'), int(0)),
          ]
        : [local(['off', 'family'], call(v('ip_start'), v('data'), v('n'))), ...dispatchFamily(t, ir, 'data', v('off'), v('family'), int(0))];
    out.push(comment('Netfilter (Lunatik 3.6): the hook gets a data buffer and no device.'), localFn('hook', ['data'], [local('n', len(v('data'))), ...start]));
  }
  const consts = t.profile === 'lunatik-4' ? { pf: field(v('nf'), 'proto'), hooks: field(v('nf'), 'inet') } : { pf: field(v('netfilter'), 'family'), hooks: field(v('netfilter'), 'inet_hooks') };
  const pf = policy.family === 'ipv4' ? 'IPV4' : policy.family === 'ipv6' ? 'IPV6' : 'INET';
  const register = (mark?: number): Stmt =>
    callStmt(
      call(
        field(v('netfilter'), 'register'),
        table([
          keyed(str('hook'), v('hook')),
          keyed(str('pf'), field(consts.pf, pf)),
          keyed(str('hooknum'), field(consts.hooks, hookNames[hook])),
          keyed(str('priority'), int(policy.priority)),
          ...(mark === undefined ? [] : [keyed(str('mark'), hex(mark))]),
        ]),
      ),
    );
  out.push(blank);
  if (policy.marks === undefined) out.push(register());
  else {
    out.push(comment('Lunatik calls a hook only for packets whose mark equals its own: one registration per mark.'));
    for (const m of policy.marks) out.push(register(m));
  }
  return out;
}
