// Apply rollback on real packets: lunawall serves in the router namespace (nfqueue backend); bad applies undo themselves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../../server/db/index.js';
import { savePolicy } from '../../server/db/policies.js';
import { createToken } from '../../server/auth/tokens.js';
import { checkPolicy } from '../../server/policy/check.js';
import type { PolicyInput } from '../../server/policy/schema.js';
import { addr, createTopology, netnsUnavailable, waitForOutput, type Topology } from './topology.js';
import { clients, type Expect } from './clients.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`real-packet tests must run in CI: ${why}`);

const lunawall = fileURLToPath(new URL('../../bin/lunawall.mjs', import.meta.url));
const PORT = 8080;

interface View {
  state: string;
  reason: string | null;
  journal: { at: number; state: string; message: string }[];
}

describe.skipIf(why)(`apply rollback on real packets${why ? ` (skipped: ${why})` : ''}`, () => {
  let topo: Topology;
  let dataDir: string;
  let token: string;
  let server: ChildProcess | undefined;

  function save(p: PolicyInput) {
    const db = openDb(join(dataDir, 'lunawall.db'));
    try {
      savePolicy(db, checkPolicy(p).policy!, { author: 'test', now: Date.now(), mode: 'upsert' });
    } finally {
      closeDb(db);
    }
  }

  async function startServer(env: Record<string, string>) {
    const vars = {
      LUNAWALL_PORT: String(PORT),
      LUNAWALL_HOST: '0.0.0.0',
      LUNAWALL_DATA_DIR: dataDir,
      LUNAWALL_ADMIN_PASSWORD: 'net-test-password',
      LUNAWALL_BACKEND: 'nfqueue',
      LUNAWALL_LAN_ADDRESSES: `${addr.routerLan}/24`,
      LUNAWALL_LAN_INTERFACE: 'lan0',
      LUNAWALL_PROBE_INTERVAL_MS: '500',
      ...env,
    };
    server = topo.spawn('router', ['env', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), process.execPath, lunawall, 'serve']);
    await waitForOutput(server, 'lunawall listening on', 30_000);
  }

  async function stopServer() {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
    server = undefined;
  }

  /** The API from inside the router over loopback (policies below only touch traffic from lan0). */
  async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const argv = ['curl', '-s', '--max-time', '10', '-X', method, '-H', `authorization: Bearer ${token}`];
    if (body !== undefined) argv.push('-H', 'content-type: application/json', '--data', JSON.stringify(body));
    const r = await topo.exec('router', [...argv, `http://127.0.0.1:${PORT}/api/v1${path}`]);
    return JSON.parse(r.stdout) as T;
  }

  async function until(id: string, states: string[], timeoutMs: number): Promise<View> {
    const t0 = Date.now();
    for (;;) {
      const v = await api<View>('GET', `/applies/${id}`);
      if (states.includes(v.state)) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`apply ${id} still ${v.state} after ${timeoutMs} ms: ${JSON.stringify(v.journal.map((j) => j.message))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** `curl` from the LAN host to the UI/API's health endpoint: the HTTP status, or 000 when unreachable. */
  const fromLan = async (e: Expect) =>
    (await topo.exec('lan', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', e === 'pass' ? '8' : '2', `http://${addr.routerLan}:${PORT}/healthz`])).stdout;

  beforeAll(async () => {
    topo = await createTopology();
    dataDir = mkdtempSync(join(tmpdir(), 'lw-net-apply-'));
    const db = openDb(join(dataDir, 'lunawall.db'));
    token = createToken(db, 'net', ['read', 'write', 'apply'], Date.now()).token;
    closeDb(db);
  });
  afterEach(stopServer);
  afterAll(async () => {
    await stopServer();
    await topo?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a policy blocking the management port (guard off), never confirmed, is rolled back when its window ends and the LAN reaches the UI again', async () => {
    save({ name: 'no-ui', hook: 'input', rules: [{ id: 'ui', action: 'drop', match: { proto: 'tcp', dstPorts: [PORT], iif: 'lan0' } }] });
    await startServer({});
    expect(await fromLan('pass')).toBe('200');

    const refused = await api<{ id: string }>('POST', '/applies', { policies: ['no-ui'], confirmWindow: 5 });
    const failed = await until(refused.id, ['failed'], 20_000);
    expect(failed.reason).toMatch(/anti-lockout/);
    expect(await fromLan('pass')).toBe('200');

    const s = await api<{ id: string; deadline: number }>('POST', '/applies', { policies: ['no-ui'], confirmWindow: 5, guard: false });
    await until(s.id, ['awaiting_confirm'], 20_000);
    expect(await fromLan('drop')).toBe('000');
    const v = await until(s.id, ['rolled_back'], 20_000);
    expect(v.reason).toBe('not confirmed within 5 s');
    expect(await fromLan('pass')).toBe('200');
  }, 90_000);

  it('a confirmed apply of a policy dropping LAN→WAN TCP 22 stops a real nc while HTTP passes, and survives a restart', async () => {
    save({ name: 'no-ssh', hook: 'forward', rules: [{ id: 'ssh', action: 'drop', match: { proto: 'tcp', dstPorts: [22] } }] });
    topo.spawn('wan', ['nc', '-lk', '22']);
    topo.spawn('wan', ['nc', '-lk', '80']);
    const tcp = async (port: number, e: Expect) => (await clients(topo).tcp(addr.wan, port, e)).code;
    await startServer({});
    expect(await tcp(22, 'pass')).toBe(0);
    const s = await api<{ id: string; token: string }>('POST', '/applies', { policies: ['no-ssh'] });
    await until(s.id, ['awaiting_confirm'], 20_000);
    // Confirmed from the LAN side, with the token only.
    const confirm = await topo.exec('lan', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', '-H', 'content-type: application/json', '--data', JSON.stringify({ token: s.token }), `http://${addr.routerLan}:${PORT}/api/v1/applies/${s.id}/confirm`]);
    expect(confirm.stdout).toBe('200');
    expect(await tcp(22, 'drop')).not.toBe(0);
    expect(await tcp(80, 'pass')).toBe(0);
    await stopServer();
    // The nfqueue backend lives in the service process: a restart reloads last-known-good from the database.
    await startServer({});
    expect(await tcp(22, 'drop')).not.toBe(0);
    expect(await tcp(80, 'pass')).toBe(0);
  }, 90_000);

  it('a policy whose probe fails (it drops the WAN gateway\'s ping replies) is rolled back within seconds', async () => {
    save({ name: 'deaf', hook: 'input', rules: [{ id: 'pong', action: 'drop', match: { proto: 'icmp', src: [addr.wan], icmpType: 0 } }] });
    await startServer({ LUNAWALL_PROBES: JSON.stringify([{ kind: 'health' }, { kind: 'ping', host: addr.wan, timeoutMs: 1000 }, { kind: 'tcp', host: '127.0.0.1', port: PORT, timeoutMs: 1000 }]) });
    expect((await clients(topo, 'router').ping(addr.wan, 'pass')).code).toBe(0);
    const s = await api<{ id: string }>('POST', '/applies', { policies: ['deaf'], confirmWindow: 120 });
    const v = await until(s.id, ['rolled_back', 'awaiting_confirm'], 20_000);
    expect(v.state).toBe('rolled_back');
    expect(v.reason).toMatch(new RegExp(`^probe failed: ping ${addr.wan.replace(/\./g, '\\.')}: no echo reply`));
    // It never reached the confirm window: the first probe round after loading rolled it back.
    expect(v.journal.filter((j) => j.state === 'awaiting_confirm')).toEqual([]);
    expect((await clients(topo, 'router').ping(addr.wan, 'pass')).code).toBe(0);
  }, 90_000);
});
