// The reference evaluator on packets built by the toolkit: every match field, log/continue, disabled rules, family, devices, fragments.
import { describe, expect, it } from 'vitest';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import type { ParsedPacket } from '../../server/packet/types.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate, type EvalContext } from '../../server/policy/evaluate.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';
import { policy as policySchema, type Policy } from '../../server/policy/schema.js';

function pol(p: Record<string, unknown>): Policy {
  const { policy, diagnostics } = checkPolicy({ name: 'ev', hook: 'forward', ...p });
  if (!policy) throw new Error(JSON.stringify(diagnostics));
  return policy;
}
const pkt = (spec: PacketSpecInput): ParsedPacket => ({ ...parseFrame(buildFrame(spec), 'l2'), iif: spec.iif, oif: spec.oif });
const nf: EvalContext = { target: 'netfilter' };
const v4 = { src: '192.168.1.10', dst: '10.0.0.1' };
const v6 = { src: 'fd00::10', dst: '2001:db8::1' };

/** Rule r1 drops what `match` matches; everything else is accepted by default. */
function hits(match: Record<string, unknown>, spec: PacketSpecInput, extra: Record<string, unknown> = {}, ctx = nf): boolean {
  const r = evaluate(pol({ rules: [{ id: 'r1', action: 'drop', match }], ...extra }), pkt(spec), ctx);
  expect(r.rule === 'r1' || r.rule === 'default').toBe(true);
  return r.rule === 'r1';
}

describe('evaluate: match fields', () => {
  it('proto (single, list; icmp only on IPv4, icmpv6 only on IPv6)', () => {
    expect(hits({ proto: 'tcp' }, { ...v4 })).toBe(true);
    expect(hits({ proto: 'udp' }, { ...v4 })).toBe(false);
    expect(hits({ proto: ['udp', 'tcp'] }, { ...v4, proto: 'udp' })).toBe(true);
    expect(hits({ proto: 'icmp' }, { ...v4, proto: 'icmp' })).toBe(true);
    expect(hits({ proto: 'icmpv6' }, { ...v6, proto: 'icmpv6' })).toBe(true);
    expect(hits({ proto: 'icmp' }, { ...v6, proto: 1 })).toBe(false);
    expect(hits({ proto: 'icmpv6' }, { ...v4, proto: 58 })).toBe(false);
  });
  it('src / dst CIDRs, bare addresses, sets, family of list entries', () => {
    expect(hits({ src: ['192.168.1.0/24'] }, v4)).toBe(true);
    expect(hits({ src: ['192.168.2.0/24'] }, v4)).toBe(false);
    expect(hits({ dst: ['10.0.0.1'] }, v4)).toBe(true);
    expect(hits({ dst: ['10.0.0.2'] }, v4)).toBe(false);
    expect(hits({ dst: ['2001:db8::/32'] }, v6)).toBe(true);
    expect(hits({ dst: ['2001:db8::/32'] }, v4)).toBe(false);
    expect(hits({ src: ['0.0.0.0/0'] }, v6)).toBe(false);
    expect(hits({ src: '@lan' }, v6, { sets: { lan: { type: 'cidr', elements: ['192.168.0.0/16', 'fd00::/8'] } } })).toBe(true);
    expect(hits({ src: ['192.168.1.8/29'] }, v4)).toBe(true);
    expect(hits({ src: ['192.168.1.16/29'] }, v4)).toBe(false);
  });
  it('ports and ranges, TCP and UDP only', () => {
    expect(hits({ dstPorts: [22, '8000-8100'] }, { ...v4, dstPort: 8080 })).toBe(true);
    expect(hits({ dstPorts: [22, '8000-8100'] }, { ...v4, dstPort: 8101 })).toBe(false);
    expect(hits({ srcPorts: [5353] }, { ...v4, proto: 'udp', srcPort: 5353 })).toBe(true);
    expect(hits({ srcPorts: '@hi' }, { ...v6, srcPort: 40000 }, { sets: { hi: { type: 'port', elements: ['1024-65535'] } } })).toBe(true);
    expect(hits({ dstPorts: ['1-65535'] }, { ...v4, proto: 'icmp' })).toBe(false);
    expect(hits({ dstPorts: ['1-65535'] }, { ...v4, proto: 47 })).toBe(false);
  });
  it('icmpType', () => {
    expect(hits({ icmpType: 8 }, { ...v4, proto: 'icmp' })).toBe(true);
    expect(hits({ icmpType: 0 }, { ...v4, proto: 'icmp' })).toBe(false);
    expect(hits({ icmpType: 135 }, { ...v6, proto: 'icmpv6', icmpType: 135 })).toBe(true);
    expect(hits({ icmpType: 8 }, { ...v4 })).toBe(false);
  });
  it('tcpFlags: set and !clear', () => {
    expect(hits({ tcpFlags: 'syn,!ack' }, { ...v4, tcpFlags: 'syn' })).toBe(true);
    expect(hits({ tcpFlags: 'syn,!ack' }, { ...v4, tcpFlags: 'syn,ack' })).toBe(false);
    expect(hits({ tcpFlags: 'rst' }, { ...v4, tcpFlags: 'rst,ack' })).toBe(true);
    expect(hits({ tcpFlags: '!syn' }, { ...v4, proto: 'udp' })).toBe(false);
  });
  it('domains from DNS (UDP and TCP), SNI and HTTP Host, label-exact suffix', () => {
    const d = { domains: ['ads.example.com'] };
    expect(hits(d, { ...v4, proto: 'udp', dns: { qname: 'x.ADS.example.com' } })).toBe(true);
    expect(hits(d, { ...v4, proto: 'tcp', dns: { qname: 'ads.example.com' } })).toBe(true);
    expect(hits(d, { ...v4, proto: 'udp', dns: { qname: 'badads.example.com' } })).toBe(false);
    expect(hits(d, { ...v4, tls: { sni: 'ads.example.com' }, dstPort: 8443 })).toBe(true);
    expect(hits(d, { ...v6, http: { host: 'ads.example.com:8080' } })).toBe(true);
    expect(hits(d, { ...v4, http: { host: 'example.com' } })).toBe(false);
    expect(hits(d, { ...v4 })).toBe(false);
    expect(hits({ domains: ['bücher.de'] }, { ...v4, tls: { sni: 'www.bücher.de' } })).toBe(true);
  });
  it('iif on input hooks, oif on output hooks, xdp uses iif', () => {
    expect(hits({ iif: 'lan' }, { ...v4, iif: 'lan' })).toBe(true);
    expect(hits({ iif: 'lan' }, { ...v4, iif: 'wan' })).toBe(false);
    expect(hits({ iif: 'lan' }, { ...v4 })).toBe(false);
    expect(hits({ oif: 'wan' }, { ...v4, oif: 'wan' }, { hook: 'postrouting' })).toBe(true);
    expect(hits({ iif: 'lan' }, { ...v4, iif: 'lan' }, {}, { target: 'netfilter', hook: 'output' })).toBe(false);
    expect(hits({ iif: 'eth0' }, { ...v4, iif: 'eth0' }, { target: 'xdp', hook: undefined, interfaces: ['eth0'] }, { target: 'xdp' })).toBe(true);
  });
  it('a rule with no match fields matches every packet the policy applies to', () => {
    expect(hits({}, { ...v6, proto: 99 })).toBe(true);
  });
});

describe('evaluate: rules and outcomes', () => {
  // Parsed without checkPolicy, which refuses reject while no profile can emit it; the evaluator still defines it.
  const p = policySchema.parse({ name: 'ev', hook: 'forward',
    defaultAction: 'drop',
    rules: [
      { id: 'logall', action: 'log' },
      { id: 'off', action: 'accept', enabled: false, match: { proto: 'udp' } },
      { id: 'logudp', action: 'log', match: { proto: 'udp' } },
      { id: 'dns', action: 'accept', match: { dstPorts: [53] } },
      { id: 'rej', action: 'reject', match: { dstPorts: [23] } },
    ],
  });
  it('log counts and continues; the decider is counted last', () => {
    expect(evaluate(p, pkt({ ...v4, proto: 'udp', dstPort: 53 }), nf)).toEqual({ verdict: 'accept', rule: 'dns', counted: ['logall', 'logudp', 'dns'] });
  });
  it('disabled rules are ignored; no rule → default, counted', () => {
    expect(evaluate(p, pkt({ ...v4, proto: 'udp', dstPort: 9 }), nf)).toEqual({ verdict: 'drop', rule: 'default', counted: ['logall', 'logudp', 'default'] });
  });
  it('reject is a drop', () => {
    expect(evaluate(p, pkt({ ...v4, dstPort: 23 }), nf)).toEqual({ verdict: 'drop', rule: 'rej', counted: ['logall', 'rej'] });
  });
  it('non-IP frames are "none" and count nothing', () => {
    const arp = Uint8Array.from([...buildFrame(v4).subarray(0, 12), 0x08, 0x06, ...new Array(28).fill(0)]);
    expect(evaluate(p, parseFrame(arp, 'l2'), nf)).toEqual({ verdict: 'accept', rule: 'none', counted: [] });
    expect(evaluate(p, parseFrame(new Uint8Array(0), 'l3'), nf).rule).toBe('none');
  });
  it('family filter passes the other family untouched, even with a broken header', () => {
    const p4 = pol({ family: 'ipv4', defaultAction: 'drop' });
    expect(evaluate(p4, pkt(v6), nf).rule).toBe('none');
    expect(evaluate(p4, pkt(v4), nf).rule).toBe('default');
    expect(evaluate(p4, parseFrame(buildFrame(v6).subarray(0, 30), 'l2'), nf).rule).toBe('none');
    const p6 = pol({ family: 'ipv6' });
    expect(evaluate(p6, pkt(v4), nf).rule).toBe('none');
  });
  it('an unusable IP header gets the default', () => {
    const f = buildFrame(v4);
    f[14] = 0x44;
    expect(evaluate(p, parseFrame(f, 'l2'), nf)).toEqual({ verdict: 'drop', rule: 'default', counted: ['default'] });
  });
  it('interfaces: packets on other devices (or none) are "none"', () => {
    const pi = pol({ interfaces: ['br-lan'], defaultAction: 'drop' });
    expect(evaluate(pi, pkt({ ...v4, iif: 'br-lan' }), nf).rule).toBe('default');
    expect(evaluate(pi, pkt({ ...v4, iif: 'wan' }), nf).rule).toBe('none');
    expect(evaluate(pi, pkt(v4), nf).rule).toBe('none');
    expect(evaluate(pi, pkt({ ...v4, oif: 'br-lan' }), { target: 'netfilter', hook: 'postrouting' }).rule).toBe('default');
    // LOCAL_OUT has no device yet: an interfaces list never applies there.
    expect(evaluate(pi, pkt({ ...v4, oif: 'br-lan' }), { target: 'netfilter', hook: 'output' }).rule).toBe('none');
  });
  it('marks: a netfilter hook sees only the marks it registered (absent: 0); xdp has none', () => {
    const plain = pol({ defaultAction: 'drop' });
    expect(evaluate(plain, pkt(v4), nf).rule).toBe('default');
    expect(evaluate(plain, pkt(v4), { ...nf, mark: 0x100 }).rule).toBe('none');
    const marked = pol({ defaultAction: 'drop', marks: [0, 0x100, 0xffffffff] });
    for (const mark of [0, 0x100, 0xffffffff]) expect(evaluate(marked, pkt(v4), { ...nf, mark }).rule).toBe('default');
    expect(evaluate(marked, pkt(v4), { ...nf, mark: 0x200 })).toEqual({ verdict: 'accept', rule: 'none', counted: [] });
    const xdp = pol({ target: 'xdp', hook: undefined, interfaces: ['eth0'], defaultAction: 'drop' });
    expect(evaluate(xdp, pkt({ ...v4, iif: 'eth0' }), { target: 'xdp', mark: 0x100 }).rule).toBe('default');
  });
});

describe('evaluate: fragments and extension headers', () => {
  const p = pol({
    rules: [
      { id: 'ssh', action: 'drop', match: { dstPorts: [22] } },
      { id: 'tcp', action: 'drop', match: { proto: 'tcp', src: ['192.168.0.0/16', 'fd00::/8'] } },
    ],
  });
  it('IPv4 non-first fragments never match port fields but match proto and addresses', () => {
    expect(evaluate(p, pkt({ ...v4, dstPort: 22, fragment: { offset: 0, more: true } }), nf).rule).toBe('ssh');
    expect(evaluate(p, pkt({ ...v4, dstPort: 22, fragment: { offset: 1480 } }), nf).rule).toBe('tcp');
  });
  it('IPv6 extension headers are walked; a non-first fragment header stops the walk', () => {
    expect(evaluate(p, pkt({ ...v6, dstPort: 22, ipv6ExtensionHeaders: ['hop-by-hop', 'routing', 'destination'] }), nf).rule).toBe('ssh');
    expect(evaluate(p, pkt({ ...v6, dstPort: 22, ipv6ExtensionHeaders: ['fragment'] }), nf).rule).toBe('ssh');
    expect(evaluate(p, pkt({ ...v6, dstPort: 22, fragment: { offset: 8 } }), nf).rule).toBe('tcp');
  });
  it('more than 8 extension headers: no protocol, no ports', () => {
    const eight = Array(8).fill('destination') as 'destination'[];
    expect(evaluate(p, pkt({ ...v6, dstPort: 22, ipv6ExtensionHeaders: eight }), nf).rule).toBe('ssh');
    const spec = { ...v6, dstPort: 22, ipv6ExtensionHeaders: eight };
    const f = buildFrame(spec);
    // Turn the transport header into a ninth destination-options header.
    f[14 + 40 + 7 * 8] = 60;
    expect(evaluate(p, parseFrame(f, 'l2'), nf).rule).toBe('default');
  });
});
