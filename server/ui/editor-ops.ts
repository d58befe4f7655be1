// Edits of the editor's form model that need no save: add, remove and move rules, sets and tests.
import { emptyRule, type Draft } from '../../views/editor/draft.js';

export type Section = 'rules' | 'sets' | 'tests';

/** What an op did: the section it touched, or why it changed nothing. */
export type OpResult = { section: Section; error?: undefined } | { section: Section | undefined; error: string };

const sections: Record<string, { section: Section; noun: string }> = {
  rule: { section: 'rules', noun: 'rule' },
  set: { section: 'sets', noun: 'set' },
  test: { section: 'tests', noun: 'test' },
};

/** The section an op names ("rule-up:3" → rules), whether or not it is valid. */
export function sectionOf(op: string): Section | undefined {
  const kind = /^([a-z]+)-/.exec(op)?.[1];
  return kind !== undefined && Object.hasOwn(sections, kind) ? sections[kind]!.section : undefined;
}

function addTo(d: Draft, section: Section): void {
  if (section === 'rules') {
    d.rules.push(emptyRule(d.rules));
  } else if (section === 'sets') {
    const used = new Set(d.sets.map((s) => s.name));
    let n = d.sets.length + 1;
    while (used.has(`set${n}`)) n++;
    d.sets.push({ name: `set${n}`, type: 'domain', elements: '' });
  } else {
    d.tests.push({
      name: `test ${d.tests.length + 1}`,
      expect: 'accept',
      rule: '',
      packet: '{"src":"192.168.1.10","dst":"203.0.113.5","proto":"tcp","dstPort":443}',
    });
  }
}

/**
 * Applies `op` ("rule-add", "rule-up:3", "set-remove:0", …) to the draft. Anything malformed — an
 * unknown op, an index that is missing, not a plain decimal or outside the list, a move past either
 * end — leaves the draft as it was and says why: Number(undefined) is NaN, and splice(NaN, 1) removes
 * the first element.
 */
export function applyOp(d: Draft, op: string): OpResult {
  const m = /^([a-z]+)-([a-z]+)(?::(.*))?$/s.exec(op);
  const kind = m?.[1];
  if (!m || kind === undefined || !Object.hasOwn(sections, kind)) return { section: undefined, error: `Unknown edit "${op}"; nothing was changed.` };
  const { section, noun } = sections[kind]!;
  const verb = m[2]!;
  const arg = m[3];
  const list: unknown[] = d[section];
  if (verb === 'add') {
    if (arg !== undefined) return { section, error: `"${op}": adding a ${noun} takes no position; nothing was changed.` };
    addTo(d, section);
    return { section };
  }
  if (verb !== 'remove' && !(section === 'rules' && (verb === 'up' || verb === 'down'))) return { section, error: `Unknown edit "${op}"; nothing was changed.` };
  if (arg === undefined || !/^\d{1,9}$/.test(arg)) return { section, error: `"${op}" does not say which ${noun}; nothing was changed.` };
  const i = Number(arg);
  if (i >= list.length) return { section, error: `There is no ${noun} ${i + 1} (the form has ${list.length}); nothing was changed.` };
  if (verb === 'remove') {
    list.splice(i, 1);
    return { section };
  }
  const j = verb === 'up' ? i - 1 : i + 1;
  if (j < 0 || j >= list.length) return { section, error: `${noun[0]!.toUpperCase()}${noun.slice(1)} ${i + 1} is already ${verb === 'up' ? 'first' : 'last'}; nothing was changed.` };
  [list[i], list[j]] = [list[j], list[i]];
  return { section };
}
