// openwrt/build-bundle.mjs: one esbuild file plus its run-time files, runnable away from the repository.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, repo } from './sdk.js';

const dir = mkdtempSync(join(tmpdir(), 'lunawall-bundle-'));
const packet = { src: '192.168.1.10', dst: '203.0.113.5', proto: 'tcp', srcPort: 40000 };
const policy = {
  name: 'no-ssh',
  title: 'No SSH out',
  target: 'netfilter',
  hook: 'forward',
  family: 'inet',
  defaultAction: 'accept',
  rules: [{ id: 'ssh', match: { proto: 'tcp', dstPorts: [22] }, action: 'drop' }],
  tests: [
    { name: 'ssh dropped', packet: { ...packet, dstPort: 22 }, expect: 'drop' },
    { name: 'web passes', packet: { ...packet, dstPort: 443 }, expect: 'accept' },
  ],
};
const out = join(dir, 'usr-lib-lunawall');
const run = (args: string[], env: Record<string, string> = {}) =>
  execFileSync(process.execPath, ['--no-liftoff', join(out, 'lunawall.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });

beforeAll(() => buildBundle(out));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundle', () => {
  it('is one file plus the files modules read at run time', () => {
    for (const f of [
      'lunawall.mjs',
      'package.json',
      'glue.wasm',
      'migrations/meta/_journal.json',
      'server/emulator/lua/env.lua',
      'server/ui/static/ui.css',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/bindings/bindings.js',
      'node_modules/htmx.org/dist/htmx.min.js',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readdirSync(join(out, 'node_modules')).sort()).toEqual(['better-sqlite3', 'bindings', 'file-uri-to-path', 'htmx.org']);
    expect(readdirSync(join(out, 'server'), { recursive: true }).some((f) => String(f).endsWith('.ts'))).toBe(false);
  });

  it('bakes in no path of the machine that built it', () => {
    expect(readFileSync(join(out, 'lunawall.mjs'), 'utf8')).not.toContain(repo);
  });

  it('runs the CLI outside the repository', () => {
    expect(run(['--help'])).toMatch(/usage: lunawall <command>[\s\S]*\bserve\b/);
  });

  it('checks a policy file (zod schema and diagnostics inside the bundle)', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'Bad Name!', target: 'netfilter' }));
    let stdout = '';
    let status = 0;
    try {
      run(['validate', bad]);
    } catch (e) {
      ({ stdout, status } = e as { stdout: string; status: number });
    }
    expect(status).toBe(1);
    expect(stdout).toContain('name');
  });

  it("runs a policy's packet tests in the emulator (Lua in wasm: glue.wasm found beside the bundle)", () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(policy));
    expect(run(['test', file])).toBe('ok   no-ssh: ssh dropped (drop by ssh)\nok   no-ssh: web passes (accept by default)\n');
    writeFileSync(file, JSON.stringify({ ...policy, tests: [{ ...policy.tests[0], expect: 'accept' }] }));
    expect(() => run(['test', file])).toThrow(/0 passed, 1 failed/);
  });

  it('serves: migrations applied from the copied folder, static files from node_modules, an apply from its CLI, then stops on SIGTERM', async () => {
    const data = join(dir, 'data');
    const env = { LUNAWALL_DATA_DIR: data, LUNAWALL_HOST: '127.0.0.1', LUNAWALL_BACKEND: 'emulator', LUNAWALL_ADMIN_PASSWORD: 'bundle-test-pw' };
    const child = spawn(process.execPath, ['--no-liftoff', join(out, 'lunawall.mjs'), 'serve'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env, LUNAWALL_PORT: '0' },
    });
    let log = '';
    child.stdout.on('data', (b) => (log += b));
    child.stderr.on('data', (b) => (log += b));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const port = await new Promise<number>((res, rej) => {
      const t = setInterval(() => {
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
        if (m) {
          clearInterval(t);
          res(Number(m[1]));
        }
      }, 50);
      void exited.then(() => {
        clearInterval(t);
        rej(new Error(`the bundle exited before listening: ${log}`));
      });
    });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const htmx = await fetch(`http://127.0.0.1:${port}/static/htmx.min.js`);
      expect(htmx.status).toBe(200);
      expect((await htmx.text()).length).toBeGreaterThan(1000);
      expect(existsSync(join(data, 'lunawall.db'))).toBe(true);
      // What an admin does on the router: a token, a policy, an apply through the service, a confirm.
      const cli = { ...env, LUNAWALL_PORT: String(port) };
      const token = /lw_[\w-]+/.exec(run(['token', 'create', '--name', 'bundle', '--scope', 'read,write,apply'], cli))?.[0];
      expect(token).toBeDefined();
      const file = join(dir, 'apply-policy.json');
      writeFileSync(file, JSON.stringify(policy));
      run(['policy', 'import', file], cli);
      const applied = run(['apply', '--token', token!, '--confirm-window', '120'], cli);
      expect(applied).toContain('awaiting_confirm');
      const id = /apply ([0-9a-f-]{36}) started/.exec(applied)?.[1];
      expect(run(['confirm', id!], cli)).toContain('confirmed');
      expect(run(['applies'], cli)).toMatch(new RegExp(`${id}\\s+confirmed`));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
