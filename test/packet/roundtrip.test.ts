// build → parse round trips over random PacketSpec-shaped values (fast-check), with checksums verified.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksum } from '../../server/packet/bytes.js';
import { buildFrame, buildPacket, parseFrame } from '../../server/packet/index.js';
import { parseAddress } from '../../server/policy/cidr.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';

const flagNames = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'];
const label = fc.stringMatching(/^[A-Za-z0-9_]([A-Za-z0-9_-]{0,20}[A-Za-z0-9_])?$/);
const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));
const ext = fc.array(fc.constantFrom('hop-by-hop' as const, 'routing' as const, 'destination' as const), { maxLength: 8 });

const spec: fc.Arbitrary<PacketSpecInput> = fc
  .record({
    v6: fc.boolean(),
    a4: fc.tuple(fc.ipV4(), fc.ipV4()),
    a6: fc.tuple(fc.ipV6(), fc.ipV6()),
    kind: fc.constantFrom('tcp', 'udp', 'icmp', 'other', 'dns-udp', 'dns-tcp', 'tls', 'http'),
    srcPort: fc.integer({ min: 0, max: 65535 }),
    dstPort: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    flags: fc.subarray(flagNames, { minLength: 1 }),
    icmpType: fc.integer({ min: 0, max: 255 }),
    ttl: fc.integer({ min: 0, max: 255 }),
    vlan: fc.option(fc.array(fc.integer({ min: 0, max: 4095 }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    name,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    ext,
    frag: fc.option(fc.record({ offset: fc.integer({ min: 0, max: 200 }).map((n) => n * 8), more: fc.boolean() }), { nil: undefined }),
    otherProto: fc.constantFrom(47, 50, 103, 132),
    payloadHex: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')),
  })
  .map((r) => {
    const [src, dst] = r.v6 ? r.a6 : r.a4;
    const s: PacketSpecInput = { src, dst, ttl: r.ttl, vlan: r.vlan, fragment: r.frag };
    // A fragment header is appended to the list: keep the chain within the 8 the parser walks.
    if (r.v6 && r.ext.length) s.ipv6ExtensionHeaders = r.frag ? r.ext.slice(0, 7) : r.ext;
    switch (r.kind) {
      case 'tcp':
        return { ...s, proto: 'tcp', srcPort: r.srcPort, dstPort: r.dstPort, tcpFlags: r.flags.join(','), payloadHex: r.payloadHex };
      case 'udp':
        return { ...s, proto: 'udp', srcPort: r.srcPort, dstPort: r.dstPort === 53 ? 54 : r.dstPort, payloadHex: r.payloadHex };
      case 'icmp':
        return { ...s, proto: r.v6 ? 'icmpv6' : 'icmp', icmpType: r.icmpType };
      case 'other':
        return { ...s, proto: r.otherProto, payloadHex: r.payloadHex };
      case 'dns-udp':
        return { ...s, proto: 'udp', dns: { qname: r.name } };
      case 'dns-tcp':
        return { ...s, proto: 'tcp', dns: { qname: r.name + '.' } };
      case 'tls':
        return { ...s, tls: { sni: r.name }, dstPort: r.dstPort === 53 ? 443 : r.dstPort };
      default:
        return { ...s, http: { host: r.name + (r.port ? `:${r.port}` : ''), method: 'POST', path: '/x?y=1' }, dstPort: r.dstPort === 53 ? 80 : r.dstPort };
    }
  });

const protoNum = (s: PacketSpecInput): number => (typeof s.proto === 'number' ? s.proto : { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 }[s.proto ?? 'tcp']);

describe('build → parse', () => {
  it('recovers every field the spec sets', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const frame = buildFrame(s);
        const p = parseFrame(frame, 'l2');
        const src = parseAddress(s.src)!;
        expect(p.l2).toEqual({ vlan: s.vlan ?? [], etherType: src.family === 4 ? 0x0800 : 0x86dd });
        expect(p.family).toBe(src.family);
        expect(p.src).toBe(src.canonical);
        expect(p.dst).toBe(parseAddress(s.dst)!.canonical);
        expect(p.ttl).toBe(s.ttl);
        expect(p.proto).toBe(protoNum(s));
        const l3 = parseFrame(buildPacket(s), 'l3');
        expect({ ...l3, payload: l3.payload && Array.from(l3.payload) }).toEqual({ ...p, l2: undefined, payload: p.payload && Array.from(p.payload) });
        if (s.fragment && s.fragment.offset > 0) {
          expect(p.nonFirstFragment).toBe(true);
          expect(p.srcPort ?? p.icmpType ?? p.name).toBeUndefined();
          return;
        }
        expect(p.nonFirstFragment).toBeUndefined();
        if (p.proto === 6 || p.proto === 17) {
          expect(p.srcPort).toBe(s.srcPort ?? 40000);
          if (s.dstPort !== undefined) expect(p.dstPort).toBe(s.dstPort);
        }
        if (s.tcpFlags) expect(p.tcpFlags).toBe(s.tcpFlags.split(',').reduce((a, f) => a | (1 << flagNames.indexOf(f)), 0));
        if (s.icmpType !== undefined) expect(p.icmpType).toBe(s.icmpType);
        if (s.payloadHex !== undefined && p.payload) expect(Buffer.from(p.payload).toString('hex')).toBe(s.payloadHex);
        const want = s.dns ? { kind: 'dns', value: s.dns.qname.replace(/\.$/, '').toLowerCase() } : s.tls ? { kind: 'sni', value: s.tls.sni.toLowerCase() } : s.http ? { kind: 'http', value: s.http.host.replace(/:\d+$/, '').toLowerCase() } : undefined;
        if (want) expect(p.name).toEqual(want);
        else if (s.payloadHex === undefined || p.proto !== 6) expect(p.name).toBeUndefined();
      }),
      { numRuns: 800 },
    );
  });

  it('writes valid IPv4 header and TCP/UDP/ICMP checksums', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const l3 = buildPacket(s);
        const p = parseFrame(l3, 'l3');
        if (s.fragment && s.fragment.offset > 0) return;
        const v4 = p.family === 4;
        const off = v4 ? 20 : 40 + extLen(l3);
        if (v4) expect(checksum([l3.subarray(0, 20)])).toBe(0);
        const seg = l3.subarray(off);
        const len = seg.length;
        const pseudo = v4
          ? Uint8Array.from([...l3.subarray(12, 20), 0, p.proto!, len >> 8, len & 0xff])
          : Uint8Array.from([...l3.subarray(8, 40), 0, 0, len >> 8, len & 0xff, 0, 0, 0, p.proto!]);
        if (p.proto === 6 || p.proto === 17 || p.proto === 58) expect(checksum([pseudo, seg])).toBe(0);
        if (p.proto === 1 && v4) expect(checksum([seg])).toBe(0);
      }),
      { numRuns: 400 },
    );
  });
});

/** Bytes of IPv6 extension headers the builder wrote (all of its kinds are 8 bytes). */
function extLen(l3: Uint8Array): number {
  let next = l3[6];
  let n = 0;
  while ([0, 43, 60, 44].includes(next)) {
    next = l3[40 + n];
    n += 8;
  }
  return n;
}
