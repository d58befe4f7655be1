// compilePolicy's contract: diagnostics instead of throws, synthetic ifindexes, merged lookups that keep first-match order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, syntheticIfindexes } from '../../server/compile/index.js';
import { lowerPolicy } from '../../server/compile/lower.js';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';
import { policy as policySchema, type Policy, type PolicyInput } from '../../server/policy/schema.js';

const valid = (input: PolicyInput): Policy => {
  const { policy, diagnostics } = checkPolicy(input);
  if (!policy) throw new Error(JSON.stringify(diagnostics));
  return policy;
};

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator();
});
afterAll(() => emu.close());

describe('diagnostics', () => {
  it('reject is refused rather than silently dropped', () => {
    // checkPolicy refuses reject too; the compiler must not rely on that.
    const p = policySchema.parse({ name: 'r', hook: 'input', rules: [{ id: 'x', match: { proto: 'tcp' }, action: 'reject' }] });
    const { script, diagnostics } = compilePolicy(p, { profile: 'lunatik-4' });
    expect(script).toBe('');
    expect(diagnostics).toMatchObject([{ code: 'action.reject-unsupported', path: ['rules', 0, 'action'], severity: 'error' }]);
  });

  it('devices on lunatik-3.6 netfilter name every use', () => {
    const p = valid({ name: 'd', hook: 'forward', interfaces: ['eth0'], rules: [{ id: 'x', match: { iif: 'eth1' }, action: 'drop' }] });
    const d = compilePolicy(p, { profile: 'lunatik-3.6' }).diagnostics;
    expect(d.map((x) => [x.code, x.path.join('.')])).toEqual([
      ['profile.no-ifindex', 'interfaces.0'],
      ['profile.no-ifindex', 'rules.0.match.iif'],
    ]);
    expect(compilePolicy({ ...p, target: 'xdp', hook: undefined }, { profile: 'lunatik-3.6' }).diagnostics).toEqual([]);
  });

  it('reserved ids, unknown sets, bad elements and a missing hook are diagnostics, not exceptions', () => {
    const p = valid({ name: 'x', hook: 'input', rules: [{ id: 'a', action: 'drop' }] });
    const broken: Policy = {
      ...p,
      hook: undefined,
      rules: [
        { id: 'default', comment: '', enabled: true, match: {}, action: 'drop' },
        { id: 'b', comment: '', enabled: true, match: { src: '@nope', dstPorts: [70000], domains: ['bad..name'] }, action: 'drop' },
      ],
    };
    const codes = compilePolicy(broken, { profile: 'lunatik-4' }).diagnostics.map((d) => d.code).sort();
    expect(codes).toEqual(['domain.invalid', 'policy.hook-missing', 'port.out-of-range', 'rule.reserved-id', 'set.unknown']);
  });

  it('an interface without an ifindex is a warning and the rule never matches', () => {
    const p = valid({ name: 'i', hook: 'input', rules: [{ id: 'x', match: { iif: 'eth7' }, action: 'drop' }] });
    const { script, diagnostics } = compilePolicy(p, { profile: 'lunatik-4', ifindexes: { lo: 1 } });
    expect(diagnostics).toMatchObject([{ code: 'interface.unknown', severity: 'warning' }]);
    expect(script).not.toContain('dev == ');
  });
});

describe('interfaces', () => {
  it('an empty list restricts nothing (SEMANTICS.md: only a non-empty list does)', async () => {
    const p = valid({ name: 'noif', hook: 'input', interfaces: [], defaultAction: 'accept', rules: [{ id: 'x', match: { proto: 'tcp' }, action: 'drop' }] });
    const frame = buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', dstPort: 80 });
    const want = evaluate(p, parseFrame(frame, 'l2'), { target: 'netfilter', hook: 'input' });
    expect(want).toMatchObject({ verdict: 'drop', rule: 'x' });
    await emu.load('noif', compilePolicy(p, { profile: 'lunatik-4' }).script, { profile: 'lunatik-4', target: 'netfilter' });
    expect(emu.run('noif', { frame, hook: 'input', ifindex: 2 }).verdict).toBe('drop');
    expect(emu.counters('noif').x).toBe(1);
  });
});

describe('lunatik-3.6 buffer start', () => {
  // An IPv4 header whose source address begins 8.0.64 reads, 12 bytes in, like an IPv4 EtherType
  // followed by a version nibble of 4: only the lengths tell the two apart (lunatik.md §2.4).
  const p = valid({ name: 'l3', hook: 'input', defaultAction: 'accept', rules: [{ id: 'x', match: { src: ['8.0.64.0/24'] }, action: 'drop' }] });
  it.each([
    ['from L3 (no MAC header, e.g. PPPoE)', 'l3'],
    ['from L2', 'l2'],
  ] as const)('%s', async (_label, layer) => {
    const frame = buildFrame({ src: '8.0.64.1', dst: '192.0.2.2', proto: 'tcp', dstPort: 80 });
    expect(evaluate(p, parseFrame(frame, 'l2'), { target: 'netfilter', hook: 'input' })).toMatchObject({ verdict: 'drop', rule: 'x' });
    await emu.load('l3', compilePolicy(p, { profile: 'lunatik-3.6' }).script, { profile: 'lunatik-3.6', target: 'netfilter' });
    expect(emu.run('l3', { frame, hook: 'input', layer }).verdict).toBe('drop');
    expect(emu.counters('l3').x).toBe(1);
  });
});

describe('syntheticIfindexes', () => {
  it('is lo = 1, then interfaces and rule devices in order of first appearance', () => {
    const p = valid({ name: 's', hook: 'forward', interfaces: ['wan', 'lan'], rules: [{ id: 'a', match: { iif: 'dmz' }, action: 'drop' }, { id: 'b', match: { iif: 'wan' }, action: 'drop' }] });
    expect(syntheticIfindexes(p)).toEqual({ lo: 1, wan: 2, lan: 3, dmz: 4 });
  });
});

describe('merged lookups', () => {
  const policy = valid({
    name: 'm',
    hook: 'input',
    defaultAction: 'accept',
    rules: [
      { id: 'wide', match: { dst: ['10.0.0.0/8', '2001:db8::/32'] }, action: 'drop' },
      { id: 'narrow', match: { dst: ['10.1.0.0/16', '10.2.3.4', '2001:db8:1::/48'] }, action: 'drop' },
      { id: 'p1', match: { proto: 'tcp', dstPorts: ['1000-2000'] }, action: 'accept' },
      { id: 'p2', match: { proto: 'tcp', dstPorts: [1500, '1900-3000'] }, action: 'accept' },
      { id: 'n1', match: { domains: ['example.com'] }, action: 'drop' },
      { id: 'n2', match: { domains: ['a.example.com', 'example.org'] }, action: 'drop' },
    ],
  });

  it('groups adjacent same-verdict rules that differ in one field', () => {
    const { ir } = lowerPolicy(policy, { profile: 'lunatik-4', ifindexes: syntheticIfindexes(policy) });
    expect(ir.families[0].groups.map((g) => [g.key, g.rules.map((r) => r.id)])).toEqual([
      ['dst', ['wide', 'narrow']],
      ['dport', ['p1', 'p2']],
      ['names', ['n1', 'n2']],
    ]);
  });

  it.each([
    ['10.1.2.3 is in both: the first rule counts', { src: '192.0.2.1', dst: '10.1.2.3', proto: 'udp', dstPort: 9 }],
    ['10.2.3.4 (a /32 of the second rule inside the first)', { src: '192.0.2.1', dst: '10.2.3.4', proto: 'udp', dstPort: 9 }],
    ['IPv6 /48 inside /32', { src: '2001:db8::9', dst: '2001:db8:1::1', proto: 'udp', dstPort: 9 }],
    ['port 1500 in both', { src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', dstPort: 1500 }],
    ['port 2500 only in the second', { src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', dstPort: 2500 }],
    ['a.example.com under both', { src: '192.0.2.1', dst: '192.0.2.2', proto: 'udp', dns: { qname: 'x.a.example.com' } }],
    ['example.org', { src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', dstPort: 443, tls: { sni: 'WWW.Example.ORG' } }],
    ['badexample.org matches nothing', { src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', dstPort: 80, http: { host: 'badexample.org' } }],
  ] as [string, PacketSpecInput][])('%s', async (_label, spec) => {
    const { script } = compilePolicy(policy, { profile: 'lunatik-4' });
    await emu.load('merged', script, { profile: 'lunatik-4', target: 'netfilter' });
    const frame = buildFrame(spec);
    const want = evaluate(policy, parseFrame(frame, 'l2'), { target: 'netfilter' });
    const before = emu.counters('merged');
    const got = emu.run('merged', { frame, hook: 'input' });
    const after = emu.counters('merged');
    expect([got.verdict, Object.keys(after).filter((k) => after[k] !== before[k])]).toEqual([want.verdict, want.counted]);
  });
});
