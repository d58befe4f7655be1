// The apply commands against a service running in-process (emulator backend): apply, confirm, rollback, applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../server/cli/run.js';
import { loadConfig } from '../../server/config.js';
import { startService, type Service } from '../../server/main.js';
import { createToken } from '../../server/auth/tokens.js';
import { savePolicy } from '../../server/db/policies.js';
import { checkPolicy } from '../../server/policy/check.js';
import { EmulatorBackend } from '../../server/kernel/emulator.js';
import { lockoutPolicy, openPolicy } from './helpers.js';

let dir: string;
let service: Service;
let token: string;

const run = async (argv: string[], env: Record<string, string> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { LUNAWALL_DATA_DIR: dir, LUNAWALL_PORT: String(service?.port ?? 1), LUNAWALL_HOST: '127.0.0.1', LUNAWALL_TOKEN: token, ...env } });
  return { code, out, err, text: [...out, ...err].join('\n') };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lunawall-apply-cli-'));
  const config = loadConfig({ LUNAWALL_DATA_DIR: dir, LUNAWALL_PORT: '0', LUNAWALL_HOST: '127.0.0.1', LUNAWALL_ADMIN_PASSWORD: 'cli-test-password', LUNAWALL_LAN_ADDRESSES: '10.200.1.1/24', LUNAWALL_MANAGEMENT_PORTS: '8080' });
  service = await startService(config, () => undefined, new EmulatorBackend());
  const { db } = service.deps;
  token = createToken(db, 'cli', ['read', 'write', 'apply'], Date.now()).token;
  for (const p of [openPolicy('web'), lockoutPolicy()]) savePolicy(db, checkPolicy(p).policy!, { author: 'test', now: Date.now(), mode: 'upsert' });
});
afterAll(async () => {
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lunawall apply / confirm / rollback / applies', () => {
  it('applies a policy, prints the journal and how to confirm; confirm by id uses the saved token', async () => {
    const a = await run(['apply', '--policy', 'web', '--confirm-window', '600']);
    expect(a.code, a.text).toBe(0);
    const id = /^apply (\S+) started; rolls back unless confirmed by /.exec(a.out[0]!)![1]!;
    expect(a.text).toMatch(/awaiting_confirm\s+probes passed/);
    expect(a.text).toContain(`lunawall confirm ${id}`);
    const c = await run(['confirm', id]);
    expect(c.code, c.text).toBe(0);
    expect(c.out[0]).toMatch(new RegExp(`^apply ${id} confirmed: web@1 is now the last-known-good set$`));
    const list = await run(['applies']);
    expect(list.out[0]).toMatch(new RegExp(`^${id}\\s+confirmed\\s+`));
    const show = await run(['applies', id]);
    expect(show.text).toMatch(/started by token:cli/);
    expect(show.text).toMatch(/revisions: web@1/);
  });

  it('a refused apply exits 1 with the reason; rollback without an id rolls back the running apply', async () => {
    const refused = await run(['apply', '--policy', 'lockout']);
    expect(refused.code).toBe(1);
    expect(refused.err.at(-1)).toMatch(/^lunawall apply: failed: preflight failed: lockout: anti-lockout: /);
    const a = await run(['apply', '--policy', 'lockout', '--no-guard']);
    expect(a.code, a.text).toBe(0);
    const r = await run(['rollback']);
    expect(r.code, r.text).toBe(0);
    expect(r.out[0]).toMatch(/: rolled_back \(rolled back by token:cli\)$/);
    expect((await run(['rollback'])).err[0]).toBe('lunawall rollback: no apply is running; name one to retry its failed rollback');
  });

  it('bad input gives one line and a non-zero exit, changing nothing', async () => {
    const before = (await run(['applies'])).out.length;
    expect((await run(['apply', '--confirm-window', 'soon'])).err).toEqual(['lunawall apply: --confirm-window must be whole seconds (1-3600), not "soon"']);
    expect((await run(['apply', '--policy', 'nope'])).err).toEqual(['lunawall apply: no policy named "nope" is stored or loaded']);
    expect((await run(['apply'], { LUNAWALL_TOKEN: '' })).err[0]).toMatch(/^lunawall apply: no credentials: set LUNAWALL_TOKEN/);
    expect((await run(['confirm', 'nope', '--confirm-token', 'x'])).err).toEqual(['lunawall confirm: no apply nope with this confirm token']);
    expect((await run(['apply'], { LUNAWALL_PORT: '1' })).err[0]).toMatch(/^lunawall apply: the service is not running at http:\/\/127\.0\.0\.1:1/);
    expect((await run(['applies'])).out.length).toBe(before);
  });
});
