// Converts between a Policy, the editor's form model (Draft), and the submitted form fields.
import type { Policy } from '../policy/schema.js';
import { error, type Diagnostic } from '../policy/diagnostics.js';
import { emptyMatch, matchFields, type Draft, type DraftRule, type DraftSet, type DraftTest } from '../../views/editor/draft.js';

const listText = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));

export function draftFromPolicy(p: Policy): Draft {
  return {
    name: p.name,
    title: p.title,
    description: p.description,
    enabled: p.enabled,
    target: p.target,
    hook: p.hook ?? '',
    interfaces: listText(p.interfaces),
    family: p.family,
    priority: String(p.priority),
    marks: (p.marks ?? []).map((m) => `0x${m.toString(16)}`).join(', '),
    defaultAction: p.defaultAction,
    sets: Object.entries(p.sets).map(([name, s]) => ({ name, type: s.type, elements: s.elements.join('\n') })),
    rules: p.rules.map((r) => {
      const match = emptyMatch();
      for (const f of matchFields) match[f.key] = listText(r.match[f.key]);
      return { id: r.id, comment: r.comment, enabled: r.enabled, action: r.action, match };
    }),
    tests: p.tests.map((t) => ({ name: t.name, expect: t.expect, rule: t.rule ?? '', packet: JSON.stringify(t.packet) })),
  };
}

/** Indices present in fields named `prefix[i].…`, in numeric order. */
function indices(f: Record<string, string>, prefix: string): number[] {
  const re = new RegExp(`^${prefix}\\[(\\d+)\\]\\.`);
  const seen = new Set<number>();
  for (const k of Object.keys(f)) {
    const m = re.exec(k);
    if (m) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

/** The form as typed; the field names are the ones views/editor renders. */
export function draftFromForm(f: Record<string, string>): Draft {
  const g = (k: string) => f[k] ?? '';
  return {
    name: g('name').trim(),
    title: g('title'),
    description: g('description'),
    enabled: f.enabled !== undefined,
    target: g('target'),
    hook: g('hook'),
    interfaces: g('interfaces'),
    family: g('family'),
    priority: g('priority'),
    marks: g('marks'),
    defaultAction: g('defaultAction'),
    sets: indices(f, 'sets').map((i): DraftSet => ({ name: g(`sets[${i}].name`).trim(), type: g(`sets[${i}].type`), elements: g(`sets[${i}].elements`).replace(/\r\n/g, '\n') })),
    rules: indices(f, 'rules').map((i): DraftRule => {
      const match = emptyMatch();
      for (const m of matchFields) match[m.key] = g(`rules[${i}].match.${m.key}`);
      return { id: g(`rules[${i}].id`).trim(), comment: g(`rules[${i}].comment`), enabled: f[`rules[${i}].enabled`] !== undefined, action: g(`rules[${i}].action`), match };
    }),
    tests: indices(f, 'tests').map((i): DraftTest => ({ name: g(`tests[${i}].name`), expect: g(`tests[${i}].expect`), rule: g(`tests[${i}].rule`).trim(), packet: g(`tests[${i}].packet`) })),
  };
}

const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);
/** Integers become numbers so the schema sees what an API client would send; anything else stays text for its message. */
const num = (s: string): unknown => (/^-?\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim());
const portItem = (s: string): unknown => (/^\d+$/.test(s) ? Number(s) : s);
/** Marks as fw4 and mwan3 write them (0x100) or decimal; anything else stays text for its message. */
export const markItem = (s: string): unknown => (/^0x[0-9a-f]{1,8}$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : s);

/** "@set" is a reference; otherwise a list. Empty means "not set". */
function list(s: string, item: (x: string) => unknown = (x) => x): unknown {
  const t = s.trim();
  if (t === '') return undefined;
  if (t.startsWith('@') && !/[\s,]/.test(t)) return t;
  return words(t).map(item);
}

/**
 * The policy document the form describes, for checkPolicy to judge. Problems only the form can have
 * (a packet that is not JSON, two sets with one name) come back as diagnostics at their fields.
 */
export function inputFromDraft(d: Draft): { input: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const sets: Record<string, unknown> = {};
  for (const s of d.sets) {
    if (Object.hasOwn(sets, s.name)) diagnostics.push(error('form.set-duplicate', ['sets', s.name], `two sets are named "${s.name}"`));
    const lines = s.elements.split('\n').map((l) => l.trim()).filter(Boolean);
    // defineProperty: a set named "__proto__" stays an own key, so checkPolicy can name it.
    Object.defineProperty(sets, s.name, { value: { type: s.type, elements: s.type === 'port' ? lines.map(portItem) : lines }, enumerable: true, writable: true, configurable: true });
  }
  const rules = d.rules.map((r) => {
    const match: Record<string, unknown> = {};
    const proto = words(r.match.proto);
    if (proto.length) match.proto = proto.length === 1 ? proto[0] : proto;
    for (const k of ['src', 'dst', 'domains'] as const) {
      const v = list(r.match[k]);
      if (v !== undefined) match[k] = v;
    }
    for (const k of ['srcPorts', 'dstPorts'] as const) {
      const v = list(r.match[k], portItem);
      if (v !== undefined) match[k] = v;
    }
    for (const k of ['iif', 'oif', 'tcpFlags'] as const) if (r.match[k].trim()) match[k] = r.match[k].trim();
    if (r.match.icmpType.trim()) match.icmpType = num(r.match.icmpType);
    return { id: r.id, comment: r.comment, enabled: r.enabled, action: r.action, match };
  });
  const tests = d.tests.map((t, i) => {
    let packet: unknown = {};
    try {
      packet = JSON.parse(t.packet || '{}');
    } catch (e) {
      diagnostics.push(error('form.packet-json', ['tests', i, 'packet'], `not valid JSON: ${(e as Error).message}`));
    }
    return { name: t.name, expect: t.expect, ...(t.rule ? { rule: t.rule } : {}), packet };
  });
  const input: Record<string, unknown> = {
    name: d.name,
    title: d.title,
    description: d.description,
    enabled: d.enabled,
    target: d.target,
    family: d.family,
    priority: d.priority.trim() === '' ? 0 : num(d.priority),
    defaultAction: d.defaultAction,
    sets,
    rules,
    tests,
  };
  if (d.hook) input.hook = d.hook;
  const ifs = words(d.interfaces);
  if (ifs.length) input.interfaces = ifs;
  const marks = words(d.marks);
  if (marks.length) input.marks = marks.map(markItem);
  return { input, diagnostics };
}

/** A packet that is not JSON is reported once, not again as every field the schema then misses. */
export function mergeDiagnostics(form: Diagnostic[], checked: Diagnostic[]): Diagnostic[] {
  const broken = form.filter((d) => d.code === 'form.packet-json').map((d) => `${d.path[1]}`);
  return [...form, ...checked.filter((d) => !(d.path[0] === 'tests' && d.path[2] === 'packet' && broken.includes(`${d.path[1]}`)))];
}
