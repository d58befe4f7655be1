// CIDR and address parsing: canonical text, address bytes and prefix containment for IPv4 and IPv6.
import ipaddr from 'ipaddr.js';

export interface Cidr {
  family: 4 | 6;
  /** Network bytes with the host bits cleared (4 or 16 bytes). */
  bytes: number[];
  prefix: number;
  /** Canonical text: dotted quad or RFC 5952 IPv6; a bare address stays bare. */
  canonical: string;
  /** The input had bits set beyond the prefix; `canonical` has them cleared. */
  hostBitsSet: boolean;
}

export type CidrResult = ({ ok: true } & Cidr) | { ok: false; reason: string };

const PREFIX = /^(0|[1-9]\d{0,2})$/;

const DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Parse one address: IPv4 only as four decimal parts (no octal or hex forms), IPv6 without a zone. */
export function parseAddress(text: string): { family: 4 | 6; bytes: number[]; canonical: string } | undefined {
  const m = DOTTED.exec(text);
  if (m) {
    const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    return bytes.every((b) => b <= 255) ? { family: 4, bytes, canonical: text } : undefined;
  }
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    const a = ipaddr.IPv6.parse(text);
    return { family: 6, bytes: a.toByteArray(), canonical: a.toRFC5952String() };
  }
  return undefined;
}

export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseAddress(addrText);
  if (!addr) return { ok: false, reason: `${JSON.stringify(addrText)} is not an IPv4 (four decimal parts) or IPv6 address` };
  const max = addr.family === 4 ? 32 : 128;
  if (slash < 0) return { ok: true, family: addr.family, bytes: addr.bytes, prefix: max, canonical: addr.canonical, hostBitsSet: false };
  const prefixText = text.slice(slash + 1);
  if (!PREFIX.test(prefixText) || Number(prefixText) > max) {
    return { ok: false, reason: `prefix length must be 0-${max} for an IPv${addr.family} network` };
  }
  const prefix = Number(prefixText);
  const bytes = maskBytes(addr.bytes, prefix);
  const hostBitsSet = bytes.some((b, i) => b !== addr.bytes[i]);
  const netText = addr.family === 4 ? bytes.join('.') : (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toRFC5952String();
  return { ok: true, family: addr.family, bytes, prefix, canonical: `${netText}/${prefix}`, hostBitsSet };
}

export function maskBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bits = prefix - i * 8;
    if (bits >= 8) return b;
    if (bits <= 0) return 0;
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

/** The address (same family) lies inside the network. */
export function cidrContains(net: Pick<Cidr, 'family' | 'bytes' | 'prefix'>, family: 4 | 6, addr: readonly number[]): boolean {
  if (net.family !== family) return false;
  const full = net.prefix >> 3;
  for (let i = 0; i < full; i++) if (net.bytes[i] !== addr[i]) return false;
  const rest = net.prefix & 7;
  if (rest === 0) return true;
  const m = (0xff << (8 - rest)) & 0xff;
  return (addr[full] & m) === net.bytes[full];
}

