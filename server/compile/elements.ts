// Rule match fields resolved to typed elements (CIDRs as words, merged port ranges, normalised names) with diagnostics.
import { parseCidr } from '../policy/cidr.js';
import { error, type Diagnostic } from '../policy/diagnostics.js';
import { normalizeDomain } from '../policy/domains.js';
import { parsePort } from '../policy/ports.js';
import type { Policy } from '../policy/schema.js';
import type { Family, PortRange, Prefix } from './ir.js';

type ListValue = string | (string | number)[] | undefined;
type SetType = 'cidr' | 'port' | 'domain';

/** The elements of an inline list or `@set`, with the JSON path of each for diagnostics. */
function resolve(policy: Policy, list: ListValue, type: SetType, path: (string | number)[], out: Diagnostic[]): { value: string | number; path: (string | number)[] }[] | undefined {
  if (list === undefined) return undefined;
  if (typeof list !== 'string') return list.map((value, i) => ({ value, path: [...path, i] }));
  const name = list.slice(1);
  const set = Object.hasOwn(policy.sets, name) ? policy.sets[name] : undefined;
  if (!set) {
    out.push(error('set.unknown', path, `no set named ${JSON.stringify(name)}`));
    return undefined;
  }
  if (set.type !== type) {
    out.push(error('set.type-mismatch', path, `set ${JSON.stringify(name)} is a ${set.type} set; this field needs a ${type} set`));
    return undefined;
  }
  return (set.elements as (string | number)[]).map((value, i) => ({ value, path: ['sets', name, 'elements', i] }));
}

export function bytesToWords(bytes: readonly number[]): number[] {
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
  return words;
}

/** Networks split by family; undefined when the field is absent or unresolvable. */
const QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})(?:\/(0|[1-9]\d?))?$/;

/** What parseCidr yields for a plain dotted quad with an optional prefix, or undefined to ask it. */
function fastIpv4(text: string): Prefix | undefined {
  const m = QUAD.exec(text);
  if (!m) return undefined;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  const len = m[5] === undefined ? 32 : Number(m[5]);
  if (parts.some((p) => p > 255) || len > 32) return undefined;
  const addr = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { words: [(addr & mask) >>> 0], len };
}

/** Sorted, overlapping and adjacent ranges merged. */
export function mergeRanges(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.lo - b.lo || a.hi - b.hi);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
    else out.push({ ...r });
  }
  return out;
}

/** Resolves match fields; a set referenced by many rules is parsed (and diagnosed) once. */
export class Resolver {
  private readonly cache = new Map<string, unknown>();

  constructor(
    private readonly policy: Policy,
    private readonly out: Diagnostic[],
  ) {}

  private cached<T>(list: ListValue, type: SetType, path: (string | number)[], build: (els: { value: string | number; path: (string | number)[] }[]) => T): T | undefined {
    const key = typeof list === 'string' ? `${type}:${list}` : undefined;
    if (key !== undefined && this.cache.has(key)) return this.cache.get(key) as T | undefined;
    const els = resolve(this.policy, list, type, path, this.out);
    const value = els ? build(els) : undefined;
    if (key !== undefined) this.cache.set(key, value);
    return value;
  }

  /** Networks split by family; undefined when the field is absent or unresolvable. */
  // Dotted quads take a fast path (big sets are mostly IPv4); anything else goes through parseCidr.
  cidrs(list: ListValue, path: (string | number)[]): Record<Family, Prefix[]> | undefined {
    return this.cached(list, 'cidr', path, (els) => {
      const res: Record<Family, Prefix[]> = { 4: [], 6: [] };
      for (const el of els) {
        const fast = fastIpv4(String(el.value));
        if (fast) {
          res[4].push(fast);
          continue;
        }
        const c = parseCidr(String(el.value));
        if (!c.ok) this.out.push(error('cidr.invalid', el.path, c.reason));
        else res[c.family].push({ words: bytesToWords(c.bytes), len: c.prefix });
      }
      return res;
    });
  }

  ports(list: ListValue, path: (string | number)[]): PortRange[] | undefined {
    return this.cached(list, 'port', path, (els) => {
      const ranges: PortRange[] = [];
      for (const el of els) {
        const p = parsePort(el.value);
        if (!p.ok) this.out.push(error(p.code, el.path, p.reason));
        else ranges.push(p.range);
      }
      return mergeRanges(ranges);
    });
  }

  domains(list: ListValue, path: (string | number)[]): string[] | undefined {
    return this.cached(list, 'domain', path, (els) => {
      const names = new Set<string>();
      for (const el of els) {
        const d = normalizeDomain(String(el.value));
        if (!d.ok) this.out.push(error('domain.invalid', el.path, d.reason));
        else names.add(d.value);
      }
      return [...names].sort();
    });
  }
}
