// Properties over random policies and packets: shadow warnings are sound, and evaluate's outcome is well-formed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';

// Mostly absent fields, so later rules are often subsets of earlier ones.
const opt = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: a, weight: 1 });
const names = ['example.com', 'ads.example.com', 'a.ads.example.com', 'x.org', 'y.net'];
const match = fc.record({
  proto: opt(fc.constantFrom('tcp', 'udp', ['tcp', 'udp'], 'icmp', ['icmp', 'icmpv6'])),
  src: opt(fc.constantFrom(['10.0.0.0/8'], ['10.1.0.0/16'], ['10.1.2.3'], ['0.0.0.0/0'], ['0.0.0.0/0', '::/0'], ['fd00::/8'], ['10.0.0.0/8', 'fd00::/16'])),
  dst: opt(fc.constantFrom(['10.0.0.0/8'], ['192.168.0.0/16'], ['2001:db8::/32'])),
  dstPorts: opt(fc.constantFrom([22], ['1-1024'], [22, 80], ['20-30'], ['1-65535'])),
  srcPorts: opt(fc.constantFrom(['1024-65535'], [5353])),
  domains: opt(fc.constantFrom(['example.com'], ['ads.example.com'], ['x.org', 'y.net'])),
  tcpFlags: opt(fc.constantFrom('syn', 'syn,!ack', 'ack', '!rst')),
  icmpType: opt(fc.constantFrom(0, 8, 128)),
  iif: opt(fc.constantFrom('lan', 'wan')),
});
const policy = fc.record({
  family: fc.constantFrom('inet', 'ipv4', 'ipv6'),
  defaultAction: fc.constantFrom('accept', 'drop'),
  rules: fc.array(fc.record({ match, action: fc.constantFrom('accept', 'drop', 'log'), enabled: fc.boolean() }), { minLength: 1, maxLength: 8 }),
});
const packet: fc.Arbitrary<PacketSpecInput> = fc
  .record({
    v6: fc.boolean(),
    src4: fc.constantFrom('10.1.2.3', '10.9.9.9', '192.168.0.1'),
    src6: fc.constantFrom('fd00::1', '2001:db8::1', 'fe80::1'),
    dst4: fc.constantFrom('10.0.0.1', '192.168.1.1', '8.8.8.8'),
    dst6: fc.constantFrom('2001:db8::2', 'fd00::2'),
    kind: fc.constantFrom('tcp', 'udp', 'icmp', 'dns', 'tls', 'http'),
    port: fc.constantFrom(22, 25, 53, 80, 443, 1000, 5353, 40000),
    flags: fc.constantFrom('syn', 'syn,ack', 'ack', 'rst,ack', 'psh,ack'),
    icmpType: fc.constantFrom(0, 8, 128, 135),
    name: fc.constantFrom(...names),
    iif: opt(fc.constantFrom('lan', 'wan')),
  })
  .map((r) => {
    const base = { src: r.v6 ? r.src6 : r.src4, dst: r.v6 ? r.dst6 : r.dst4, iif: r.iif };
    if (r.kind === 'tcp') return { ...base, proto: 'tcp' as const, dstPort: r.port, srcPort: r.port === 5353 ? 5353 : 40000, tcpFlags: r.flags };
    if (r.kind === 'udp') return { ...base, proto: 'udp' as const, dstPort: r.port === 53 ? 54 : r.port, srcPort: 5353 };
    if (r.kind === 'icmp') return { ...base, proto: r.v6 ? ('icmpv6' as const) : ('icmp' as const), icmpType: r.icmpType };
    if (r.kind === 'dns') return { ...base, proto: 'udp' as const, dns: { qname: r.name } };
    if (r.kind === 'tls') return { ...base, tls: { sni: r.name }, tcpFlags: r.flags };
    return { ...base, http: { host: r.name }, dstPort: r.port === 53 ? 80 : r.port };
  });

describe('random policies and packets', () => {
  it('a rule reported as shadowed never decides a packet; outcomes are well-formed', () => {
    let checked = 0;
    let shadowSeen = 0;
    fc.assert(
      fc.property(policy, fc.array(packet, { minLength: 1, maxLength: 12 }), (p, pkts) => {
        const input = { name: 'prop', hook: 'forward', ...p, rules: p.rules.map((r, i) => ({ id: `r${i}`, ...r })) };
        const { policy: checkedPolicy, diagnostics } = checkPolicy(input);
        if (!checkedPolicy) return;
        checked++;
        const shadowed = new Set(diagnostics.filter((d) => d.code === 'rule.shadowed').map((d) => `r${d.path[1]}`));
        if (shadowed.size) shadowSeen++;
        const ids = new Set(checkedPolicy.rules.map((r) => r.id));
        for (const spec of pkts) {
          const pkt = { ...parseFrame(buildFrame(spec), 'l2'), iif: spec.iif };
          const r = evaluate(checkedPolicy, pkt, { target: 'netfilter' });
          expect(shadowed.has(r.rule)).toBe(false);
          if (r.rule === 'none') {
            expect(r).toEqual({ verdict: 'accept', rule: 'none', counted: [] });
            continue;
          }
          expect(r.counted[r.counted.length - 1]).toBe(r.rule);
          for (const c of r.counted.slice(0, -1)) expect(checkedPolicy.rules.find((x) => x.id === c)?.action).toBe('log');
          if (r.rule === 'default') expect(r.verdict).toBe(checkedPolicy.defaultAction);
          else {
            expect(ids.has(r.rule)).toBe(true);
            const rule = checkedPolicy.rules.find((x) => x.id === r.rule)!;
            expect(rule.enabled).toBe(true);
            expect(r.verdict).toBe(rule.action === 'accept' ? 'accept' : 'drop');
          }
        }
      }),
      { numRuns: 3000 },
    );
    expect(checked).toBeGreaterThan(200);
    expect(shadowSeen).toBeGreaterThan(30);
  });
});
