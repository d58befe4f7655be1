// Application payloads the toolkit builds: a DNS query, a TLS 1.3-style ClientHello with SNI, an HTTP/1.1 request.
import { normalizeDomain } from '../policy/domains.js';
import { ascii, be16, concat, u8, vec } from './bytes.js';

/** A name as a client puts it on the wire: ASCII as written (case kept), Unicode as punycode. */
export function wireName(name: string): string {
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  const r = normalizeDomain(name);
  return r.ok ? r.value : name;
}

export function dnsQuery(qname: string, qtype: number, id = 0x4c57): Uint8Array {
  const labels = wireName(qname).replace(/\.$/, '').split('.').map((l) => vec(1, ascii(l)));
  return concat([be16(id), be16(0x0100), be16(1), be16(0), be16(0), be16(0), ...labels, u8(0), be16(qtype), be16(1)]);
}

const ext = (type: number, ...body: Uint8Array[]): Uint8Array => concat([be16(type), vec(2, ...body)]);
const u16s = (...xs: number[]): Uint8Array => concat(xs.map(be16));
const filler = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);

/** Shaped like a modern browser's: TLS 1.3 and 1.2 suites, groups, key share, ALPN; server_name is not first. */
export function tlsClientHello(sni: string): Uint8Array {
  const name = ascii(wireName(sni));
  const extensions = concat([
    ext(0x000b, vec(1, u8(0, 1, 2))),
    ext(0x000a, vec(2, u16s(0x001d, 0x0017, 0x001e, 0x0018, 0x0019))),
    ext(0x0023),
    ext(0x0000, vec(2, u8(0), vec(2, name))),
    ext(0x0016),
    ext(0x0017),
    ext(0x000d, vec(2, u16s(0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601))),
    ext(0x002b, vec(1, u16s(0x0304, 0x0303))),
    ext(0x002d, vec(1, u8(1))),
    ext(0x0033, vec(2, be16(0x001d), vec(2, filler(32, 11)))),
    ext(0x0010, vec(2, vec(1, ascii('h2')), vec(1, ascii('http/1.1')))),
  ]);
  const suites = u16s(0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0x00ff);
  const body = concat([be16(0x0303), filler(32, 3), vec(1, filler(32, 5)), vec(2, suites), vec(1, u8(0)), vec(2, extensions)]);
  const handshake = concat([u8(1), vec(3, body)]);
  return concat([u8(0x16), be16(0x0301), vec(2, handshake)]);
}

export function httpRequest(host: string, method: string, path: string): Uint8Array {
  const m = /^(.*?)(:\d+)?$/.exec(host)!;
  const h = wireName(m[1]) + (m[2] ?? '');
  return ascii(`${method} ${path} HTTP/1.1\r\nHost: ${h}\r\nUser-Agent: lunawall-packet/1\r\nAccept: */*\r\n\r\n`);
}
