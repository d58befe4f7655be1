// The real service process: start-up lines, first-run password once, a bad setting, restart persistence.
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb } from '../../server/db/index.js';
import { createToken } from '../../server/auth/tokens.js';
import { samplePolicy } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; out: string[]; port: number; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--no-liftoff', '--import', 'tsx', 'server/main.ts', ...args], { cwd: root, env: { ...process.env, LUNAWALL_PORT: '0', LUNAWALL_HOST: '127.0.0.1', LUNAWALL_BACKEND: 'emulator', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out: string[] = [];
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      out.push(...lines);
      const m = out.map((l) => /listening on 127\.0\.0\.1:(\d+)/.exec(l)).find(Boolean);
      if (m && out.some((l) => l.startsWith('log in at'))) resolve({ child, out, port: Number(m[1]), exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`exited ${code}: ${out.join(' | ')} ${buf}`)));
  });
}

async function stop(s: { child: ChildProcess; exited: Promise<number | null> }): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

describe('the service process', () => {
  it('prints where to log in and the first-run password once; keeps everything across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunawall-svc-'));
    dirs.push(dir);
    const a = await start({ LUNAWALL_DATA_DIR: dir });
    expect(a.out.find((l) => l.startsWith('log in at'))).toMatch(/^log in at http:\/\/127\.0\.0\.1:\d+\/ as "admin"; API docs at http:\/\/127\.0\.0\.1:\d+\/api\/docs$/);
    const pw = /first run: the admin password is (\S+) /.exec(a.out.join('\n'))?.[1];
    expect(pw).toMatch(/^[A-Za-z2-9]{20}$/);

    const db = openDb(join(dir, 'lunawall.db'));
    const { token } = createToken(db, 'svc', ['read', 'write'], Date.now());
    closeDb(db);
    const base = `http://127.0.0.1:${a.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const basic = `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}`;
    expect((await fetch(`${base}/api/v1/status`, { headers: { authorization: basic } })).status).toBe(200);
    const put = await fetch(`${base}/api/v1/policies/block-ads`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(samplePolicy()) });
    expect(put.status).toBe(201);
    expect(await stop(a)).toBe(0);

    const b = await start({ LUNAWALL_DATA_DIR: dir });
    expect(b.out.join('\n')).not.toContain('admin password');
    const got = await fetch(`http://127.0.0.1:${b.port}/api/v1/policies/block-ads`, { headers: { authorization: `Bearer ${token}` } });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(samplePolicy());
    expect((await fetch(`http://127.0.0.1:${b.port}/api/v1/status`, { headers: { authorization: basic } })).status).toBe(200);
    expect(await stop(b)).toBe(0);
  });

  it('stops at a bad setting with one line and exit status 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunawall-svc-'));
    dirs.push(dir);
    const child = spawn(process.execPath, ['--no-liftoff', '--import', 'tsx', 'server/main.ts'], { cwd: root, env: { ...process.env, LUNAWALL_DATA_DIR: dir, LUNAWALL_PORT: 'http' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((res) => child.once('exit', res));
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toEqual([expect.stringMatching(/^lunawall: invalid LUNAWALL_PORT: .*\(got "http"\)$/)]);
  });
});
