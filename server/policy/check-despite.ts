// The semantic checks of a policy whose shape is wrong: the broken parts are set aside so one round trip
// reports every error (a bad port in rule 3 and an unknown set in rule 7), not the shape errors first.
import type { z } from '@hono/zod-openapi';
import type { Diagnostic } from './diagnostics.js';
import { policy as policySchema, setTypes, type Policy } from './schema.js';

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];
type Obj = Record<string, unknown>;

/** Top-level fields no semantic check reads: a bad value there can be dropped without changing what the checks see. */
const inertFields = new Set(['title', 'description', 'enabled', 'priority', 'defaultAction']);
/** Codes about what a rule field refers to: meaningless when the set it names was set aside. */
const referenceCodes = new Set(['set.unknown', 'set.type-mismatch', 'match.empty-list']);

const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x);
const startsWith = (path: Path, prefix: Path): boolean => prefix.length <= path.length && prefix.every((k, i) => path[i] === k);

interface Repair {
  input: Obj;
  /** Paths of parts replaced by inert stand-ins: nothing under them is reported. */
  touched: Path[];
  /** Sets replaced or removed. */
  sets: Set<string>;
  rulesTouched: boolean;
}

/** Replaces the part each issue is in by an inert stand-in; false when the damage reaches what every check reads. */
function repair(r: Repair, issues: readonly Issue[]): boolean {
  for (const issue of issues) {
    const [top, key] = issue.path;
    const list = typeof top === 'string' ? r.input[top] : undefined;
    if (top === undefined) {
      if (issue.code !== 'unrecognized_keys') return false;
      for (const k of issue.keys) delete r.input[k];
    } else if (top === 'rules' && typeof key === 'number' && Array.isArray(list)) {
      list[key] = { id: `unchecked-rule-${key}`, action: 'log', enabled: false };
      r.touched.push(['rules', key]);
      r.rulesTouched = true;
    } else if (top === 'tests' && typeof key === 'number' && Array.isArray(list)) {
      list[key] = { name: 'unchecked', packet: { src: '192.0.2.1', dst: '192.0.2.2' }, expect: 'accept' };
      r.touched.push(['tests', key]);
    } else if (top === 'sets' && typeof key === 'string' && isObj(list)) {
      const type = isObj(list[key]) ? (list[key] as Obj).type : undefined;
      if ((setTypes as readonly unknown[]).includes(type)) list[key] = { type, elements: [] };
      else delete list[key];
      r.touched.push(['sets', key]);
      r.sets.add(key);
    } else if (top === 'name') {
      r.input.name = 'unchecked';
      r.touched.push(['name']);
    } else if (typeof top === 'string' && inertFields.has(top)) {
      delete r.input[top];
      r.touched.push([top]);
    } else {
      return false;
    }
  }
  return true;
}

/** Whether the raw value at a diagnostic's path is a reference to a set that was set aside. */
function refersToRepairedSet(input: Obj, path: Path, sets: Set<string>): boolean {
  let v: unknown = input;
  for (const k of path) v = isObj(v) || Array.isArray(v) ? (v as Obj)[k as string] : undefined;
  return typeof v === 'string' && v.startsWith('@') && sets.has(v.slice(1));
}

/**
 * Semantic diagnostics for an input that failed the schema, with the failing parts set aside; none
 * when the damage is in what every check depends on (target, hook, family, interfaces, whole lists).
 */
export function semanticsDespite(input: unknown, issues: readonly Issue[], shape: Diagnostic[], check: (p: Policy) => Diagnostic[]): Diagnostic[] {
  if (!isObj(input)) return [];
  const r: Repair = { input: structuredClone(input), touched: [], sets: new Set(), rulesTouched: false };
  let pending = issues;
  // A stand-in can uncover issues the first parse did not reach (zod stops at a failed union); two more rounds suffice.
  for (let round = 0; round < 3; round++) {
    if (!repair(r, pending)) return [];
    const parsed = policySchema.safeParse(r.input);
    if (!parsed.success) {
      pending = parsed.error.issues;
      continue;
    }
    const shapePaths = shape.map((d) => d.path);
    return check(parsed.data).filter(
      (d) =>
        !r.touched.some((t) => startsWith(d.path, t)) &&
        !shapePaths.some((p) => startsWith(d.path, p) || startsWith(p, d.path)) &&
        !(referenceCodes.has(d.code) && refersToRepairedSet(r.input, d.path, r.sets)) &&
        !(d.code === 'test.unknown-rule' && r.rulesTouched) &&
        !(d.code === 'set.unused' && r.sets.has(String(d.path[1]))),
    );
  }
  return [];
}
