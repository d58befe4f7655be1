// Normalisation of a schema-valid policy: domains to lowercase punycode, CIDRs to canonical text, ports checked.
import { diagnosticCodes, type DiagnosticCode } from './codes.js';
import { parseCidr } from './cidr.js';
import type { Diagnostic } from './diagnostics.js';
import { normalizeDomain } from './domains.js';
import { parsePort } from './ports.js';
import type { Match, Policy, SetDef } from './schema.js';

type Path = (string | number)[];

export function diag(code: DiagnosticCode, path: Path, message: string): Diagnostic {
  return { code, path, message, severity: diagnosticCodes[code][0] };
}

/** Returns a copy of the policy with normalised elements; problems go to `out`, each naming its element. */
export function normalizePolicy(p: Policy, out: Diagnostic[]): Policy {
  const sets: Record<string, SetDef> = {};
  for (const [name, set] of Object.entries(p.sets)) {
    const path: Path = ['sets', name, 'elements'];
    if (set.type === 'domain') sets[name] = { type: 'domain', elements: domains(set.elements, path, out) };
    else if (set.type === 'cidr') sets[name] = { type: 'cidr', elements: cidrs(set.elements, path, out, p.family, 'set') };
    else sets[name] = { type: 'port', elements: ports(set.elements, path, out) };
  }
  const rules = p.rules.map((r, i) => {
    const path: Path = ['rules', i, 'match'];
    const m: Match = { ...r.match };
    if (Array.isArray(m.src)) m.src = cidrs(m.src, [...path, 'src'], out, p.family, 'inline');
    if (Array.isArray(m.dst)) m.dst = cidrs(m.dst, [...path, 'dst'], out, p.family, 'inline');
    if (Array.isArray(m.srcPorts)) m.srcPorts = ports(m.srcPorts, [...path, 'srcPorts'], out);
    if (Array.isArray(m.dstPorts)) m.dstPorts = ports(m.dstPorts, [...path, 'dstPorts'], out);
    if (Array.isArray(m.domains)) m.domains = domains(m.domains, [...path, 'domains'], out);
    return { ...r, match: m };
  });
  return { ...p, sets, rules };
}

function domains(els: string[], path: Path, out: Diagnostic[]): string[] {
  return els.map((el, i) => {
    const r = normalizeDomain(el);
    if (r.ok) return r.value;
    out.push(diag('domain.invalid', [...path, i], `${JSON.stringify(el)}: ${r.reason}`));
    return el;
  });
}

function cidrs(els: string[], path: Path, out: Diagnostic[], family: Policy['family'], where: 'set' | 'inline'): string[] {
  return els.map((el, i) => {
    const r = parseCidr(el);
    if (!r.ok) {
      out.push(diag('cidr.invalid', [...path, i], `${JSON.stringify(el)}: ${r.reason}`));
      return el;
    }
    if (r.hostBitsSet) out.push(diag('cidr.host-bits', [...path, i], `${el} has host bits set; stored as ${r.canonical}`));
    const excluded = (family === 'ipv4' && r.family === 6) || (family === 'ipv6' && r.family === 4);
    if (excluded) {
      const msg = `${el} is IPv${r.family} but the policy's family is ${family}: it never matches`;
      out.push(diag(where === 'set' ? 'set.family-mismatch' : 'cidr.family-mismatch', [...path, i], msg));
    }
    return r.canonical;
  });
}

function ports(els: (number | string)[], path: Path, out: Diagnostic[]): (number | string)[] {
  els.forEach((el, i) => {
    const r = parsePort(el);
    if (!r.ok) out.push(diag(r.code, [...path, i], r.reason));
  });
  return els;
}
