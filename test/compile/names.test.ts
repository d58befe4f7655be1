// The Lua name parsers (DNS qname, TLS SNI, HTTP Host) against the reference parser on crafted and mutated payloads.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { targetProfiles } from '../../server/compile/profile.js';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { dnsQuery, httpRequest, tlsClientHello } from '../../server/packet/app.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';
import { nameFunctions } from '../../server/compile/names.js';
import { printStatements } from '../../server/lua/printer.js';
import { hasLua, runLua } from './luac.js';

const policy = checkPolicy({
  name: 'names',
  target: 'xdp',
  interfaces: ['eth0'],
  rules: [
    { id: 'deep', match: { domains: ['a.example.com'] }, action: 'log' },
    { id: 'block', match: { domains: ['example.com', 'x.y', 'b', '_sip.test'] }, action: 'drop' },
  ],
}).policy!;

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator({ callBudget: 200_000 });
});
afterAll(() => emu.close());

const hex = (s: string | Uint8Array): string => Buffer.from(s as string).toString('hex');
const http = (text: string): PacketSpecInput => ({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', srcPort: 5000, dstPort: 8080, payloadHex: hex(text) });

const crafted: [string, PacketSpecInput][] = [
  ['Host with port and spaces', http('GET / HTTP/1.1\r\nHost: \t EXAMPLE.com:8080 \t\r\n\r\n')],
  ['host after other headers, lower case', http('POST /x HTTP/1.0\r\nAccept: */*\r\nhost:a.example.com\r\n\r\n')],
  ['space before the colon', http('GET / HTTP/1.1\r\nHost : example.com\r\n\r\n')],
  ['second host line ignored', http('GET / HTTP/1.1\r\nHost: other.org\r\nHost: example.com\r\n\r\n')],
  ['empty host value', http('GET / HTTP/1.1\r\nHost:   \r\n\r\n')],
  ['colon without digits stays', http('GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n')],
  ['HTTP/2.0 request line', http('GET / HTTP/2.0\r\nHost: example.com\r\n\r\n')],
  ['method too long', http('ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: example.com\r\n\r\n')],
  ['shared space request line', http('A HTTP/1.1\r\nHost: example.com\r\n\r\n')],
  ['no empty line yet', http('GET / HTTP/1.1\r\nX: 1\r\nHost: x.y')],
  ['bare LF', http('GET / HTTP/1.1\nHost: example.com\n\n')],
  ['request line past 1024', http(`GET /${'a'.repeat(1100)} HTTP/1.1\r\nHost: example.com\r\n\r\n`)],
  ['request line CRLF across the first 256-byte copy', http(`GET /${'a'.repeat(241)} HTTP/1.1\r\nHost: example.com\r\n\r\n`)],
  ['header CRLF across the 1024-byte copy', http(`GET / HTTP/1.1\r\nX: ${'b'.repeat(1004)}\r\nHost: example.com\r\n\r\n`)],
  ['host line past 4096', http(`GET / HTTP/1.1\r\nX: ${'b'.repeat(4100)}\r\nHost: example.com\r\n\r\n`)],
  ['DNS upper case', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', dns: { qname: 'WWW.A.EXAMPLE.COM' } }],
  ['DNS over TCP', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', dstPort: 53, dns: { qname: 'b' } }],
  ['DNS 253 bytes', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', dns: { qname: `${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(49)}.x.y` } }],
  ['DNS underscore label', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', dns: { qname: '_sip.test' } }],
  ['SNI', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', dstPort: 443, tls: { sni: 'Mail.Example.Com' } }],
  ['SNI on DNS port is not read', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', dstPort: 53, payloadHex: hex(tlsClientHello('example.com')) }],
  ['DNS response (QR set)', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', dstPort: 53, payloadHex: hex(Uint8Array.from(dnsQuery('example.com', 1), (b, i) => (i === 2 ? b | 0x80 : b))) }],
];

function compare(spec: PacketSpecInput): void {
  const frame = buildFrame(spec);
  const want = evaluate(policy, { ...parseFrame(frame, 'l2'), iif: 'eth0' }, { target: 'xdp' });
  const before = emu.counters('names');
  const got = emu.run('names', { frame, ifindex: 2 });
  const after = emu.counters('names');
  const counted = Object.keys(after).filter((k) => after[k] !== before[k]).sort();
  expect({ error: got.error, verdict: got.verdict, counted, spec }).toEqual({ error: undefined, verdict: want.verdict, counted: [...want.counted].sort(), spec });
}

/** A payload with a few bytes overwritten: lengths, label sizes and separators go wrong in every way. */
const mutated: fc.Arbitrary<PacketSpecInput> = fc
  .tuple(
    fc.constantFrom('dns', 'tls', 'http'),
    fc.constantFrom('example.com', 'a.example.com', 'x.y', 'b', 'other.org'),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2, 0x2e, 0x3a, 0x0d, 0x0a, 0x20, 0x3f, 0x40, 0xc0, 0xff, 0x41, 0x48)), { maxLength: 3 }),
    fc.nat(),
  )
  .map(([kind, name, edits, cut]) => {
    const base = kind === 'dns' ? dnsQuery(name, 1) : kind === 'tls' ? tlsClientHello(name) : httpRequest(name, 'GET', '/');
    const p = base.slice(0, base.length - (cut % 4 === 0 ? cut % base.length : 0));
    for (const [at, b] of edits) if (p.length) p[at % p.length] = b;
    return { src: '10.0.0.1', dst: '10.0.0.2', proto: kind === 'dns' ? 'udp' : 'tcp', srcPort: 5000, dstPort: kind === 'dns' ? 53 : kind === 'tls' ? 443 : 80, payloadHex: hex(p) };
  });

describe('name parsers agree with the reference parser', () => {
  for (const profile of targetProfiles) {
    describe(profile, () => {
      beforeAll(async () => {
        await emu.load('names', compilePolicy(policy, { profile }).script, { profile, target: 'xdp' });
      });
      it.each(crafted)('%s', (_label, spec) => compare(spec));
      it('mutated DNS, TLS and HTTP payloads', () => {
        fc.assert(fc.property(mutated, (spec) => compare(spec)), { numRuns: 500 });
      });
    });
  }
});

/**
 * Every getstring is an allocation in softirq. The name functions run in lua5.4 on a payload whose
 * reads are logged: the lengths copied, and what the function returns.
 */
function copies(payload: Uint8Array, dport = 80): { name: string; copied: number[] } {
  const out = runLua(`
local lower, find, sub, byte = string.lower, string.find, string.sub, string.byte
local function ntoh16(x) return ((x & 0xFF) << 8) | (x >> 8) end
local copied = {}
local s = ("${Buffer.from(payload).toString('hex')}"):gsub("..", function(h) return string.char(tonumber(h, 16)) end)
local d = {}
function d:getuint8(o) assert(o >= 0 and o < #s) return byte(s, o + 1) end
function d:getuint16(o) assert(o >= 0 and o + 2 <= #s) local a, b = byte(s, o + 1, o + 2) return a | b << 8 end
function d:getstring(o, n) assert(o >= 0 and o + n <= #s) copied[#copied + 1] = n return sub(s, o + 1, o + n) end
${printStatements(nameFunctions())}
local name = tcp_name(d, ${dport}, 0, #s)
io.write(tostring(name), "|", table.concat(copied, ","))
`);
  const [name, list] = out.split('|');
  return { name, copied: list ? list.split(',').map(Number) : [] };
}

describe.skipIf(!hasLua)('name extraction copies little', () => {
  const text = (t: string) => Uint8Array.from(Buffer.from(t, 'latin1'));
  it('a TCP payload that is not an HTTP request is not copied at all', () => {
    expect(copies(text(`SSH-2.0-OpenSSH_9.6\r\n${'x'.repeat(2000)}`), 22)).toEqual({ name: 'false', copied: [] });
    expect(copies(text(`ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n${'x'.repeat(2000)}`))).toEqual({ name: 'false', copied: [] });
    expect(copies(text('HELLO'))).toEqual({ name: 'false', copied: [] });
  });
  it('a short request is copied once, 256 bytes, however long the body', () => {
    expect(copies(text(`GET / HTTP/1.1\r\nHost: Example.com\r\n\r\n${'b'.repeat(3000)}`))).toEqual({ name: 'example.com', copied: [256] });
  });
  it('longer requests grow the copy only as far as the lines read', () => {
    expect(copies(text(`GET /${'a'.repeat(300)} HTTP/1.1\r\nHost: example.com\r\n\r\n${'b'.repeat(5000)}`))).toEqual({ name: 'example.com', copied: [256, 1024] });
    expect(copies(text(`GET / HTTP/1.1\r\nX: ${'b'.repeat(2000)}\r\nHost: example.com\r\n\r\n`))).toEqual({ name: 'example.com', copied: [256, 1024, 2042] });
  });
  it('TLS: record and handshake type are read as bytes; only the server name is copied', () => {
    expect(copies(tlsClientHello('mail.example.com'), 443)).toEqual({ name: 'mail.example.com', copied: [16] });
    const notHello = tlsClientHello('mail.example.com');
    notHello[5] = 2;
    expect(copies(notHello, 443)).toEqual({ name: 'false', copied: [] });
  });
});
