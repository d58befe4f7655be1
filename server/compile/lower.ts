// Policy → IR: resolves sets, decides per family what each rule needs, merges adjacent rules, builds dispatch.
import { error, warning, type Diagnostic } from '../policy/diagnostics.js';
import { parseTcpFlags, protoNumbers } from '../policy/prepare.js';
import type { Policy, Rule } from '../policy/schema.js';
import { Resolver } from './elements.js';
import type { Family, FamilyIR, FamilyMatch, LoweredPolicy, Prefix, RuleIR } from './ir.js';
import { mergeGroups, buildDispatch } from './groups.js';
import type { TargetProfile } from './profile.js';

const INPUT_HOOKS = new Set(['prerouting', 'input', 'forward']);
const RESERVED_IDS = new Set(['default', 'none']);

export interface LowerOptions {
  profile: TargetProfile;
  ifindexes: Record<string, number>;
}

const icmpOf = (f: Family): number => (f === 4 ? 1 : 58);

function intersect(a: number[] | undefined, b: number[]): number[] {
  return a === undefined ? b : a.filter((x) => b.includes(x));
}

interface RuleFields {
  rule: Rule;
  position: number;
  cidrs: { src?: Record<Family, Prefix[]>; dst?: Record<Family, Prefix[]> };
  sport?: FamilyMatch['sport'];
  dport?: FamilyMatch['dport'];
  names?: string[];
  /** undefined: no device test; null: can never match (unknown device, or a side the hook does not see). */
  dev?: number | null;
}

/** What the rule needs of a packet of family `f`, or undefined when it can never match one. */
function familyMatch(r: RuleFields, f: Family): FamilyMatch | undefined {
  const m = r.rule.match;
  const fm: FamilyMatch = {};
  let protos = m.proto === undefined ? undefined : (Array.isArray(m.proto) ? m.proto : [m.proto]).map((p) => protoNumbers[p]);
  if (protos) protos = protos.filter((p) => p !== icmpOf(f === 4 ? 6 : 4));
  if (r.sport || r.dport) protos = intersect(protos, [6, 17]);
  if (m.tcpFlags !== undefined) protos = intersect(protos, [6]);
  if (m.icmpType !== undefined) protos = intersect(protos, [icmpOf(f)]);
  if (protos !== undefined) {
    if (protos.length === 0) return undefined;
    fm.protos = [...new Set(protos)].sort((a, b) => a - b);
  }
  for (const side of ['src', 'dst'] as const) {
    const c = r.cidrs[side];
    if (!c) continue;
    const list = c[f];
    if (list.length === 0) return undefined;
    // A /0 of the family matches every address: the field is then no test at all.
    if (!list.some((p) => p.len === 0)) fm[side] = list;
  }
  if (r.sport) {
    if (r.sport.length === 0) return undefined;
    fm.sport = r.sport;
  }
  if (r.dport) {
    if (r.dport.length === 0) return undefined;
    fm.dport = r.dport;
  }
  if (m.icmpType !== undefined) fm.icmpType = m.icmpType;
  if (m.tcpFlags !== undefined) {
    const { set, clear } = parseTcpFlags(m.tcpFlags);
    if (set & clear) return undefined;
    fm.flags = { mask: set | clear, value: set };
  }
  if (r.dev === null) return undefined;
  if (r.dev !== undefined) fm.dev = r.dev;
  if (r.names) {
    if (r.names.length === 0) return undefined;
    fm.names = r.names;
  }
  return fm;
}

export function lowerPolicy(policy: Policy, opts: LowerOptions): { ir: LoweredPolicy; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  const resolver = new Resolver(policy, out);
  const xdp = policy.target === 'xdp';
  const hook = policy.hook;
  if (!xdp && hook === undefined) out.push(error('policy.hook-missing', ['hook'], 'a netfilter policy needs a hook: prerouting, input, forward, output or postrouting'));
  const inputSide = xdp || (hook !== undefined && INPUT_HOOKS.has(hook));
  const noDevice = opts.profile === 'lunatik-3.6' && !xdp;
  let needsDevice = false;

  const device = (name: string, path: (string | number)[]): number | null => {
    needsDevice = true;
    if (noDevice) {
      out.push(error('profile.no-ifindex', path, 'Lunatik 3.6 netfilter hooks are not told the device; iif, oif and interfaces need the lunatik-4 profile or xdp'));
      return null;
    }
    const n = Object.hasOwn(opts.ifindexes, name) ? opts.ifindexes[name] : undefined;
    if (n === undefined) {
      out.push(warning('interface.unknown', path, `interface ${JSON.stringify(name)} has no ifindex here; it matches no packet`));
      return null;
    }
    return n;
  };

  let interfaces: number[] | undefined;
  // An empty list restricts nothing (SEMANTICS.md); a list of only unknown names restricts to no packet.
  if (policy.interfaces !== undefined && policy.interfaces.length > 0) {
    interfaces = [];
    policy.interfaces.forEach((name, i) => {
      const n = device(name, ['interfaces', i]);
      if (n !== null && !interfaces!.includes(n)) interfaces!.push(n);
    });
  }

  const rules: RuleIR[] = [];
  const fields: RuleFields[] = [];
  const seen = new Set<string>();
  policy.rules.forEach((rule, position) => {
    const path = ['rules', position];
    if (RESERVED_IDS.has(rule.id)) out.push(error('rule.reserved-id', [...path, 'id'], `"${rule.id}" is reserved for the policy's own outcome; rename the rule`));
    if (seen.has(rule.id)) out.push(error('rule.duplicate-id', [...path, 'id'], `rule id ${JSON.stringify(rule.id)} is used twice`));
    seen.add(rule.id);
    if (!rule.enabled) return;
    if (rule.action === 'reject') {
      out.push(error('action.reject-unsupported', [...path, 'action'], 'lunawall cannot emit reject for Lunatik yet; use drop'));
      return;
    }
    const m = rule.match;
    const mp = [...path, 'match'];
    const f: RuleFields = { rule, position, cidrs: {} };
    if (m.src !== undefined) f.cidrs.src = resolver.cidrs(m.src, [...mp, 'src']) ?? { 4: [], 6: [] };
    if (m.dst !== undefined) f.cidrs.dst = resolver.cidrs(m.dst, [...mp, 'dst']) ?? { 4: [], 6: [] };
    if (m.srcPorts !== undefined) f.sport = resolver.ports(m.srcPorts, [...mp, 'srcPorts']) ?? [];
    if (m.dstPorts !== undefined) f.dport = resolver.ports(m.dstPorts, [...mp, 'dstPorts']) ?? [];
    if (m.domains !== undefined) f.names = resolver.domains(m.domains, [...mp, 'domains']) ?? [];
    // The hook sees one device: iif on input hooks and xdp, oif on output hooks; the other never matches.
    if (m.iif !== undefined) {
      const n = device(m.iif, [...mp, 'iif']);
      f.dev = inputSide ? n : null;
    }
    if (m.oif !== undefined) {
      const n = device(m.oif, [...mp, 'oif']);
      f.dev = inputSide || f.dev === null ? null : n;
    }
    rules.push({ index: rules.length + 1, id: rule.id, comment: rule.comment, verdict: rule.action as RuleIR['verdict'], position });
    fields.push(f);
  });

  const familyList: Family[] = policy.family === 'ipv4' ? [4] : policy.family === 'ipv6' ? [6] : [4, 6];
  const families: FamilyIR[] = familyList.map((family) => {
    const entries = rules.flatMap((r, i) => {
      const fm = familyMatch(fields[i], family);
      return fm ? [{ rule: r, match: fm }] : [];
    });
    const groups = mergeGroups(entries);
    return { family, groups, classes: buildDispatch(groups, [6, 17, icmpOf(family)]) };
  });

  const counterIds = [...new Set(policy.rules.map((r) => r.id))];
  return {
    ir: {
      rules,
      counterIds,
      families,
      interfaces,
      needsDevice: needsDevice && !noDevice,
      needsNames: families.some((f) => f.groups.some((g) => g.matches.some((m) => m.names !== undefined))),
      defaultVerdict: policy.defaultAction,
    },
    diagnostics: out,
  };
}
