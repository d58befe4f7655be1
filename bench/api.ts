// Bench: 1,000 policies through the declarative PUT, and GET /policies latency vs a bare in-memory Hono route.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { closeDb, openDb } from '../server/db/index.js';
import { createToken } from '../server/auth/tokens.js';
import { EmulatorBackend } from '../server/kernel/emulator.js';
import { systemClock } from '../server/clock.js';

const POLICIES = 1000;
const GETS = 200;

/** Small but realistic: sets of each type, five rules, a test. */
function policy(i: number) {
  return {
    name: `p${i}`,
    title: `Policy ${i}`,
    hook: 'forward' as const,
    interfaces: ['br-lan'],
    sets: {
      lan: { type: 'cidr' as const, elements: ['192.168.1.0/24', 'fd00::/8'] },
      web: { type: 'port' as const, elements: [80, 443, '8000-8100'] },
      ads: { type: 'domain' as const, elements: [`ads${i}.example.com`, 'doubleclick.net', 'tracker.example.org'] },
    },
    rules: [
      { id: 'ads', match: { proto: 'tcp' as const, src: '@lan', dstPorts: '@web', domains: '@ads' }, action: 'drop' as const },
      { id: 'ssh', match: { proto: 'tcp' as const, dstPorts: [22], tcpFlags: 'syn,!ack' }, action: 'log' as const },
      { id: 'dns', match: { proto: 'udp' as const, dstPorts: [53] }, action: 'accept' as const },
      { id: 'ping', match: { proto: 'icmp' as const, icmpType: 8 }, action: 'accept' as const },
      { id: 'block', match: { dst: [`10.${i % 256}.0.0/16`] }, action: 'drop' as const },
    ],
    tests: [{ name: 'web', packet: { src: '192.168.1.2', dst: '203.0.113.5', proto: 'tcp' as const, dstPort: 443 }, expect: 'accept' as const }],
  };
}

async function listen(fetch: (r: Request) => Response | Promise<Response>): Promise<{ server: ServerType; url: string }> {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((res) => server.once('listening', () => res()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function latencies(url: string, headers: Record<string, string>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
    out.push(performance.now() - t);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'lunawall-bench-'));
const db = openDb(join(dir, 'lunawall.db'));
const { token } = createToken(db, 'bench', ['read', 'write'], Date.now());
const auth = { authorization: `Bearer ${token}` };
const app = createApp({ db, backend: new EmulatorBackend(), config: loadConfig({ LUNAWALL_DATA_DIR: dir }), clock: systemClock });
const ours = await listen(app.fetch);

const body = JSON.stringify({ policies: Array.from({ length: POLICIES }, (_, i) => policy(i)) });
const t0 = performance.now();
const put = await fetch(`${ours.url}/api/v1/policies`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body });
const putMs = performance.now() - t0;
const putResult = (await put.json()) as { created: string[] };
if (put.status !== 200 || putResult.created.length !== POLICIES) throw new Error(`bulk PUT failed: ${put.status}`);

// The baseline serves the very same document from memory through a bare Hono route.
const doc: unknown = await (await fetch(`${ours.url}/api/v1/policies`, { headers: auth })).json();
const bare = new Hono().get('/policies', (c) => c.json(doc));
const base = await listen(bare.fetch);

await latencies(`${ours.url}/api/v1/policies`, auth, 20);
await latencies(`${base.url}/policies`, {}, 20);
const ourMs: number[] = [];
const baseMs: number[] = [];
for (let round = 0; round < 4; round++) {
  ourMs.push(...(await latencies(`${ours.url}/api/v1/policies`, auth, GETS / 4)));
  baseMs.push(...(await latencies(`${base.url}/policies`, {}, GETS / 4)));
}

ours.server.close();
base.server.close();
closeDb(db);
rmSync(dir, { recursive: true, force: true });

const f = (x: number) => x.toFixed(1);
console.log(
  `api: declarative PUT of ${POLICIES} policies ${(putMs / 1000).toFixed(2)} s = ${Math.round(POLICIES / (putMs / 1000))} policies/s (target < 2 s); ` +
    `GET /policies with ${POLICIES} stored p50 ${f(pct(ourMs, 50))} ms p99 ${f(pct(ourMs, 99))} ms vs in-memory Hono baseline p50 ${f(pct(baseMs, 50))} ms p99 ${f(pct(baseMs, 99))} ms = ` +
    `${(pct(ourMs, 50) / pct(baseMs, 50)).toFixed(2)}× p50, ${(pct(ourMs, 99) / pct(baseMs, 99)).toFixed(2)}× p99 (target ≤ 3×)`,
);
