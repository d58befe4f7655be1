// A rule's match with set references resolved and elements parsed: what the evaluator and the shadow check read.
import { parseCidr, type Cidr } from './cidr.js';
import { parsePort, type PortRange } from './ports.js';
import type { Match, Policy, Protocol } from './schema.js';

export const protoNumbers: Record<Protocol, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

export const tcpFlagBits: Record<string, number> = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20, ece: 0x40, cwr: 0x80 };

export interface PreparedMatch {
  protos?: number[];
  src?: Cidr[];
  dst?: Cidr[];
  srcPorts?: PortRange[];
  dstPorts?: PortRange[];
  iif?: string;
  oif?: string;
  domains?: string[];
  icmpType?: number;
  /** TCP flags that must be set / clear. */
  flagsSet?: number;
  flagsClear?: number;
}

/** Elements of an inline list or a referenced set; undefined for a reference to a missing set. */
export function resolveList<T>(policy: Policy, list: string | T[] | undefined): (string | number)[] | undefined {
  if (list === undefined) return undefined;
  if (typeof list === 'string') return policy.sets[list.slice(1)]?.elements;
  return list as (string | number)[];
}

export function parseTcpFlags(s: string): { set: number; clear: number } {
  let set = 0;
  let clear = 0;
  for (const part of s.split(',')) {
    if (part.startsWith('!')) clear |= tcpFlagBits[part.slice(1)];
    else set |= tcpFlagBits[part];
  }
  return { set, clear };
}

/** Parsed elements of referenced sets, shared by every rule of one policy that names them. */
export type SetCache = Map<string, Cidr[] | PortRange[]>;

/** Invalid elements (only possible in an unchecked policy) are left out. */
export function prepareMatch(policy: Policy, m: Match, cache: SetCache = new Map()): PreparedMatch {
  const out: PreparedMatch = {};
  if (m.proto !== undefined) out.protos = (Array.isArray(m.proto) ? m.proto : [m.proto]).map((p) => protoNumbers[p]);
  const parsed = <T>(l: string | (string | number)[], parse: (e: string | number) => T[]): T[] | undefined => {
    if (typeof l === 'string' && cache.has(l)) return cache.get(l) as T[];
    const els = resolveList(policy, l)?.flatMap(parse);
    if (typeof l === 'string' && els) cache.set(l, els as Cidr[] | PortRange[]);
    return els;
  };
  const cidrs = (l: NonNullable<Match['src']>): Cidr[] | undefined =>
    parsed(l, (e) => {
      const r = parseCidr(String(e));
      return r.ok ? [r] : [];
    });
  const ports = (l: NonNullable<Match['srcPorts']>): PortRange[] | undefined =>
    parsed(l, (e) => {
      const r = parsePort(e);
      return r.ok ? [r.range] : [];
    });
  if (m.src !== undefined) out.src = cidrs(m.src) ?? [];
  if (m.dst !== undefined) out.dst = cidrs(m.dst) ?? [];
  if (m.srcPorts !== undefined) out.srcPorts = ports(m.srcPorts) ?? [];
  if (m.dstPorts !== undefined) out.dstPorts = ports(m.dstPorts) ?? [];
  if (m.domains !== undefined) out.domains = (resolveList(policy, m.domains) ?? []).map(String);
  if (m.iif !== undefined) out.iif = m.iif;
  if (m.oif !== undefined) out.oif = m.oif;
  if (m.icmpType !== undefined) out.icmpType = m.icmpType;
  if (m.tcpFlags !== undefined) {
    const f = parseTcpFlags(m.tcpFlags);
    out.flagsSet = f.set;
    out.flagsClear = f.clear;
  }
  return out;
}
