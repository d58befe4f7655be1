// Edits of the editor's form model that need no save: add, remove and move rules, sets and tests.
import { emptyRule, type Draft } from '../../views/editor/draft.js';

export type Section = 'rules' | 'sets' | 'tests';

function move<T>(list: T[], i: number, delta: number): void {
  const j = i + delta;
  if (i < 0 || j < 0 || i >= list.length || j >= list.length) return;
  [list[i], list[j]] = [list[j]!, list[i]!];
}

/** Applies `op` ("rule-add", "rule-up:3", "set-remove:0", …) to the draft; returns the section it touched. */
export function applyOp(d: Draft, op: string): Section | undefined {
  const [verb, arg] = op.split(':');
  const i = Number(arg);
  switch (verb) {
    case 'rule-add':
      d.rules.push(emptyRule(d.rules));
      return 'rules';
    case 'rule-remove':
      d.rules.splice(i, 1);
      return 'rules';
    case 'rule-up':
      move(d.rules, i, -1);
      return 'rules';
    case 'rule-down':
      move(d.rules, i, 1);
      return 'rules';
    case 'set-add': {
      const used = new Set(d.sets.map((s) => s.name));
      let n = d.sets.length + 1;
      while (used.has(`set${n}`)) n++;
      d.sets.push({ name: `set${n}`, type: 'domain', elements: '' });
      return 'sets';
    }
    case 'set-remove':
      d.sets.splice(i, 1);
      return 'sets';
    case 'test-add':
      d.tests.push({
        name: `test ${d.tests.length + 1}`,
        expect: 'accept',
        rule: '',
        packet: '{"src":"192.168.1.10","dst":"203.0.113.5","proto":"tcp","dstPort":443}',
      });
      return 'tests';
    case 'test-remove':
      d.tests.splice(i, 1);
      return 'tests';
    default:
      return undefined;
  }
}
