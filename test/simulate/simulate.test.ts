// simulatePolicy / runPolicyTests: the compiled policy in the emulator agrees with the reference evaluator.
import { describe, expect, it } from 'vitest';
import { targetProfiles } from '../../server/compile/profile.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';
import type { Policy, PolicyInput } from '../../server/policy/schema.js';
import { openSimulation, runPolicyTests, simulatePolicy, SimulationError } from '../../server/simulate.js';

function policyOf(input: PolicyInput): Policy {
  const { policy, diagnostics } = checkPolicy(input);
  if (!policy) throw new Error(JSON.stringify(diagnostics));
  return policy;
}

const web = policyOf({
  name: 'web',
  hook: 'input',
  defaultAction: 'drop',
  rules: [
    { id: 'log-tcp', action: 'log', match: { proto: 'tcp' } },
    { id: 'ssh', action: 'accept', match: { proto: 'tcp', dstPorts: [22], src: ['10.0.0.0/8'] } },
    { id: 'ads', action: 'drop', match: { domains: ['ads.example.com'] } },
    { id: 'dns', action: 'accept', match: { proto: 'udp', dstPorts: [53] } },
    { id: 'web', action: 'accept', match: { proto: 'tcp', dstPorts: ['80', '443'] } },
  ],
  tests: [
    { name: 'ssh from the LAN', packet: { src: '10.1.2.3', dst: '192.168.1.1', proto: 'tcp', dstPort: 22 }, expect: 'accept', rule: 'ssh' },
    { name: 'ads blocked', packet: { src: '10.1.2.3', dst: '9.9.9.9', proto: 'udp', dstPort: 53, dns: { qname: 'X.Ads.Example.com' } }, expect: 'drop', rule: 'ads' },
    { name: 'wrong on purpose', packet: { src: '11.1.2.3', dst: '192.168.1.1', proto: 'tcp', dstPort: 22 }, expect: 'accept' },
    { name: 'wrong rule on purpose', packet: { src: '10.1.2.3', dst: '192.168.1.1', proto: 'tcp', dstPort: 443 }, expect: 'accept', rule: 'ssh' },
  ],
});

const packets: PacketSpecInput[] = [
  { src: '10.1.2.3', dst: '192.168.1.1', proto: 'tcp', dstPort: 22 },
  { src: '11.1.2.3', dst: '192.168.1.1', proto: 'tcp', dstPort: 22 },
  { src: '10.1.2.3', dst: '9.9.9.9', proto: 'udp', dstPort: 53, dns: { qname: 'x.ads.example.com' } },
  { src: '10.1.2.3', dst: '9.9.9.9', proto: 'udp', dstPort: 53, dns: { qname: 'badads.example.com' } },
  { src: '10.1.2.3', dst: '93.184.216.34', proto: 'tcp', dstPort: 443, tls: { sni: 'ads.example.com' } },
  { src: '10.1.2.3', dst: '93.184.216.34', proto: 'tcp', dstPort: 8080, http: { host: 'ads.example.com:8080' } },
  { src: 'fd00::1', dst: 'fd00::2', proto: 'tcp', dstPort: 80 },
  { src: 'fd00::1', dst: 'fd00::2', proto: 'icmpv6', icmpType: 128 },
  { src: '10.1.2.3', dst: '192.168.1.1', proto: 'tcp', dstPort: 22, vlan: [7] },
];

describe.each(targetProfiles)('simulatePolicy on %s', (profile) => {
  it('agrees with the reference evaluator, packet by packet', async () => {
    const results = await simulatePolicy(web, packets as never, { profile });
    results.forEach((r, i) => {
      const expected = evaluate(web, parseFrame(buildFrame(packets[i]), 'l2'), { target: 'netfilter', hook: 'input' });
      expect({ i, verdict: r.verdict, rule: r.rule, errors: r.errors }).toEqual({ i, verdict: expected.verdict, rule: expected.rule, errors: 0 });
    });
    expect(results.map((r) => r.rule)).toEqual(['ssh', 'default', 'ads', 'dns', 'ads', 'ads', 'web', 'default', 'ssh']);
  });

  it('runs the policy tests: verdict and rule must both match', async () => {
    const results = await runPolicyTests(web, { profile });
    expect(results.map((r) => [r.name, r.passed, r.verdict, r.rule])).toEqual([
      ['ssh from the LAN', true, 'accept', 'ssh'],
      ['ads blocked', true, 'drop', 'ads'],
      ['wrong on purpose', false, 'drop', 'default'],
      ['wrong rule on purpose', false, 'accept', 'web'],
    ]);
  });

  it('simulates at another hook when asked (compiled for it)', async () => {
    const [r] = await simulatePolicy(web, [{ src: '10.1.2.3', dst: '192.168.1.1', proto: 'tcp', dstPort: 22 }] as never, { profile, hook: 'output' });
    expect(r).toEqual({ verdict: 'accept', rule: 'ssh', errors: 0 });
  });
});

describe('devices and targets', () => {
  const lan = policyOf({
    name: 'lan',
    hook: 'forward',
    interfaces: ['br-lan'],
    rules: [{ id: 'no-wan-ssh', action: 'drop', match: { iif: 'br-lan', proto: 'tcp', dstPorts: [22] } }],
  });

  it('maps packet interfaces to the ifindexes the script was compiled with', async () => {
    const rs = await simulatePolicy(lan, [
      { src: '10.0.0.2', dst: '10.0.1.2', proto: 'tcp', dstPort: 22, iif: 'br-lan' },
      { src: '10.0.0.2', dst: '10.0.1.2', proto: 'tcp', dstPort: 22, iif: 'wan' },
      { src: '10.0.0.2', dst: '10.0.1.2', proto: 'tcp', dstPort: 22 },
    ] as never);
    expect(rs.map((r) => r.rule)).toEqual(['no-wan-ssh', 'none', 'none']);
  });

  it('a policy that does not compile for the profile is a SimulationError with diagnostics', async () => {
    const err = await simulatePolicy(lan, [], { profile: 'lunatik-3.6' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimulationError);
    expect((err as SimulationError).diagnostics.some((d) => d.code === 'profile.no-ifindex')).toBe(true);
  });

  it('a packet that cannot be built names its index', async () => {
    await expect(simulatePolicy(web, [packets[0], { src: '10.0.0.1', dst: 'fd00::1' }] as never)).rejects.toThrow(/^packets\[1\]: /);
  });

  it('XDP policies see the receiving interface; non-IP frames are "none"', async () => {
    const edge = policyOf({ name: 'edge', target: 'xdp', interfaces: ['eth0'], rules: [{ id: 'icmp', action: 'drop', match: { proto: 'icmp' } }] });
    const sim = await openSimulation(edge);
    try {
      expect(sim.run({ frame: buildFrame({ src: '1.1.1.1', dst: '2.2.2.2', proto: 'icmp', icmpType: 8 }), iif: 'eth0' })).toEqual({ verdict: 'drop', rule: 'icmp', errors: 0 });
      const arp = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, ...new Array(28).fill(0)]);
      expect(sim.run({ frame: arp, iif: 'eth0' })).toEqual({ verdict: 'accept', rule: 'none', errors: 0 });
    } finally {
      sim.close();
    }
  });
});
