// buildPacket / buildFrame: real wire bytes (correct checksums) from the JSON packet form.
import { parseAddress } from '../policy/cidr.js';
import type { PacketSpecInput } from '../policy/packet-spec.js';
import { tcpFlagBits } from '../policy/prepare.js';
import { dnsQuery, httpRequest, tlsClientHello } from './app.js';
import { be16, be32, checksum, concat, hexToBytes, u8 } from './bytes.js';
import { checkPacketSpec, specProto } from './spec-check.js';

const PROTO = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 } as const;
const EXT = { 'hop-by-hop': 0, routing: 43, destination: 60, fragment: 44 } as const;
export const SRC_MAC = u8(0x02, 0, 0, 0, 0, 0x01);
export const DST_MAC = u8(0x02, 0, 0, 0, 0, 0x02);

export class PacketSpecError extends Error {}

/** L3 bytes: an IPv4 or IPv6 packet. Throws PacketSpecError naming the field when the spec is inconsistent. */
export function buildPacket(spec: PacketSpecInput): Uint8Array {
  const problems = checkPacketSpec(spec);
  if (problems.length) throw new PacketSpecError(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '));
  const src = parseAddress(spec.src)!;
  const dst = parseAddress(spec.dst)!;
  const proto = specProto(spec, src.family);
  const protoNum = typeof proto === 'number' ? proto : PROTO[proto as keyof typeof PROTO];
  const pseudo = (len: number): Uint8Array =>
    src.family === 4
      ? concat([u8(...src.bytes), u8(...dst.bytes), u8(0, protoNum), be16(len)])
      : concat([u8(...src.bytes), u8(...dst.bytes), be32(len), u8(0, 0, 0, protoNum)]);
  const segment = transport(spec, proto, pseudo);
  const frag = spec.fragment;
  const data = frag && frag.offset > 0 ? (frag.offset < segment.length ? segment.slice(frag.offset) : new Uint8Array(8)) : segment;
  return src.family === 4 ? ipv4(spec, src.bytes, dst.bytes, protoNum, data) : ipv6(spec, src.bytes, dst.bytes, protoNum, data);
}

/** An Ethernet II frame, with 802.1Q (one tag) or 802.1ad + 802.1Q (two tags) when `vlan` is given. */
export function buildFrame(spec: PacketSpecInput): Uint8Array {
  const l3 = buildPacket(spec);
  const tags = spec.vlan ?? [];
  const tpids = tags.length === 2 ? [0x88a8, 0x8100] : [0x8100];
  const vlan = tags.map((id, i) => concat([be16(tpids[i]), be16(id & 0xfff)]));
  const etherType = (l3[0] >> 4) === 4 ? 0x0800 : 0x86dd;
  return concat([DST_MAC, SRC_MAC, ...vlan, be16(etherType), l3]);
}

function payloadOf(spec: PacketSpecInput, proto: string | number): Uint8Array {
  if (spec.dns) {
    const q = dnsQuery(spec.dns.qname, spec.dns.qtype ?? 1);
    return proto === 'tcp' ? concat([be16(q.length), q]) : q;
  }
  if (spec.tls) return tlsClientHello(spec.tls.sni);
  if (spec.http) return httpRequest(spec.http.host, spec.http.method ?? 'GET', spec.http.path ?? '/');
  return hexToBytes(spec.payloadHex ?? '');
}

function defaultDstPort(spec: PacketSpecInput): number {
  if (spec.dns) return 53;
  if (spec.tls) return 443;
  return 80;
}

function transport(spec: PacketSpecInput, proto: string | number, pseudo: (len: number) => Uint8Array): Uint8Array {
  const payload = payloadOf(spec, proto);
  const sport = spec.srcPort ?? 40000;
  const dport = spec.dstPort ?? defaultDstPort(spec);
  if (proto === 'tcp') {
    let flags = 0;
    for (const f of (spec.tcpFlags ?? 'syn').split(',')) flags |= tcpFlagBits[f];
    const hdr = concat([be16(sport), be16(dport), be32(1000), be32(flags & 0x10 ? 2000 : 0), u8(5 << 4, flags), be16(64240), be16(0), be16(0)]);
    return withChecksum(concat([hdr, payload]), 16, pseudo, false);
  }
  if (proto === 'udp') {
    const len = 8 + payload.length;
    return withChecksum(concat([be16(sport), be16(dport), be16(len), be16(0), payload]), 6, pseudo, true);
  }
  if (proto === 'icmp' || proto === 'icmpv6') {
    const type = spec.icmpType ?? (proto === 'icmp' ? 8 : 128);
    const msg = concat([u8(type, spec.icmpCode ?? 0), be16(0), be16(0x4c57), be16(1), payload]);
    const sum = checksum(proto === 'icmp' ? [msg] : [pseudo(msg.length), msg]);
    msg[2] = sum >> 8;
    msg[3] = sum & 0xff;
    return msg;
  }
  return payload;
}

function withChecksum(seg: Uint8Array, at: number, pseudo: (len: number) => Uint8Array, udp: boolean): Uint8Array {
  let sum = checksum([pseudo(seg.length), seg]);
  if (udp && sum === 0) sum = 0xffff;
  seg[at] = sum >> 8;
  seg[at + 1] = sum & 0xff;
  return seg;
}

function ipv4(spec: PacketSpecInput, src: number[], dst: number[], proto: number, data: Uint8Array): Uint8Array {
  const f = spec.fragment;
  const fragField = f ? (f.more ? 0x2000 : 0) | (f.offset >> 3) : 0;
  const hdr = concat([u8(0x45, 0), be16(20 + data.length), be16(f?.id ?? 0x4c57), be16(fragField), u8(spec.ttl ?? 64, proto), be16(0), u8(...src), u8(...dst)]);
  const sum = checksum([hdr]);
  hdr[10] = sum >> 8;
  hdr[11] = sum & 0xff;
  return concat([hdr, data]);
}

function ipv6(spec: PacketSpecInput, src: number[], dst: number[], proto: number, data: Uint8Array): Uint8Array {
  const kinds = [...(spec.ipv6ExtensionHeaders ?? [])];
  if (spec.fragment && !kinds.includes('fragment')) kinds.push('fragment');
  const nexts = [...kinds.map((k) => EXT[k]), proto];
  const exts = kinds.map((k, i) => {
    const next = nexts[i + 1];
    if (k === 'fragment') {
      const f = spec.fragment;
      return concat([u8(next, 0), be16((f?.offset ?? 0) | (f?.more ? 1 : 0)), be32(f?.id ?? 0x4c57)]);
    }
    // Routing type 253 is reserved for experiments (RFC 4727); with segments left 0 every node ignores it.
    if (k === 'routing') return u8(next, 0, 253, 0, 0, 0, 0, 0);
    return u8(next, 0, 1, 4, 0, 0, 0, 0);
  });
  const payload = concat([...exts, data]);
  const hdr = concat([be32(0x60000000), be16(payload.length), u8(nexts[0], spec.ttl ?? 64), u8(...src), u8(...dst)]);
  return concat([hdr, payload]);
}
