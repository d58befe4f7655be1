// The one name a packet carries for domain matching (SEMANTICS.md §Domains): DNS qname, TLS SNI or HTTP Host.
import { rd16 } from './bytes.js';

export type PacketName = { kind: 'dns' | 'sni' | 'http'; value: string };

const MAX_NAME = 253;

/** Lowercases A-Z only; every other byte stays one character. */
function text(p: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const c = p[i];
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return s;
}

export function packetName(proto: number, dstPort: number, payload: Uint8Array): PacketName | undefined {
  if (dstPort === 53 && (proto === 17 || proto === 6)) {
    const value = dnsName(payload, proto === 6 ? 2 : 0);
    return value === undefined ? undefined : { kind: 'dns', value };
  }
  if (proto !== 6) return undefined;
  const sni = tlsSni(payload);
  if (sni !== undefined) return { kind: 'sni', value: sni };
  const host = httpHost(payload);
  return host === undefined ? undefined : { kind: 'http', value: host };
}

export function dnsName(p: Uint8Array, base: number): string | undefined {
  if (p.length < base + 12) return undefined;
  if (p[base + 2] & 0x80) return undefined;
  if (rd16(p, base + 4) === 0) return undefined;
  let pos = base + 12;
  let name = '';
  for (;;) {
    if (pos >= p.length) return undefined;
    const len = p[pos];
    if (len === 0) break;
    if (len >= 0x40) return undefined;
    if (pos + 1 + len > p.length) return undefined;
    if (name.length + (name ? 1 : 0) + len > MAX_NAME) return undefined;
    name += (name ? '.' : '') + text(p, pos + 1, pos + 1 + len);
    pos += 1 + len;
  }
  return name === '' ? undefined : name;
}

export function tlsSni(p: Uint8Array): string | undefined {
  const n = p.length;
  if (n < 6 || p[0] !== 0x16 || p[1] !== 3 || p[5] !== 1) return undefined;
  let pos = 43;
  if (pos + 1 > n) return undefined;
  pos += 1 + p[pos];
  if (pos + 2 > n) return undefined;
  pos += 2 + rd16(p, pos);
  if (pos + 1 > n) return undefined;
  pos += 1 + p[pos];
  if (pos + 2 > n) return undefined;
  const stop = Math.min(pos + 2 + rd16(p, pos), n);
  pos += 2;
  for (let i = 0; i < 32 && pos + 4 <= stop; i++) {
    const type = rd16(p, pos);
    const len = rd16(p, pos + 2);
    if (pos + 4 + len > n) return undefined;
    if (type === 0) {
      const d = pos + 4;
      if (d + 2 > n || d + 2 + rd16(p, d) > n) return undefined;
      if (d + 5 > n || p[d + 2] !== 0) return undefined;
      const nl = rd16(p, d + 3);
      if (nl < 1 || nl > MAX_NAME || d + 5 + nl > n) return undefined;
      return text(p, d + 5, d + 5 + nl);
    }
    pos += 4 + len;
  }
  return undefined;
}

/** Index of the first "\r\n" at or after `from` that ends at or before `limit`, or -1. */
function crlf(p: Uint8Array, from: number, limit: number): number {
  const last = Math.min(p.length, limit) - 2;
  for (let i = from; i <= last; i++) if (p[i] === 0x0d && p[i + 1] === 0x0a) return i;
  return -1;
}

const HTTP1X = ' HTTP/1.';
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;

export function httpHost(p: Uint8Array): string | undefined {
  let m = 0;
  while (m < 16 && m < p.length && p[m] >= 0x41 && p[m] <= 0x5a) m++;
  if (m === 0 || m >= p.length || p[m] !== 0x20) return undefined;
  const eol = crlf(p, 0, 1024);
  if (eol < 9) return undefined;
  for (let i = 0; i < 8; i++) if (p[eol - 9 + i] !== HTTP1X.charCodeAt(i)) return undefined;
  if (p[eol - 1] !== 0x30 && p[eol - 1] !== 0x31) return undefined;
  let pos = eol + 2;
  for (;;) {
    const end = crlf(p, pos, 4096);
    if (end < 0 || end === pos) return undefined;
    if (end - pos >= 5 && text(p, pos, pos + 5) === 'host:') {
      let a = pos + 5;
      let b = end;
      while (a < b && isSpace(p[a])) a++;
      while (b > a && isSpace(p[b - 1])) b--;
      let d = b;
      while (d > a && p[d - 1] >= 0x30 && p[d - 1] <= 0x39) d--;
      if (d < b && d > a && p[d - 1] === 0x3a) b = d - 1;
      const len = b - a;
      return len >= 1 && len <= MAX_NAME ? text(p, a, b) : undefined;
    }
    pos = end + 2;
  }
}
