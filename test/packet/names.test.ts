// Name extraction and IP/transport bounds exactly as SEMANTICS.md words them, on hand-made payloads.
import { describe, expect, it } from 'vitest';
import { dnsQuery, tlsClientHello } from '../../server/packet/app.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';

const hex = (b: Uint8Array | string): string => Buffer.from(typeof b === 'string' ? Buffer.from(b, 'latin1') : b).toString('hex');
const v4 = { src: '10.0.0.1', dst: '10.0.0.2' };
const nameOf = (spec: PacketSpecInput) => parseFrame(buildFrame(spec), 'l2').name;
const tcp = (payload: Uint8Array | string, dstPort = 8080) => nameOf({ ...v4, dstPort, tcpFlags: 'psh,ack', payloadHex: hex(payload) });
const udp53 = (payload: Uint8Array) => nameOf({ ...v4, proto: 'udp', dstPort: 53, payloadHex: hex(payload) });

describe('DNS query names', () => {
  const q = dnsQuery('Ads.Example.com', 1);
  it('reads the first question over UDP and TCP (after the length prefix), lowercased', () => {
    expect(udp53(q)).toEqual({ kind: 'dns', value: 'ads.example.com' });
    expect(tcp(Uint8Array.from([0, 0, ...q]), 53)).toEqual({ kind: 'dns', value: 'ads.example.com' });
  });
  it('needs destination port 53', () => {
    expect(nameOf({ ...v4, proto: 'udp', dstPort: 5353, payloadHex: hex(q) })).toBeUndefined();
    expect(nameOf({ ...v4, proto: 'udp', srcPort: 53, dstPort: 40000, payloadHex: hex(q) })).toBeUndefined();
  });
  it('no name for responses, QDCOUNT 0, compression pointers, reserved lengths, root, cut-off names', () => {
    const m = (f: (b: Uint8Array) => void) => {
      const b = q.slice();
      f(b);
      return udp53(b);
    };
    expect(m((b) => (b[2] |= 0x80))).toBeUndefined();
    expect(m((b) => (b[5] = 0))).toBeUndefined();
    expect(m((b) => (b[12] = 0xc0))).toBeUndefined();
    expect(m((b) => (b[12] = 0x40))).toBeUndefined();
    expect(m((b) => (b[12] = 0))).toBeUndefined();
    expect(udp53(q.subarray(0, 12 + 16))).toBeUndefined();
    expect(udp53(q.subarray(0, 12 + 17))).toEqual({ kind: 'dns', value: 'ads.example.com' });
  });
  it('253 bytes is a name, 254 is not', () => {
    const name = (n: number) => [...Array(Math.floor(n / 64)).fill('a'.repeat(63)), 'b'.repeat(n - 64 * Math.floor(n / 64))].filter(Boolean).join('.');
    expect(name(253).length).toBe(253);
    expect(udp53(dnsQuery(name(253), 1))?.value.length).toBe(253);
    expect(udp53(dnsQuery(name(254), 1))).toBeUndefined();
  });
  it('a name with raw bytes keeps one character per byte and only A-Z is lowercased', () => {
    const b = Uint8Array.from([...q.subarray(0, 12), 3, 0xc4, 0x41, 0x2e, 3, 0x63, 0x6f, 0x6d, 0, 0, 1, 0, 1]);
    expect(udp53(b)).toEqual({ kind: 'dns', value: '\u00c4a..com' });
  });
});

describe('TLS SNI', () => {
  const hello = tlsClientHello('Blocked.Example');
  it('finds server_name among other extensions on any port but 53', () => {
    expect(tcp(hello, 8443)).toEqual({ kind: 'sni', value: 'blocked.example' });
    expect(tcp(hello, 53)).toBeUndefined();
    expect(nameOf({ ...v4, proto: 'udp', dstPort: 443, payloadHex: hex(hello) })).toBeUndefined();
  });
  it('a ClientHello cut after server_name still names it; cut inside it does not', () => {
    const at = Buffer.from(hello).indexOf(Buffer.from('Blocked.Example'));
    expect(tcp(hello.subarray(0, at + 15))).toEqual({ kind: 'sni', value: 'blocked.example' });
    expect(tcp(hello.subarray(0, at + 14))).toBeUndefined();
    // Cut before server_name's header: the walk meets an extension running past the payload.
    expect(tcp(hello.subarray(0, at - 20))).toBeUndefined();
  });
  it('checks record type, version major and handshake type', () => {
    for (const [i, v] of [[0, 0x17], [1, 2], [5, 2]]) {
      const b = hello.slice();
      b[i] = v;
      expect(tcp(b)).toBeUndefined();
    }
  });
  it('walks at most 32 extensions', () => {
    const mk = (padding: number) => {
      const b = Buffer.from(hello);
      const extStart = 5 + 4 + 2 + 32 + 1 + 32 + 2 + b.readUInt16BE(5 + 4 + 2 + 32 + 1 + 32) + 2;
      const exts = b.subarray(extStart + 2);
      const pad = Buffer.concat(Array.from({ length: padding }, () => Buffer.from([0xff, 0x01, 0, 0])));
      const sni = Buffer.from([0, 0, 0, 0x0a, 0, 0x08, 0, 0, 0x05, ...Buffer.from('a.com')]);
      const all = Buffer.concat([pad, sni, exts]);
      return Buffer.concat([b.subarray(0, extStart), Buffer.from([all.length >> 8, all.length & 0xff]), all]);
    };
    expect(tcp(mk(31))).toEqual({ kind: 'sni', value: 'a.com' });
    expect(tcp(mk(32))).toBeUndefined();
  });
});

describe('HTTP Host', () => {
  const req = (s: string) => tcp(s);
  it('takes the first host: line, trims, drops :port, lowercases', () => {
    expect(req('GET / HTTP/1.1\r\nAccept: */*\r\nHOST: \t Ads.Example.COM:8080 \t\r\nHost: other\r\n\r\n')).toEqual({ kind: 'http', value: 'ads.example.com' });
    expect(req('CONNECT x HTTP/1.0\r\nhost:a.b\r\n\r\n')).toEqual({ kind: 'http', value: 'a.b' });
    expect(req('GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n')).toEqual({ kind: 'http', value: '[::1]' });
  });
  it('rejects what is not an HTTP/1.x request line', () => {
    expect(req('get / HTTP/1.1\r\nHost: a.b\r\n\r\n')).toBeUndefined();
    expect(req('GET / HTTP/2.0\r\nHost: a.b\r\n\r\n')).toBeUndefined();
    expect(req('ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: a.b\r\n\r\n')).toBeUndefined();
    expect(req('ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: a.b\r\n\r\n')).toEqual({ kind: 'http', value: 'a.b' });
    // The request line's \r\n must end at or before byte 1024.
    expect(req(`GET /${'x'.repeat(1009)} HTTP/1.1\r\nHost: a.b\r\n\r\n`)).toBeUndefined();
    expect(req(`GET /${'x'.repeat(1008)} HTTP/1.1\r\nHost: a.b\r\n\r\n`)).toEqual({ kind: 'http', value: 'a.b' });
  });
  it('stops at the empty line, at 4096 bytes, on "Host :" and on empty or over-long values', () => {
    expect(req('GET / HTTP/1.1\r\n\r\nHost: a.b\r\n\r\n')).toBeUndefined();
    expect(req('GET / HTTP/1.1\r\nHost : a.b\r\n\r\n')).toBeUndefined();
    expect(req('GET / HTTP/1.1\r\nHost: :8080\r\nHost: a.b\r\n\r\n')).toBeUndefined();
    expect(req(`GET / HTTP/1.1\r\nHost: ${'a'.repeat(254)}\r\n\r\n`)).toBeUndefined();
    // Request line 16 bytes + filler line + "Host: a.b\r\n" (11) = exactly 4096.
    const filler = `X-Pad: ${'p'.repeat(4096 - 16 - 7 - 2 - 11)}\r\n`;
    expect(req(`GET / HTTP/1.1\r\n${filler}Host: a.b\r\n\r\n`)?.value).toBe('a.b');
    expect(req(`GET / HTTP/1.1\r\nX${filler}Host: a.b\r\n\r\n`)).toBeUndefined();
  });
});

describe('IP and transport bounds', () => {
  it('Ethernet padding after the IP total length is not payload', () => {
    const f = buildFrame({ ...v4, proto: 'udp', dstPort: 53, dns: { qname: 'a.com' } });
    // Drop qtype, qclass and the name's terminating zero; the padding's zeros must not complete the name.
    const padded = Uint8Array.from([...f.subarray(0, f.length - 5), 0, 0, 0, 0, 0, 0, 0, 0]);
    padded[14 + 3] -= 5;
    const p = parseFrame(padded, 'l2');
    expect(p.payload!.length).toBe(f.length - 14 - 28 - 5);
    expect(p.name).toBeUndefined();
    expect(parseFrame(Uint8Array.from([...f, 0, 0, 0, 0]), 'l2').name).toEqual({ kind: 'dns', value: 'a.com' });
  });
  it('IPv6 payload length bounds the packet', () => {
    const f = buildFrame({ src: 'fd00::1', dst: 'fd00::2', dstPort: 22 });
    f[14 + 5] = 19; // one byte short of the TCP header
    const p = parseFrame(f, 'l2');
    expect(p).toMatchObject({ family: 6, proto: 6 });
    expect(p.srcPort).toBeUndefined();
  });
  it('unusable headers: IHL < 5, header longer than the buffer, total length shorter than the header, wrong version', () => {
    const f = buildFrame(v4);
    const mut = (i: number, v: number) => {
      const b = f.slice();
      b[i] = v;
      return parseFrame(b, 'l2');
    };
    expect(mut(14, 0x44)).toEqual({ l2: { vlan: [], etherType: 0x800 }, family: 0, unusable: 4 });
    expect(mut(14, 0x4f)).toMatchObject({ family: 0, unusable: 4 });
    expect(mut(16 + 1, 19)).toMatchObject({ family: 0, unusable: 4 });
    expect(mut(14, 0x65)).toMatchObject({ family: 0, unusable: 4 });
    expect(parseFrame(f.subarray(0, 14 + 19), 'l2')).toMatchObject({ family: 0, unusable: 4 });
    const f6 = buildFrame({ src: '::1', dst: '::2' });
    expect(parseFrame(f6.subarray(0, 14 + 39), 'l2')).toMatchObject({ family: 0, unusable: 6 });
  });
  it('TCP with a data offset under 5 or past the packet has no transport fields', () => {
    const f = buildFrame({ ...v4, dstPort: 22 });
    for (const off of [0x40, 0x60]) {
      f[14 + 20 + 12] = off;
      const p = parseFrame(f, 'l2');
      expect(p.proto).toBe(6);
      expect(p.dstPort).toBeUndefined();
    }
  });
  it('VLAN: 802.1Q, QinQ; a third tag is not IP', () => {
    expect(parseFrame(buildFrame({ ...v4, vlan: [5] }), 'l2').l2).toEqual({ vlan: [5], etherType: 0x800 });
    const qinq = buildFrame({ ...v4, vlan: [100, 200] });
    expect([qinq[12], qinq[13], qinq[16], qinq[17]]).toEqual([0x88, 0xa8, 0x81, 0x00]);
    expect(parseFrame(qinq, 'l2')).toMatchObject({ family: 4, l2: { vlan: [100, 200] } });
    const three = Uint8Array.from([...qinq.subarray(0, 20), 0x81, 0x00, 0, 7, ...qinq.subarray(20)]);
    expect(parseFrame(three, 'l2')).toEqual({ l2: { vlan: [100, 200], etherType: 0x8100 }, family: 0 });
  });
  it('L3 buffers: the version nibble decides', () => {
    expect(parseFrame(Uint8Array.of(0x50, 1, 2), 'l3')).toEqual({ family: 0 });
    expect(parseFrame(Uint8Array.of(0x45, 1, 2), 'l3')).toEqual({ family: 0, unusable: 4 });
  });
});
