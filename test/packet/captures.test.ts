// Real captures (test/fixtures, made by curl/openssl/dig) read back: link types, timestamps, and the names they carry.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureError, frameOf, parseFrame, readCapture, type Capture } from '../../server/packet/index.js';
import { swapPcap, toBigEndianPcapng } from './reencode.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

function names(cap: Capture): string[] {
  const out: string[] = [];
  cap.packets.forEach((_, i) => {
    const p = parseFrame(frameOf(cap, i), 'l2');
    if (p.name) out.push(`${p.name.kind}:${p.name.value}`);
  });
  return out;
}
const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();

describe('fixtures made by real programs', () => {
  it('tls-lo.pcap (Ethernet): SNI of both curl runs, IPv4 and IPv6', () => {
    const cap = readCapture(fixture('tls-lo.pcap'));
    expect(cap.format).toBe('pcap');
    expect(cap.truncated).toBe(false);
    expect(new Set(cap.packets.map((p) => p.linkType))).toEqual(new Set([1]));
    expect(uniq(names(cap))).toEqual(['sni:blocked.example', 'sni:v6.blocked.example']);
    const hello = cap.packets.map((_, i) => parseFrame(frameOf(cap, i), 'l2')).find((p) => p.name?.value === 'v6.blocked.example')!;
    expect(hello).toMatchObject({ family: 6, src: '::1', dst: '::1', proto: 6, dstPort: 8443 });
  });

  it('http-lo.pcap: Host with the port removed and lowercased', () => {
    expect(uniq(names(readCapture(fixture('http-lo.pcap'))))).toEqual(['http:ads.example.com', 'http:tracker.example.net']);
  });

  it('dns-lo-nano.pcap: nanosecond timestamps; queries over UDP (v4, v6) and TCP; responses carry no name', () => {
    const cap = readCapture(fixture('dns-lo-nano.pcap'));
    expect(names(cap)).toEqual(['dns:ads.example.com', 'dns:tracker.example.net', 'dns:tcp.example.org']);
    expect(cap.packets.some((p) => p.ts.nsec % 1000 !== 0)).toBe(true);
    expect(cap.packets.every((p) => p.ts.nsec < 1e9 && p.ts.sec > 1.7e9)).toBe(true);
    const responses = cap.packets.map((_, i) => parseFrame(frameOf(cap, i), 'l2')).filter((p) => p.srcPort === 53 && p.payload!.length > 12);
    expect(responses.length).toBe(3);
    for (const r of responses) expect(r.name).toBeUndefined();
  });

  it('any-sll2.pcap (Linux SLL2) via frameOf', () => {
    const cap = readCapture(fixture('any-sll2.pcap'));
    expect(new Set(cap.packets.map((p) => p.linkType))).toEqual(new Set([276]));
    expect(uniq(names(cap))).toEqual(['dns:ads.example.com', 'dns:tcp.example.org', 'dns:tracker.example.net', 'sni:blocked.example', 'sni:v6.blocked.example']);
  });

  it('any-sll.pcap (Linux SLL) via frameOf', () => {
    const cap = readCapture(fixture('any-sll.pcap'));
    expect(new Set(cap.packets.map((p) => p.linkType))).toEqual(new Set([113]));
    expect(uniq(names(cap))).toEqual(['dns:ads.example.com', 'dns:tcp.example.org', 'dns:tracker.example.net', 'http:ads.example.com', 'http:tracker.example.net']);
  });

  it('raw IP captures (101, 228, 229) parse the same as the Ethernet original', () => {
    const eth = readCapture(fixture('tls-lo.pcap'));
    const raw = readCapture(fixture('raw-ip.pcap'));
    expect(raw.packets[0].linkType).toBe(101);
    expect(raw.packets.length).toBe(eth.packets.length);
    raw.packets.forEach((_, i) => {
      const a = parseFrame(frameOf(eth, i), 'l2');
      const b = parseFrame(raw.packets[i].data, 'l3');
      expect({ ...b, payload: Array.from(b.payload ?? []) }).toEqual({ ...a, l2: undefined, payload: Array.from(a.payload ?? []) });
    });
    const v4 = readCapture(fixture('raw-ipv4.pcap'));
    expect(v4.packets[0].linkType).toBe(228);
    expect(names(v4)).toEqual(['dns:ads.example.com']);
    const v6 = readCapture(fixture('raw-ipv6.pcap'));
    expect(v6.packets[0].linkType).toBe(229);
    expect(names(v6)).toEqual(['dns:tracker.example.net']);
  });

  it('mixed.pcapng: per-interface link types in one file', () => {
    const cap = readCapture(fixture('mixed.pcapng'));
    expect(cap.format).toBe('pcapng');
    expect(cap.truncated).toBe(false);
    expect(new Set(cap.packets.map((p) => p.linkType))).toEqual(new Set([1, 113]));
    expect(uniq(names(cap))).toEqual(['dns:ads.example.com', 'dns:tcp.example.org', 'dns:tracker.example.net', 'http:ads.example.com', 'http:tracker.example.net', 'sni:blocked.example', 'sni:v6.blocked.example']);
    const tls = readCapture(fixture('tls-lo.pcap'));
    expect(cap.packets[0].ts).toEqual(tls.packets[0].ts);
  });
});

describe('encodings', () => {
  it('a big-endian pcap reads the same as the little-endian original (µs and ns)', () => {
    for (const f of ['tls-lo.pcap', 'dns-lo-nano.pcap']) {
      const le = readCapture(fixture(f));
      const be = readCapture(swapPcap(fixture(f)));
      expect(be.packets.length).toBe(le.packets.length);
      expect(be.packets.map((p) => [p.linkType, p.ts, p.origLen, Array.from(p.data)])).toEqual(le.packets.map((p) => [p.linkType, p.ts, p.origLen, Array.from(p.data)]));
    }
  });

  it('a big-endian pcapng with two sections, interface names, ns resolution and a simple packet block', () => {
    const src = readCapture(fixture('any-sll.pcap'));
    const bytes = toBigEndianPcapng(src.packets.slice(0, 5));
    const cap = readCapture(bytes);
    expect(cap.packets.length).toBe(6);
    expect(cap.packets.slice(0, 5).map((p) => [p.ts, Array.from(p.data), p.interface])).toEqual(src.packets.slice(0, 5).map((p) => [p.ts, Array.from(p.data), 'any']));
    expect(cap.packets[5]).toMatchObject({ linkType: 1, interface: undefined, origLen: src.packets[0].data.length });
  });

  it('a file cut inside a record keeps the packets before it', () => {
    const whole = fixture('http-lo.pcap');
    const cap = readCapture(whole.subarray(0, whole.length - 10));
    expect(cap.truncated).toBe(true);
    expect(cap.packets.length).toBe(readCapture(whole).packets.length - 1);
  });

  it('what is not a capture is a CaptureError, and so is an unknown link type', () => {
    expect(() => readCapture(new Uint8Array([1, 2, 3]))).toThrow(CaptureError);
    expect(() => readCapture(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).toThrow(/not a pcap or pcapng/);
    const f = fixture('http-lo.pcap').slice();
    f[20] = 147;
    expect(() => frameOf(readCapture(f), 0)).toThrow(/link type 147/);
  });
});
