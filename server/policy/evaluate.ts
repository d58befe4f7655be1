// The reference evaluator: SEMANTICS.md in plain TypeScript, the oracle the compiled Lua is tested against.
import type { ParsedPacket } from '../packet/types.js';
import { cidrContains, parseAddress, type Cidr } from './cidr.js';
import { domainMatches } from './domains.js';
import { portInRanges } from './ports.js';
import { prepareMatch, type PreparedMatch, type SetCache } from './prepare.js';
import type { Hook, Policy } from './schema.js';

export interface EvalContext {
  target: 'netfilter' | 'xdp';
  /** Defaults to the policy's hook. */
  hook?: Hook;
  /** skb->mark at the hook; default 0. */
  mark?: number;
}

export interface EvalResult {
  verdict: 'accept' | 'drop';
  /** The deciding rule's id, "default", or "none" when the policy does not apply. */
  rule: string;
  /** Counter keys incremented, in order: passed log rules, then the decider. */
  counted: string[];
}

// Parsing set elements once per policy object keeps 100k-element sets usable in property tests.
const prepared = new WeakMap<Policy, PreparedMatch[]>();

function matchesOf(policy: Policy): PreparedMatch[] {
  let ms = prepared.get(policy);
  if (!ms) {
    const cache: SetCache = new Map();
    ms = policy.rules.map((r) => prepareMatch(policy, r.match, cache));
    prepared.set(policy, ms);
  }
  return ms;
}

/** `policy` must have passed checkPolicy (normalised elements). Its `enabled` flag is not consulted: this is what a loaded policy does. */
export function evaluate(policy: Policy, pkt: ParsedPacket, ctx: EvalContext): EvalResult {
  const none: EvalResult = { verdict: 'accept', rule: 'none', counted: [] };
  const version = pkt.family || pkt.unusable;
  if (!version) return none;
  if ((policy.family === 'ipv4' && version === 6) || (policy.family === 'ipv6' && version === 4)) return none;
  // Lunatik runs a netfilter hook only for packets whose mark is one it registered (SEMANTICS.md, Marks).
  if (ctx.target === 'netfilter' && !(policy.marks ?? [0]).includes(ctx.mark ?? 0)) return none;
  const hook = ctx.hook ?? policy.hook;
  const outputSide = ctx.target === 'netfilter' && (hook === 'output' || hook === 'postrouting');
  // LOCAL_OUT runs before ip_output sets skb->dev: no device there (SEMANTICS.md, Hook device).
  const device = ctx.target === 'netfilter' && hook === 'output' ? undefined : outputSide ? pkt.oif : pkt.iif;
  if (policy.interfaces?.length && (device === undefined || !policy.interfaces.includes(device))) return none;
  if (pkt.family === 0) return { verdict: policy.defaultAction, rule: 'default', counted: ['default'] };

  const view: PacketView = { pkt, src: parseAddress(pkt.src ?? '')?.bytes, dst: parseAddress(pkt.dst ?? '')?.bytes, outputSide, device };
  const counted: string[] = [];
  const ms = matchesOf(policy);
  for (let i = 0; i < policy.rules.length; i++) {
    const r = policy.rules[i];
    if (!r.enabled || !matches(ms[i], view)) continue;
    counted.push(r.id);
    if (r.action === 'log') continue;
    return { verdict: r.action === 'accept' ? 'accept' : 'drop', rule: r.id, counted };
  }
  counted.push('default');
  return { verdict: policy.defaultAction, rule: 'default', counted };
}

interface PacketView {
  pkt: ParsedPacket;
  src?: number[];
  dst?: number[];
  outputSide: boolean;
  device?: string;
}

const inCidrs = (list: Cidr[], family: 4 | 6, addr: number[] | undefined): boolean => addr !== undefined && list.some((c) => cidrContains(c, family, addr));

function protoMatches(n: number, pkt: ParsedPacket): boolean {
  if (n === 1) return pkt.family === 4 && pkt.proto === 1;
  if (n === 58) return pkt.family === 6 && pkt.proto === 58;
  return pkt.proto === n;
}

function matches(m: PreparedMatch, v: PacketView): boolean {
  const p = v.pkt;
  const family = p.family as 4 | 6;
  if (m.protos && !m.protos.some((n) => protoMatches(n, p))) return false;
  if (m.src && !inCidrs(m.src, family, v.src)) return false;
  if (m.dst && !inCidrs(m.dst, family, v.dst)) return false;
  const transport = p.proto === 6 || p.proto === 17;
  if (m.srcPorts && !(transport && p.srcPort !== undefined && portInRanges(p.srcPort, m.srcPorts))) return false;
  if (m.dstPorts && !(transport && p.dstPort !== undefined && portInRanges(p.dstPort, m.dstPorts))) return false;
  if (m.icmpType !== undefined && p.icmpType !== m.icmpType) return false;
  if (m.flagsSet !== undefined) {
    if (p.proto !== 6 || p.tcpFlags === undefined) return false;
    if ((p.tcpFlags & m.flagsSet) !== m.flagsSet || (p.tcpFlags & (m.flagsClear ?? 0)) !== 0) return false;
  }
  if (m.iif !== undefined && (v.outputSide || v.device !== m.iif)) return false;
  if (m.oif !== undefined && (!v.outputSide || v.device !== m.oif)) return false;
  if (m.domains && !(p.name && m.domains.some((d) => domainMatches(p.name!.value, d)))) return false;
  return true;
}
