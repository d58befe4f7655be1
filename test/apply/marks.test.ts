// Marked packets bypass a Lunatik hook registered for other marks: what marks packets here, and the apply's warning.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { markSetters } from '../../server/apply/mark-setters.js';
import { makeKit, openPolicy, type Kit } from './helpers.js';

let kit: Kit | undefined;
let root: string | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
});

function system(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'lunawall-marks-'));
  mkdirSync(join(root, 'etc/config'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'etc/config', name), text);
  return root;
}

describe('markSetters', () => {
  it('names enabled mwan3 interfaces and enabled fw4 MARK rules, with file and line', () => {
    const r = system({
      mwan3: "config globals 'globals'\n\toption mmx_mask '0x3F00'\n\nconfig interface 'wan'\n\toption enabled '1'\n\nconfig interface 'wanb'\n\toption enabled '0'\n\nconfig interface 'wwan'\n",
      firewall: "config rule\n\toption name 'voip'\n\toption target 'MARK'\n\toption set_mark '0x10'\n\nconfig rule\n\toption target 'MARK'\n\toption set_xmark '0x20/0xff'\n\toption enabled '0'\n\nconfig rule\n\toption name 'ssh'\n\toption target 'ACCEPT'\n",
    });
    expect(markSetters(r)).toEqual([`mwan3 marks the traffic of wan, wwan (${r}/etc/config/mwan3)`, `fw4 rule voip sets mark 0x10 (${r}/etc/config/firewall:1)`]);
  });

  it('is empty without those files, and for files that do not parse', () => {
    expect(markSetters(system({}))).toEqual([]);
    rmSync(root!, { recursive: true, force: true });
    expect(markSetters(system({ firewall: "config rule\n\toption target 'MARK\n" }))).toEqual([]);
  });
});

describe('apply: a warning when something marks packets', () => {
  it('warns for a netfilter policy without marks, not for one that lists them', async () => {
    kit = makeKit({}, undefined, { markSetters: () => ['mwan3 marks the traffic of wan (/etc/config/mwan3)'] });
    kit.save(openPolicy('plain'));
    kit.save({ ...openPolicy('marked', 2), marks: [0, 0x100] });
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    const v = await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    const warnings = v.journal.find((j) => j.state === 'preflighted')?.detail as { warnings: string[] };
    expect(warnings.warnings).toEqual([expect.stringMatching(/^plain: sees only unmarked packets .* mwan3 marks the traffic of wan .*marks/)]);
  });
});
