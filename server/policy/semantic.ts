// Semantic checks on a normalised policy: references, set types, hooks and devices, protocol consistency, rule ids.
import type { Diagnostic } from './diagnostics.js';
import { diag } from './normalize.js';
import { parseTcpFlags, resolveList, tcpFlagBits } from './prepare.js';
import type { Match, Policy, Protocol, SetDef } from './schema.js';

type Path = (string | number)[];

const listFields: [keyof Match, SetDef['type']][] = [
  ['src', 'cidr'],
  ['dst', 'cidr'],
  ['srcPorts', 'port'],
  ['dstPorts', 'port'],
  ['domains', 'domain'],
];

const INPUT_HOOKS = new Set(['prerouting', 'input', 'forward']);
const NO_DEVICE_AT_OUTPUT = 'the output hook sees no device (Linux sets it after LOCAL_OUT); use postrouting to match the output device';

export function checkSemantics(p: Policy, out: Diagnostic[]): void {
  checkTarget(p, out);
  const used = new Set<string>();
  const ids = new Map<string, number>();
  p.rules.forEach((r, i) => {
    const path: Path = ['rules', i];
    const first = ids.get(r.id);
    if (first !== undefined) out.push(diag('rule.duplicate-id', [...path, 'id'], `rule id "${r.id}" is already used by rules[${first}]`));
    else ids.set(r.id, i);
    if (r.id === 'default' || r.id === 'none') {
      out.push(diag('rule.reserved-id', [...path, 'id'], `"${r.id}" is reserved for the policy's own outcome; rename the rule`));
    }
    if (r.action === 'reject') {
      const why = p.target === 'xdp' ? 'xdp cannot answer the sender' : 'no Lunatik profile can send a TCP reset or ICMP error yet';
      out.push(diag('action.reject-unsupported', [...path, 'action'], `${why}; use drop`));
    }
    checkLists(p, r.match, [...path, 'match'], used, out);
    checkMatch(p, r.match, [...path, 'match'], out);
  });
  for (const name of Object.keys(p.sets)) {
    if (!used.has(name)) out.push(diag('set.unused', ['sets', name], `set "${name}" is not referenced by any rule`));
  }
}

function checkTarget(p: Policy, out: Diagnostic[]): void {
  if (p.target === 'netfilter' && p.hook === undefined) {
    out.push(diag('policy.hook-missing', ['hook'], 'a netfilter policy needs a hook: prerouting, input, forward, output or postrouting'));
  }
  if (p.target === 'xdp') {
    if (p.hook !== undefined) out.push(diag('policy.hook-on-xdp', ['hook'], 'xdp policies attach to interfaces, not to a netfilter hook; remove hook'));
    if (!p.interfaces?.length) out.push(diag('policy.interfaces-missing', ['interfaces'], 'an xdp policy needs at least one interface to attach to'));
    if (p.marks !== undefined) out.push(diag('policy.marks-on-xdp', ['marks'], 'xdp runs before anything marks a packet; remove marks'));
  }
  p.marks?.forEach((m, i) => {
    if (p.marks!.indexOf(m) !== i) out.push(diag('policy.marks-duplicate', ['marks', i], `mark ${m} is listed twice`));
  });
  if (p.target === 'netfilter' && p.hook === 'output' && p.interfaces?.length) {
    out.push(diag('policy.interfaces-unavailable', ['interfaces'], NO_DEVICE_AT_OUTPUT));
  }
}

function checkLists(p: Policy, m: Match, path: Path, used: Set<string>, out: Diagnostic[]): void {
  for (const [field, type] of listFields) {
    const v = m[field];
    if (v === undefined) continue;
    if (typeof v === 'string') {
      const name = v.slice(1);
      used.add(name);
      const set = p.sets[name];
      if (!set) {
        out.push(diag('set.unknown', [...path, field], `no set named "${name}"; defined: ${Object.keys(p.sets).join(', ') || 'none'}`));
        continue;
      }
      if (set.type !== type) {
        out.push(diag('set.type-mismatch', [...path, field], `${field} needs a ${type} set but "${name}" is a ${set.type} set`));
        continue;
      }
    }
    if ((resolveList(p, v as string | string[]) ?? []).length === 0) {
      out.push(diag('match.empty-list', [...path, field], `${field} is empty: the rule never matches`));
    }
  }
}

function checkMatch(p: Policy, m: Match, path: Path, out: Diagnostic[]): void {
  const protos: Protocol[] | undefined = m.proto === undefined ? undefined : Array.isArray(m.proto) ? m.proto : [m.proto];
  const protoPath = (i: number): Path => (Array.isArray(m.proto) ? [...path, 'proto', i] : [...path, 'proto']);
  protos?.forEach((pr, i) => {
    if ((pr === 'icmp' && p.family === 'ipv6') || (pr === 'icmpv6' && p.family === 'ipv4')) {
      out.push(diag('proto.family-mismatch', protoPath(i), `${pr} never occurs in an ${p.family} policy`));
    }
  });
  if (protos) {
    const has = (...xs: Protocol[]): boolean => xs.some((x) => protos.includes(x));
    for (const f of ['srcPorts', 'dstPorts'] as const) {
      if (m[f] !== undefined && !has('tcp', 'udp')) {
        out.push(diag('match.ports-need-transport', [...path, f], `${f} needs proto tcp or udp; proto is ${protos.join(', ')}`));
      }
    }
    if (m.tcpFlags !== undefined && !has('tcp')) {
      out.push(diag('match.flags-need-tcp', [...path, 'tcpFlags'], `tcpFlags needs proto tcp; proto is ${protos.join(', ')}`));
    }
    if (m.icmpType !== undefined && !has('icmp', 'icmpv6')) {
      out.push(diag('match.icmptype-needs-icmp', [...path, 'icmpType'], `icmpType needs proto icmp or icmpv6; proto is ${protos.join(', ')}`));
    }
  }
  if (m.tcpFlags !== undefined) {
    const f = parseTcpFlags(m.tcpFlags);
    if (f.set & f.clear) {
      const both = Object.keys(tcpFlagBits).filter((k) => f.set & f.clear & tcpFlagBits[k]);
      out.push(diag('tcpflags.contradictory', [...path, 'tcpFlags'], `${both.join(', ')} both required and forbidden`));
    }
  }
  const xdp = p.target === 'xdp';
  const inputSide = xdp || (p.hook !== undefined && INPUT_HOOKS.has(p.hook));
  const outputSide = !xdp && (p.hook === 'output' || p.hook === 'postrouting');
  const where = xdp ? 'xdp' : `the ${p.hook} hook`;
  if (m.oif !== undefined && inputSide) out.push(diag('match.oif-unavailable', [...path, 'oif'], `${where} sees only the input device; use iif`));
  if (m.oif !== undefined && p.hook === 'output' && !xdp) out.push(diag('match.oif-unavailable', [...path, 'oif'], NO_DEVICE_AT_OUTPUT));
  if (m.iif !== undefined && outputSide) out.push(diag('match.iif-unavailable', [...path, 'iif'], `${where} sees only the output device; use oif`));
  const field = outputSide ? 'oif' : 'iif';
  const dev = m[field];
  if (dev !== undefined && p.interfaces?.length && !p.interfaces.includes(dev)) {
    out.push(diag('match.device-outside-interfaces', [...path, field], `${dev} is not in the policy's interfaces (${p.interfaces.join(', ')})`));
  }
}
