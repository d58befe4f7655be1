// Anti-lockout: synthetic management packets (LAN → router's management ports, and the replies) that every policy must accept.
import ipaddr from 'ipaddr.js';
import type { PacketSpec } from '../policy/packet-spec.js';
import type { Hook, Policy } from '../policy/schema.js';

export interface LockoutSettings {
  managementPorts: number[];
  /** Router LAN addresses with prefix, e.g. 192.168.1.1/24. */
  lanAddresses: string[];
  lanInterface: string;
}

export interface LockoutProbe {
  name: string;
  packet: PacketSpec;
}

const CLIENT_PORT = 49_152;

/** A LAN host address in the router's prefix that is not the router itself (host 2, else 1). */
function clientIn(addr: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  const bytes = addr.toByteArray();
  const bits = bytes.length * 8;
  const hostBits = bits - prefix;
  const pick = (n: number) => {
    const out = bytes.slice();
    // network address + n, computed on the host part only (n is tiny, so two bytes suffice).
    for (let i = 0; i < out.length; i++) {
      const bitStart = i * 8;
      const keep = Math.max(0, Math.min(8, prefix - bitStart));
      const mask = keep >= 8 ? 0xff : (0xff << (8 - keep)) & 0xff;
      out[i] = out[i]! & mask;
    }
    out[out.length - 1] = (out[out.length - 1]! + (n & 0xff)) & 0xff;
    out[out.length - 2] = (out[out.length - 2]! + (n >> 8)) & 0xff;
    return ipaddr.fromByteArray(out).toString();
  };
  if (hostBits < 2) return pick(hostBits === 0 ? 0 : 1);
  const own = addr.toString();
  return [2, 1, 3].map(pick).find((c) => c !== own)!;
}

/** Request packets (seen at prerouting/input/XDP) and reply packets (output/postrouting) for every port and LAN address. */
export function managementPackets(s: LockoutSettings): { requests: LockoutProbe[]; replies: LockoutProbe[] } {
  const requests: LockoutProbe[] = [];
  const replies: LockoutProbe[] = [];
  for (const cidr of s.lanAddresses) {
    const [addr, prefix] = ipaddr.parseCIDR(cidr);
    const router = addr.toString();
    const client = clientIn(addr, prefix);
    for (const port of s.managementPorts) {
      const req = { src: client, dst: router, proto: 'tcp' as const, srcPort: CLIENT_PORT, dstPort: port, iif: s.lanInterface };
      const rep = { src: router, dst: client, proto: 'tcp' as const, srcPort: port, dstPort: CLIENT_PORT, oif: s.lanInterface };
      requests.push({ name: `LAN ${client} → ${router}:${port} (new connection)`, packet: { ...req, tcpFlags: 'syn' } });
      requests.push({ name: `LAN ${client} → ${router}:${port} (established)`, packet: { ...req, tcpFlags: 'psh,ack' } });
      replies.push({ name: `reply ${router}:${port} → ${client} (accepting)`, packet: { ...rep, tcpFlags: 'syn,ack' } });
      replies.push({ name: `reply ${router}:${port} → ${client} (established)`, packet: { ...rep, tcpFlags: 'psh,ack' } });
    }
  }
  return { requests, replies };
}

/**
 * Which management packets a policy sees at its hook. Traffic to the router never crosses forward;
 * an XDP program sees it only if attached to the LAN interface.
 */
export function packetsFor(policy: Policy, s: LockoutSettings): { hook?: Hook; probes: LockoutProbe[] } {
  const { requests, replies } = managementPackets(s);
  if (policy.target === 'xdp') return { probes: (policy.interfaces ?? []).includes(s.lanInterface) ? requests : [] };
  const hook = policy.hook ?? 'input';
  if (hook === 'prerouting' || hook === 'input') return { hook, probes: requests };
  if (hook === 'output' || hook === 'postrouting') return { hook, probes: replies };
  return { hook, probes: [] };
}
