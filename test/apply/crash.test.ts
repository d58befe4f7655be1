// Crash test: `lunawall serve` (lunatik backend on the stand-in CLI, file DB) is SIGKILLed at each apply state, then restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../../server/db/index.js';
import { savePolicy } from '../../server/db/policies.js';
import { createToken } from '../../server/auth/tokens.js';
import { checkPolicy } from '../../server/policy/check.js';
import type { PolicyInput } from '../../server/policy/schema.js';
import { lastKnownGoodSet } from '../../server/apply/store.js';
import { makeFifo, serveOnce } from '../kernel/fake-device.js';
import { queryLunatikDevice } from '../../server/kernel/lunatik-version.js';
import { openPolicy } from './helpers.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fakeLunatik = fileURLToPath(new URL('../kernel/fake-lunatik.mjs', import.meta.url));
const hasLua = existsSync('/usr/bin/lua5.4') && existsSync('/usr/bin/luac5.4');

interface Server {
  proc: ChildProcess;
  base: string;
  out: string[];
  waitFor(re: RegExp, ms?: number): Promise<string>;
}

describe.skipIf(!hasLua)(`crash recovery of a killed server${hasLua ? '' : ' (skipped: lua5.4/luac5.4 not installed)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-crash-'));
  const luaRoot = join(dir, 'lua');
  const state = join(dir, 'state');
  const device = join(dir, 'lunatik.fifo');
  const dataDir = join(dir, 'data');
  let token = '';
  let stopDevice = false;

  /** Answers every version query the restarted servers make through the FIFO "device". */
  async function serveDevice() {
    while (!stopDevice) await serveOnce(device, () => 'Lunatik 4.4').catch(() => undefined);
  }

  function withDb<T>(fn: (db: Db) => T): T {
    const db = openDb(join(dataDir, 'lunawall.db'));
    try {
      return fn(db);
    } finally {
      closeDb(db);
    }
  }
  const save = (p: PolicyInput) =>
    withDb((db) => savePolicy(db, checkPolicy(p).policy!, { author: 'test', now: Date.now(), mode: 'upsert' }));

  function start(pauseAt?: string): Promise<Server> {
    const env = {
      ...process.env,
      LUNAWALL_PORT: '0',
      LUNAWALL_HOST: '127.0.0.1',
      LUNAWALL_DATA_DIR: dataDir,
      LUNAWALL_ADMIN_PASSWORD: 'crash-test-password',
      LUNAWALL_BACKEND: 'lunatik',
      LUNAWALL_LUNATIK_BIN: fakeLunatik,
      LUNAWALL_LUNATIK_ROOT: luaRoot,
      LUNAWALL_LUNATIK_DEVICE: device,
      LUNAWALL_KERNEL_LOG: join(dir, 'kern.log'),
      LUNAWALL_LAN_ADDRESSES: '10.200.1.1/24',
      FAKE_LUNATIK_STATE: state,
      LUNATIK_ROOT: luaRoot,
      ...(pauseAt ? { LUNAWALL_TEST_PAUSE_AT: pauseAt } : { LUNAWALL_TEST_PAUSE_AT: '' }),
    };
    const proc = spawn(process.execPath, ['bin/lunawall.mjs', 'serve'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
    const onLine = (l: string) => {
      out.push(l);
      for (const w of waiters.filter((w) => w.re.test(l))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    };
    for (const s of [proc.stdout!, proc.stderr!]) {
      let buf = '';
      s.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        lines.forEach(onLine);
      });
    }
    const waitFor = (re: RegExp, ms = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const hit = out.find((l) => re.test(l));
        if (hit) return resolve(hit);
        const fail = (why: string) => () => reject(new Error(`${why} waiting for ${re}; output:\n${out.join('\n')}`));
        const t = setTimeout(fail('timed out'), ms);
        proc.once('exit', () => setImmediate(fail('the server exited')));
        waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
      });
    return waitFor(/lunawall listening on /).then((line) => {
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(line)![1];
      return { proc, base: `http://127.0.0.1:${port}/api/v1`, out, waitFor };
    });
  }

  async function api<T = unknown>(s: Server, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${s.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  function kill(s: Server): Promise<void> {
    return new Promise((res) => {
      s.proc.once('exit', () => res());
      s.proc.kill('SIGKILL');
    });
  }

  async function stop(s: Server) {
    const done = new Promise((res) => s.proc.once('exit', res));
    s.proc.kill('SIGTERM');
    await done;
  }

  /** What the stand-in kernel runs, with each script's text. */
  function kernel(): Record<string, string> {
    const running = existsSync(join(state, 'running.json')) ? (JSON.parse(readFileSync(join(state, 'running.json'), 'utf8')) as string[]) : [];
    // A policy runs in slot a (lunawall/<p>) or b (lunawall/b/<p>): either holds its script, never both.
    const names = running.map((r) => r.replace(/^lunawall\/(b\/)?/, ''));
    expect(new Set(names).size).toBe(names.length);
    return Object.fromEntries(running.map((r, i) => [names[i], readFileSync(join(luaRoot, `${r}.lua`), 'utf8')]));
  }
  const lkg = () => withDb((db) => Object.fromEntries(lastKnownGoodSet(db).map((e) => [e.name, e.script])));
  const revisions = () => withDb((db) => db.$client.prepare('select policy_name, n, hash from policy_revisions order by id').all());

  beforeAll(async () => {
    mkdirSync(luaRoot);
    mkdirSync(state);
    makeFifo(device);
    void serveDevice();
    withDb((db) => {
      token = createToken(db, 'crash', ['read', 'write', 'apply'], Date.now()).token;
    });
    save(openPolicy('a'));
    save(openPolicy('b'));
    const s = await start();
    const started = await api<{ id: string; token: string }>(s, 'POST', '/applies', { policies: 'all' });
    expect(started.status).toBe(202);
    for (let i = 0; i < 600 && (await api<{ state: string }>(s, 'GET', `/applies/${started.body.id}`)).body.state !== 'awaiting_confirm'; i++) await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${s.base}/applies/${started.body.id}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: started.body.token }) });
    expect(res.status).toBe(200);
    await stop(s);
    expect(Object.keys(kernel()).sort()).toEqual(['a', 'b']);
  }, 120_000);

  afterAll(async () => {
    stopDevice = true;
    // Be the last peer of the FIFO "device" so its server loop ends.
    await queryLunatikDevice(device, 'return _LUNATIK_VERSION', 2_000).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const points: [string, string][] = [
    ['pending', 'failed'],
    ['preflighted', 'failed'],
    ['loading', 'rolled_back'],
    ['loaded-one', 'rolled_back'],
    ['probing', 'rolled_back'],
    ['awaiting_confirm', 'rolled_back'],
    ['rolling_back', 'rolled_back'],
  ];
  let round = 0;
  for (const [point, expected] of points) {
    it(`killed at ${point}: after a restart the kernel holds exactly last-known-good and the apply is ${expected}`, async () => {
      round++;
      // Every round changes a and b's successor n (never confirmed), so an interrupted load really differs from last-known-good.
      save(openPolicy('a', 10 + round));
      save(openPolicy('n', round));
      const before = { lkg: lkg(), revisions: revisions() };
      const s = await start(point);
      const started = await api<{ id: string }>(s, 'POST', '/applies', { policies: 'all' });
      expect(started.status).toBe(202);
      const id = started.body.id;
      if (point === 'rolling_back') {
        for (let i = 0; i < 600 && (await api<{ state: string }>(s, 'GET', `/applies/${id}`)).body.state !== 'awaiting_confirm'; i++) await new Promise((r) => setTimeout(r, 100));
        void api(s, 'POST', `/applies/${id}/rollback`).catch(() => undefined);
      }
      await s.waitFor(new RegExp(`test pause at ${point} \\(apply ${id}\\)`));
      await kill(s);

      const after = await start();
      const v = await api<{ state: string; reason: string; journal: { message: string }[] }>(after, 'GET', `/applies/${id}`);
      expect(v.body.state).toBe(expected);
      const said = v.body.journal.map((j) => j.message).join('\n');
      if (expected === 'failed') expect(v.body.reason).toBe(`interrupted by a restart while ${point}; nothing had been loaded`);
      else expect(said).toMatch(/the service restarted while this apply was/);
      await stop(after);
      expect(kernel()).toEqual(before.lkg);
      expect(lkg()).toEqual(before.lkg);
      expect(revisions()).toEqual(before.revisions);
    }, 180_000);
  }
});
