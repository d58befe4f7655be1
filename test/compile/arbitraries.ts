// fast-check generators for the differential tests: small pools so random policies and packets actually meet.
import fc from 'fast-check';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';
import type { PolicyInput } from '../../server/policy/schema.js';

const v4nets = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3', '192.168.0.0/16', '0.0.0.0/0', '172.16.5.0/25'];
const v6nets = ['2001:db8::/32', '2001:db8:1::/48', '2001:db8:1:2::/64', '2001:db8::1', '2001:db8:1:2:3:4:5:6/127', '::/0', 'fd00::/8'];
export const v4addrs = ['10.1.2.3', '10.1.2.4', '10.1.3.1', '10.9.9.9', '192.168.1.1', '172.16.5.7', '172.16.5.200', '8.8.8.8'];
export const v6addrs = ['2001:db8::1', '2001:db8:1::5', '2001:db8:1:2::9', '2001:db8:1:2:3:4:5:7', '2001:db8:2::1', 'fd00::1', '2a00::1'];
const ports = [22, 53, 80, 443, 8080, 1000, 1500, 3000, 6063, 6064, 65535];
const portEls: (number | string)[] = [22, 53, 80, 443, 8080, '1000-2000', '3000-3001', '6000-6063', '1500-65535', 65535];
const domains = ['example.com', 'ads.example.com', 'tracker.net', 'a.b.c.d.e', 'xn--bcher-kva.example', 'co', '_dmarc.example.org'];
export const names = ['example.com', 'www.example.com', 'ads.example.com', 'x.ADS.Example.com', 'badads.example.com', 'tracker.net', 'TRACKER.NET', 'a.b.c.d.e', 'b.c.d.e', 'other.org', 'co', 'x.co', 'xn--bcher-kva.example', '_dmarc.example.org'];
export const devices = ['eth0', 'eth1', 'wan'];
const flagNames = ['syn', 'ack', 'fin', 'rst', 'psh'];

const some = <T>(pool: readonly T[], max = 3) => fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: max });
/** Present with probability 1/odds, so that random rules stay small enough to match random packets. */
const opt = <T>(a: fc.Arbitrary<T>, odds = 3): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: a, weight: 1 }, { arbitrary: fc.constant(undefined), weight: odds - 1 });

export interface PolicyShape {
  family: 'inet' | 'ipv4' | 'ipv6';
  target: 'netfilter' | 'xdp';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
}

function matchArb(s: PolicyShape) {
  const protos = s.family === 'ipv4' ? ['tcp', 'udp', 'icmp'] : s.family === 'ipv6' ? ['tcp', 'udp', 'icmpv6'] : ['tcp', 'udp', 'icmp', 'icmpv6'];
  const nets = s.family === 'ipv4' ? v4nets : s.family === 'ipv6' ? v6nets : [...v4nets, ...v6nets];
  const inputSide = s.target === 'xdp' || ['prerouting', 'input', 'forward'].includes(s.hook);
  const cidrs = fc.oneof(some(nets), fc.constant('@nets'));
  return fc
    .record({
      proto: opt(fc.oneof(fc.constantFrom(...protos), fc.constant(['tcp', 'udp'])), 2),
      src: opt(cidrs, 4),
      dst: opt(cidrs, 4),
      srcPorts: opt(some(portEls), 6),
      dstPorts: opt(fc.oneof(some(portEls), fc.constant('@ports')), 3),
      domains: opt(fc.oneof(some(domains), fc.constant('@doms')), 3),
      icmpType: opt(fc.constantFrom(0, 8, 128), 6),
      tcpFlags: opt(fc.constantFrom('syn', 'syn,!ack', 'ack', '!rst', 'fin,ack'), 6),
      dev: opt(fc.constantFrom(...devices), 6),
    })
    .map(({ dev, ...m }) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k] = v;
      const p = m.proto === undefined ? undefined : Array.isArray(m.proto) ? m.proto : [m.proto];
      if (p && !p.some((x) => x === 'tcp' || x === 'udp')) {
        delete out.srcPorts;
        delete out.dstPorts;
      }
      if (p && !p.includes('tcp')) delete out.tcpFlags;
      if (p && !p.some((x) => x === 'icmp' || x === 'icmpv6')) delete out.icmpType;
      if (dev !== undefined) out[inputSide ? 'iif' : 'oif'] = dev;
      return out;
    });
}

export const shapeArb: fc.Arbitrary<PolicyShape> = fc.record({
  family: fc.constantFrom('inet', 'inet', 'ipv4', 'ipv6'),
  target: fc.constantFrom('netfilter', 'netfilter', 'xdp'),
  hook: fc.constantFrom('prerouting', 'input', 'forward', 'output', 'postrouting'),
});

export function policyArb(s: PolicyShape): fc.Arbitrary<PolicyInput> {
  const nets = s.family === 'ipv4' ? v4nets : s.family === 'ipv6' ? v6nets : [...v4nets, ...v6nets];
  return fc
    .record({
      defaultAction: fc.constantFrom('accept', 'drop'),
      interfaces: opt(some(devices, 2), 4),
      nets: some(nets, 4),
      ports: some(portEls, 4),
      doms: some(domains, 4),
      rules: fc.array(
        fc.record({
          match: matchArb(s),
          action: fc.constantFrom('accept', 'drop', 'log'),
          enabled: fc.boolean().map((b) => b || Math.random() < 0.8),
        }),
        { maxLength: 8 },
      ),
    })
    .map((g) => ({
      name: 'diff',
      target: s.target,
      ...(s.target === 'netfilter' ? { hook: s.hook } : {}),
      family: s.family,
      defaultAction: g.defaultAction,
      interfaces: s.target === 'xdp' ? (g.interfaces ?? ['eth0']) : g.interfaces,
      sets: { nets: { type: 'cidr', elements: g.nets }, ports: { type: 'port', elements: g.ports }, doms: { type: 'domain', elements: g.doms } },
      rules: g.rules.map((r, i) => ({ id: `r${i}`, ...r })),
    })) as fc.Arbitrary<PolicyInput>;
}

export const packetArb: fc.Arbitrary<PacketSpecInput> = fc
  .record({
    v6: fc.boolean(),
    src4: fc.constantFrom(...v4addrs),
    dst4: fc.constantFrom(...v4addrs),
    src6: fc.constantFrom(...v6addrs),
    dst6: fc.constantFrom(...v6addrs),
    proto: fc.constantFrom('tcp', 'tcp', 'udp', 'icmp', 47),
    srcPort: fc.constantFrom(...ports),
    dstPort: fc.constantFrom(...ports),
    flags: some(flagNames, 3),
    icmpType: fc.constantFrom(0, 8, 128, 3),
    app: fc.constantFrom('none', 'dns', 'tls', 'http'),
    name: fc.constantFrom(...names),
    httpPort: fc.boolean(),
    vlan: fc.constantFrom(undefined, undefined, [7], [10, 20]),
    fragment: fc.constantFrom(undefined, undefined, undefined, { offset: 8, more: false }, { offset: 0, more: true }),
    ext: fc.constantFrom(undefined, undefined, ['hop-by-hop'], ['destination', 'routing'], ['fragment'], ['hop-by-hop', 'hop-by-hop', 'hop-by-hop', 'hop-by-hop', 'hop-by-hop', 'hop-by-hop', 'hop-by-hop', 'hop-by-hop']),
    iif: fc.constantFrom(undefined, 'eth0', 'eth0', 'eth1', 'wan', 'eth9'),
    oif: fc.constantFrom(undefined, 'eth0', 'eth0', 'eth1', 'wan'),
  })
  .map((g) => {
    const proto = g.proto === 'icmp' ? (g.v6 ? 'icmpv6' : 'icmp') : g.proto;
    const spec: PacketSpecInput = { src: g.v6 ? g.src6 : g.src4, dst: g.v6 ? g.dst6 : g.dst4, proto: proto as PacketSpecInput['proto'] };
    if (proto === 'tcp' || proto === 'udp') {
      spec.srcPort = g.srcPort;
      spec.dstPort = g.app === 'dns' ? 53 : g.dstPort;
    }
    if (proto === 'tcp') spec.tcpFlags = g.flags.join(',');
    if (proto === 'icmp' || proto === 'icmpv6') spec.icmpType = g.icmpType;
    if (g.app === 'dns' && (proto === 'tcp' || proto === 'udp')) spec.dns = { qname: g.name };
    if (g.app === 'tls' && proto === 'tcp') spec.tls = { sni: g.name };
    if (g.app === 'http' && proto === 'tcp') spec.http = { host: g.httpPort ? `${g.name}:8080` : g.name };
    if (g.vlan) spec.vlan = [...g.vlan];
    if (g.fragment && !g.v6) spec.fragment = g.fragment;
    if (g.ext && g.v6) spec.ipv6ExtensionHeaders = [...g.ext];
    if (g.iif) spec.iif = g.iif;
    if (g.oif) spec.oif = g.oif;
    return spec;
  });
