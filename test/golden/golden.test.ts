// Golden scripts: each test/golden/<case>/policy.json rendered per profile; UPDATE_GOLDEN=1 rewrites the expected files.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { targetProfiles } from '../../server/compile/profile.js';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { buildFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import type { Policy } from '../../server/policy/schema.js';
import { floatFindings, hasLua, luacError } from '../compile/luac.js';

const dir = new URL('.', import.meta.url).pathname;
const update = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

const fileName = (policy: Policy, profile: string): string => `${profile}-${policy.target === 'xdp' ? 'xdp' : policy.hook}`;

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator();
});
afterAll(() => emu.close());

function load(name: string): Policy {
  const { policy, diagnostics } = checkPolicy(JSON.parse(readFileSync(join(dir, name, 'policy.json'), 'utf8')));
  if (!policy) throw new Error(`${name}/policy.json is invalid: ${JSON.stringify(diagnostics)}`);
  return policy;
}

describe.each(cases)('golden %s', (name) => {
  for (const profile of targetProfiles) {
    it(profile, async () => {
      const policy = load(name);
      const { script, diagnostics } = compilePolicy(policy, { profile, revision: 7 });
      const base = join(dir, name, fileName(policy, profile));
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const [path, text] = errors.length ? [`${base}.diagnostics.json`, JSON.stringify(errors, null, 2) + '\n'] : [`${base}.lua`, script];
      if (update) writeFileSync(path, text);
      expect(existsSync(path), `${path} missing; run with UPDATE_GOLDEN=1`).toBe(true);
      expect(text).toBe(readFileSync(path, 'utf8'));
      if (errors.length) return;
      expect(compilePolicy(policy, { profile, revision: 7 }).script).toBe(script);
      expect(script.split('\n').filter((l) => l.replace(/\t/g, '    ').length > 120)).toEqual([]);
      await emu.load('golden', script, { profile, target: policy.target });
      const frame = buildFrame({ src: '10.1.2.3', dst: '10.0.0.1', proto: 'tcp', dstPort: 443, tls: { sni: 'www.example.com' } });
      const r = emu.run('golden', { frame, hook: policy.hook, ifindex: 2 });
      expect(r.error).toBeUndefined();
    });
  }
});

describe.skipIf(!hasLua)('golden scripts under Debian lua5.4', () => {
  const files = cases.flatMap((c) => readdirSync(join(dir, c)).filter((f) => f.endsWith('.lua')).map((f) => join(c, f)));
  it.each(files)('%s parses and has no float, division or power', (f) => {
    const script = readFileSync(join(dir, f), 'utf8');
    expect(luacError(script)).toBeUndefined();
    expect(floatFindings(script)).toEqual([]);
  });
});
if (!hasLua) describe.skip('golden scripts under Debian lua5.4: lua5.4/luac5.4 not installed', () => {});
