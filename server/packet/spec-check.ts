// Consistency of a PacketSpec beyond its zod shape: what buildPacket needs to produce sensible bytes.
import { parseAddress } from '../policy/cidr.js';
import type { PacketSpecInput } from '../policy/packet-spec.js';

export interface SpecProblem {
  /** Path inside the spec, e.g. ["src"] or ["fragment", "offset"]. */
  path: (string | number)[];
  message: string;
}

const protoNames: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };

/** The transport protocol name, or the number for anything else (1 in IPv6 and 58 in IPv4 stay raw numbers). */
export function specProto(spec: Pick<PacketSpecInput, 'proto'>, family: 4 | 6 | undefined): string | number {
  const p = spec.proto ?? 'tcp';
  if (typeof p !== 'number') return p;
  if ((p === 1 && family === 6) || (p === 58 && family === 4)) return p;
  return protoNames[p] ?? p;
}

export function checkPacketSpec(spec: PacketSpecInput): SpecProblem[] {
  const out: SpecProblem[] = [];
  const src = parseAddress(spec.src);
  const dst = parseAddress(spec.dst);
  if (!src) out.push({ path: ['src'], message: `${JSON.stringify(spec.src)} is not an IPv4 or IPv6 address` });
  if (!dst) out.push({ path: ['dst'], message: `${JSON.stringify(spec.dst)} is not an IPv4 or IPv6 address` });
  const family = src?.family ?? dst?.family;
  if (src && dst && src.family !== dst.family) out.push({ path: ['dst'], message: `src is IPv${src.family} but dst is IPv${dst.family}` });
  const proto = specProto(spec, family);
  if (proto === 'icmp' && family === 6) out.push({ path: ['proto'], message: 'icmp is IPv4 only; use icmpv6' });
  if (proto === 'icmpv6' && family === 4) out.push({ path: ['proto'], message: 'icmpv6 is IPv6 only; use icmp' });
  const tcpOrUdp = proto === 'tcp' || proto === 'udp';
  if (spec.srcPort !== undefined && !tcpOrUdp) out.push({ path: ['srcPort'], message: 'ports need proto tcp or udp' });
  if (spec.dstPort !== undefined && !tcpOrUdp) out.push({ path: ['dstPort'], message: 'ports need proto tcp or udp' });
  if (spec.tcpFlags !== undefined && proto !== 'tcp') out.push({ path: ['tcpFlags'], message: 'tcpFlags need proto tcp' });
  const icmp = proto === 'icmp' || proto === 'icmpv6';
  if (spec.icmpType !== undefined && !icmp) out.push({ path: ['icmpType'], message: 'icmpType needs proto icmp or icmpv6' });
  if (spec.icmpCode !== undefined && !icmp) out.push({ path: ['icmpCode'], message: 'icmpCode needs proto icmp or icmpv6' });
  const apps = (['dns', 'tls', 'http', 'payloadHex'] as const).filter((k) => spec[k] !== undefined);
  if (apps.length > 1) out.push({ path: [apps[1]], message: `at most one payload; ${apps.join(' and ')} given` });
  if (spec.dns && !tcpOrUdp) out.push({ path: ['dns'], message: 'a DNS query needs proto udp or tcp' });
  if ((spec.tls || spec.http) && proto !== 'tcp') out.push({ path: [spec.tls ? 'tls' : 'http'], message: 'TLS and HTTP need proto tcp' });
  if (spec.fragment && spec.fragment.offset % 8 !== 0) out.push({ path: ['fragment', 'offset'], message: 'a fragment offset is a multiple of 8' });
  if (spec.ipv6ExtensionHeaders && family === 4) out.push({ path: ['ipv6ExtensionHeaders'], message: 'extension headers are IPv6 only' });
  if (spec.dns) {
    const labels = spec.dns.qname.replace(/\.$/, '').split('.');
    if (labels.some((l) => l.length === 0 || Buffer.byteLength(l) > 63)) {
      out.push({ path: ['dns', 'qname'], message: 'every label of a DNS name is 1-63 bytes' });
    }
  }
  return out;
}
