// parseFrame: wire bytes to the fields policies match on, exactly as SEMANTICS.md says the kernel script sees them.
import ipaddr from 'ipaddr.js';
import { rd16 } from './bytes.js';
import { packetName } from './names.js';
import type { ParsedPacket } from './types.js';

const TPIDS = new Set([0x8100, 0x88a8]);
const EXT_HEADERS = new Set([0, 43, 60, 44, 51]);
const MAX_EXT = 8;

/** Never throws: anything unreadable yields fewer fields, per SEMANTICS.md. */
export function parseFrame(bytes: Uint8Array, layer: 'l2' | 'l3'): ParsedPacket {
  if (layer === 'l3') {
    const version = bytes.length > 0 ? bytes[0] >> 4 : 0;
    return version === 4 || version === 6 ? parseIp(bytes, version) : { family: 0 };
  }
  const vlan: number[] = [];
  let pos = 12;
  let etherType = bytes.length >= 14 ? rd16(bytes, 12) : 0;
  while (TPIDS.has(etherType) && vlan.length < 2) {
    if (bytes.length < pos + 6) {
      etherType = 0;
      break;
    }
    vlan.push(rd16(bytes, pos + 2) & 0xfff);
    pos += 4;
    etherType = rd16(bytes, pos);
  }
  const l2 = { vlan, etherType };
  const version = etherType === 0x0800 ? 4 : etherType === 0x86dd ? 6 : 0;
  if (version === 0) return { l2, family: 0 };
  return { l2, ...parseIp(bytes.subarray(pos + 2), version) };
}

function addr(b: Uint8Array, from: number, len: 4 | 16): string {
  const a = ipaddr.fromByteArray(Array.from(b.subarray(from, from + len)));
  return a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

function parseIp(b: Uint8Array, version: 4 | 6): ParsedPacket {
  const unusable: ParsedPacket = { family: 0, unusable: version };
  if (version === 4) {
    if (b.length < 20 || b[0] >> 4 !== 4) return unusable;
    const hl = (b[0] & 15) * 4;
    const total = rd16(b, 2);
    if (hl < 20 || hl > b.length || total < hl) return unusable;
    const out: ParsedPacket = { family: 4, src: addr(b, 12, 4), dst: addr(b, 16, 4), proto: b[9], ttl: b[8] };
    if ((rd16(b, 6) & 0x1fff) !== 0) return { ...out, nonFirstFragment: true };
    return transport(out, b, hl, Math.min(b.length, total));
  }
  if (b.length < 40 || b[0] >> 4 !== 6) return unusable;
  const end = Math.min(b.length, 40 + rd16(b, 4));
  const out: ParsedPacket = { family: 6, src: addr(b, 8, 16), dst: addr(b, 24, 16), ttl: b[7] };
  let next = b[6];
  let off = 40;
  for (let count = 0; EXT_HEADERS.has(next); count++) {
    if (count === MAX_EXT || off + 2 > end) return out;
    const len = next === 44 ? 8 : next === 51 ? (b[off + 1] + 2) * 4 : (b[off + 1] + 1) * 8;
    if (off + len > end) return out;
    if (next === 44 && rd16(b, off + 2) >> 3 !== 0) return { ...out, proto: b[off], nonFirstFragment: true };
    next = b[off];
    off += len;
  }
  return transport({ ...out, proto: next }, b, off, end);
}

function transport(out: ParsedPacket, b: Uint8Array, off: number, end: number): ParsedPacket {
  const avail = end - off;
  const proto = out.proto!;
  if (proto === 6) {
    if (avail < 20) return out;
    const hl = (b[off + 12] >> 4) * 4;
    if (hl < 20 || hl > avail) return out;
    const payload = b.subarray(off + hl, end);
    const dstPort = rd16(b, off + 2);
    return withName({ ...out, srcPort: rd16(b, off), dstPort, tcpFlags: b[off + 13], payload });
  }
  if (proto === 17) {
    if (avail < 8) return out;
    return withName({ ...out, srcPort: rd16(b, off), dstPort: rd16(b, off + 2), payload: b.subarray(off + 8, end) });
  }
  if ((proto === 1 && out.family === 4) || (proto === 58 && out.family === 6)) {
    if (avail < 8) return out;
    return { ...out, icmpType: b[off], icmpCode: b[off + 1], payload: b.subarray(off + 8, end) };
  }
  return { ...out, payload: b.subarray(off, end) };
}

function withName(p: ParsedPacket): ParsedPacket {
  const name = packetName(p.proto!, p.dstPort!, p.payload!);
  return name ? { ...p, name } : p;
}
