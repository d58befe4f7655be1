// Shadowed rules: a later rule whose every possible match an earlier enabled deciding rule already takes.
import { cidrContains, maskBytes, type Cidr } from './cidr.js';
import type { Diagnostic } from './diagnostics.js';
import { diag } from './normalize.js';
import { mergeRanges, rangesCover, type PortRange } from './ports.js';
import { prepareMatch, type PreparedMatch, type SetCache } from './prepare.js';
import type { Policy } from './schema.js';

const TCP = 1;
const UDP = 2;
const ICMP = 4;
const ICMP6 = 8;
const OTHER = 16;
const ALL = 31;
const protoBit = (n: number): number => (n === 6 ? TCP : n === 17 ? UDP : n === 1 ? ICMP : n === 58 ? ICMP6 : OTHER);

const F_SRC = 1;
const F_DST = 2;
const F_SPORT = 4;
const F_DPORT = 8;
const F_IIF = 16;
const F_OIF = 32;
const F_DOM = 64;
const F_ICMPT = 128;
const F_FLAGS = 256;

interface Info {
  m: PreparedMatch;
  /** Protocols the rule can match at all, after what its fields imply and the family. */
  protos: number;
  /** Fields this rule constrains (universal CIDR lists left out) / fields present at all. */
  needs: number;
  has: number;
  neverMatches: boolean;
  srcPorts: PortRange[];
  dstPorts: PortRange[];
  cidrIndex: Map<string, Map<number, Set<string>>>;
}

export function checkShadowing(p: Policy, out: Diagnostic[]): void {
  const cache: SetCache = new Map();
  const infos = p.rules.map((r) => (r.enabled ? info(p, prepareMatch(p, r.match, cache)) : undefined));
  p.rules.forEach((b, j) => {
    const bi = infos[j];
    if (!bi || bi.neverMatches) return;
    for (let i = 0; i < j; i++) {
      const a = p.rules[i];
      const ai = infos[i];
      if (!ai || ai.neverMatches || a.action === 'log') continue;
      if (covers(ai, bi, p.family)) {
        out.push(diag('rule.shadowed', ['rules', j], `rules[${j}] "${b.id}" never decides: rules[${i}] "${a.id}" (${a.action}) matches every packet it matches`));
        return;
      }
    }
  });
}

function info(p: Policy, m: PreparedMatch): Info {
  let protos = m.protos ? m.protos.reduce((acc, n) => acc | protoBit(n), 0) : ALL;
  if (m.srcPorts || m.dstPorts || m.domains) protos &= TCP | UDP;
  if (m.flagsSet !== undefined) protos &= TCP;
  if (m.icmpType !== undefined) protos &= ICMP | ICMP6;
  if (p.family === 'ipv4') protos &= ~ICMP6;
  if (p.family === 'ipv6') protos &= ~ICMP;
  const fields: [unknown, number][] = [
    [m.src, F_SRC], [m.dst, F_DST], [m.srcPorts, F_SPORT], [m.dstPorts, F_DPORT], [m.iif, F_IIF],
    [m.oif, F_OIF], [m.domains, F_DOM], [m.icmpType, F_ICMPT], [m.flagsSet, F_FLAGS],
  ];
  let has = 0;
  for (const [v, bit] of fields) if (v !== undefined) has |= bit;
  let needs = has;
  if (m.src && universal(m.src, p.family)) needs &= ~F_SRC;
  if (m.dst && universal(m.dst, p.family)) needs &= ~F_DST;
  const lists = [m.src, m.dst, m.srcPorts, m.dstPorts, m.domains];
  const neverMatches = protos === 0 || lists.some((l) => l !== undefined && l.length === 0);
  const srcPorts = mergeRanges(m.srcPorts ?? []);
  const dstPorts = mergeRanges(m.dstPorts ?? []);
  return { m, protos, needs, has, neverMatches, srcPorts, dstPorts, cidrIndex: new Map() };
}

function universal(list: Cidr[], family: Policy['family']): boolean {
  const any4 = list.some((c) => c.family === 4 && c.prefix === 0);
  const any6 = list.some((c) => c.family === 6 && c.prefix === 0);
  return family === 'ipv4' ? any4 : family === 'ipv6' ? any6 : any4 && any6;
}

/** Every packet `b` matches, `a` matches too. */
function covers(a: Info, b: Info, family: Policy['family']): boolean {
  if ((b.protos & ~a.protos) !== 0) return false;
  if ((a.needs & ~b.has) !== 0) return false;
  const am = a.m;
  const bm = b.m;
  if (am.iif !== undefined && am.iif !== bm.iif) return false;
  if (am.oif !== undefined && am.oif !== bm.oif) return false;
  if (am.icmpType !== undefined && am.icmpType !== bm.icmpType) return false;
  if (am.flagsSet !== undefined) {
    if ((am.flagsSet & ~(bm.flagsSet ?? 0)) !== 0 || ((am.flagsClear ?? 0) & ~(bm.flagsClear ?? 0)) !== 0) return false;
  }
  if (a.needs & F_SPORT && !rangesCover(a.srcPorts, bm.srcPorts!)) return false;
  if (a.needs & F_DPORT && !rangesCover(a.dstPorts, bm.dstPorts!)) return false;
  if (a.needs & F_SRC && !cidrsCover(a, 'src', bm.src!, family)) return false;
  if (a.needs & F_DST && !cidrsCover(a, 'dst', bm.dst!, family)) return false;
  if (a.needs & F_DOM && !domainsCover(am.domains!, bm.domains!)) return false;
  return true;
}

function cidrsCover(a: Info, field: 'src' | 'dst', inner: Cidr[], family: Policy['family']): boolean {
  const outer = a.m[field]!;
  if (outer.length * inner.length > 256) return cidrsCoverIndexed(a, field, inner, family);
  for (const c of inner) {
    if (!relevant(c, family)) continue;
    let found = false;
    for (const o of outer) {
      if (o.prefix <= c.prefix && cidrContains(o, c.family, c.bytes)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

const relevant = (c: Cidr, family: Policy['family']): boolean => !((family === 'ipv4' && c.family === 6) || (family === 'ipv6' && c.family === 4));

/** For big lists: the outer networks indexed by family and prefix length, looked up with the inner network masked. */
function cidrsCoverIndexed(a: Info, field: 'src' | 'dst', inner: Cidr[], family: Policy['family']): boolean {
  let index = a.cidrIndex.get(field);
  if (!index) {
    index = new Map();
    for (const c of a.m[field]!) {
      const k = c.prefix + (c.family === 6 ? 1000 : 0);
      let keys = index.get(k);
      if (!keys) index.set(k, (keys = new Set()));
      keys.add(c.bytes.join('.'));
    }
    a.cidrIndex.set(field, index);
  }
  return inner.every((c) => {
    if (!relevant(c, family)) return true;
    for (const [k, keys] of index) {
      const fam = k >= 1000 ? 6 : 4;
      const prefix = k % 1000;
      if (fam === c.family && prefix <= c.prefix && keys.has(maskBytes(c.bytes, prefix).join('.'))) return true;
    }
    return false;
  });
}

function domainsCover(outer: string[], inner: string[]): boolean {
  const set = new Set(outer);
  return inner.every((d) => {
    for (let s = d; ; ) {
      if (set.has(s)) return true;
      const dot = s.indexOf('.');
      if (dot < 0) return false;
      s = s.slice(dot + 1);
    }
  });
}
