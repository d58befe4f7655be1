// Hostile input: truncated, random and mutated frames and captures never make the parser or reader throw unexpectedly.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureError, buildFrame, frameOf, parseFrame, readCapture } from '../../server/packet/index.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';

const v4 = { src: '10.0.0.1', dst: '10.0.0.2' };
const v6 = { src: 'fd00::1', dst: 'fd00::2' };
const specs: PacketSpecInput[] = [
  { ...v4, tls: { sni: 'blocked.example' } },
  { ...v6, http: { host: 'ads.example.com:8080' }, vlan: [1, 2] },
  { ...v4, proto: 'udp', dns: { qname: 'ads.example.com' }, vlan: [7] },
  { ...v6, proto: 'tcp', dns: { qname: 'ads.example.com' }, ipv6ExtensionHeaders: ['hop-by-hop', 'routing', 'fragment', 'destination'] },
  { ...v6, proto: 'icmpv6', icmpType: 135 },
  { ...v4, proto: 'icmp' },
];
const fixtures = ['tls-lo.pcap', 'http-lo.pcap', 'dns-lo-nano.pcap', 'any-sll.pcap', 'any-sll2.pcap', 'raw-ip.pcap', 'raw-ipv6.pcap', 'mixed.pcapng'].map(
  (f) => new Uint8Array(readFileSync(new URL(`../fixtures/${f}`, import.meta.url))),
);

describe('parseFrame on hostile bytes', () => {
  it('never throws on any truncation of built frames, at L2 and L3', () => {
    for (const s of specs) {
      const f = buildFrame(s);
      for (let n = 0; n <= f.length; n++) {
        const p2 = parseFrame(f.subarray(0, n), 'l2');
        expect(p2.l2).toBeDefined();
        parseFrame(f.subarray(0, n), 'l3');
        parseFrame(f.subarray(14, n), 'l3');
      }
    }
  });

  it('never throws on truncations of every real captured frame', () => {
    for (const bytes of fixtures) {
      const cap = readCapture(bytes);
      cap.packets.forEach((_, i) => {
        const f = frameOf(cap, i);
        for (let n = 0; n <= f.length; n += f.length > 300 ? 7 : 1) parseFrame(f.subarray(0, n), 'l2');
      });
    }
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('l2' as const, 'l3' as const), (b, layer) => {
        const p = parseFrame(b, layer);
        expect([0, 4, 6]).toContain(p.family);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on built frames with random bytes overwritten', () => {
    const frames = specs.map(buildFrame);
    fc.assert(
      fc.property(fc.nat(frames.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (k, edits) => {
        const f = frames[k].slice();
        for (const [at, v] of edits) f[at % f.length] = v;
        parseFrame(f, 'l2');
        parseFrame(f.subarray(14), 'l3');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('readCapture on hostile bytes', () => {
  const onlyCaptureErrors = (b: Uint8Array) => {
    try {
      const cap = readCapture(b);
      cap.packets.forEach((_, i) => {
        try {
          parseFrame(frameOf(cap, i), 'l2');
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
        }
      });
    } catch (e) {
      expect(e).toBeInstanceOf(CaptureError);
    }
  };
  it('truncations of real captures yield packets or a CaptureError, nothing else', () => {
    for (const b of fixtures) for (let n = 0; n <= Math.min(b.length, 1500); n++) onlyCaptureErrors(b.subarray(0, n));
  });
  it('mutated real captures yield packets or a CaptureError, nothing else', () => {
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), fc.array(fc.tuple(fc.nat(3000), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (k, edits) => {
        const b = fixtures[k].slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        onlyCaptureErrors(b);
      }),
      { numRuns: 2000 },
    );
  });
});
