// Byte helpers shared by the packet builder and parser: concatenation, big-endian fields, the Internet checksum.

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const u8 = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
export const be16 = (n: number): Uint8Array => u8((n >> 8) & 0xff, n & 0xff);
export const be24 = (n: number): Uint8Array => u8((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
export const be32 = (n: number): Uint8Array => u8((n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A vector with a 1-, 2- or 3-byte length prefix (TLS style). */
export function vec(lenBytes: 1 | 2 | 3, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(parts);
  const len = lenBytes === 1 ? u8(body.length) : lenBytes === 2 ? be16(body.length) : be24(body.length);
  return concat([len, body]);
}

export const rd16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

/** RFC 1071 ones' complement sum over the parts, as if concatenated. */
export function checksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i];
      else {
        sum += (odd << 8) | p[i];
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
