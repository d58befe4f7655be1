// Server-side render time of the policy list (100 policies) and the editor (a 200-rule policy), each against a static page of the same size.
import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import { openDb } from '../server/db/index.js';
import { createApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { setAdminPassword } from '../server/auth/password.js';
import { EmulatorBackend } from '../server/kernel/emulator.js';
import { createApplyEngine, applyDefaults } from '../server/apply/index.js';
import { savePolicy } from '../server/db/policies.js';
import { checkPolicy } from '../server/policy/check.js';
import { systemClock } from '../server/clock.js';
import type { PolicyInput } from '../server/policy/schema.js';

const PASSWORD = 'bench password 1';
const WARMUP = 50;
const SAMPLES = 400;

function save(db: ReturnType<typeof openDb>, p: PolicyInput) {
  const r = checkPolicy(p);
  if (!r.policy) throw new Error(JSON.stringify(r.diagnostics.slice(0, 3)));
  savePolicy(db, r.policy, { author: 'bench', now: Date.now(), mode: 'create' });
}

const policyWith = (name: string, rules: number): PolicyInput => ({
  name,
  title: `Policy ${name}`,
  hook: 'forward',
  sets: { ads: { type: 'domain', elements: ['doubleclick.net', 'ads.example.com'] }, web: { type: 'port', elements: [80, 443, '8000-8100'] } },
  rules: Array.from({ length: rules }, (_, i) => ({
    id: `r${i + 1}`,
    comment: `rule ${i + 1}`,
    match: { proto: 'tcp' as const, src: [`10.${i >> 8}.${i & 255}.0/24`], dstPorts: i % 2 ? '@web' : [22 + i], ...(i % 3 === 0 ? { domains: '@ads' } : {}) },
    action: i % 2 ? ('accept' as const) : ('drop' as const),
  })),
});

async function p50(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const db = openDb(':memory:');
await setAdminPassword(db, PASSWORD, Date.now());
for (let i = 0; i < 100; i++) save(db, policyWith(`p${String(i).padStart(3, '0')}`, 3 + (i % 5)));
save(db, policyWith('big', 200));
const backend = new EmulatorBackend();
const engine = createApplyEngine({ db, backend, clock: systemClock, config: applyDefaults, ifindexes: async () => ({}), log: () => undefined });
const app = createApp({ db, backend, config: loadConfig({}), clock: systemClock, engine });

// Log in like a browser: the login form's CSRF cookie, then the session cookie.
const form = await app.request('/login');
const loginCookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
const login = await app.request('/login', {
  method: 'POST',
  headers: { origin: 'http://localhost', cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ _csrf: csrf, password: PASSWORD }).toString(),
});
const cookie = login.headers.getSetCookie().find((c) => c.startsWith('lunawall_session='))!.split(';')[0]!;

async function measure(path: string): Promise<{ ms: number; staticMs: number; bytes: number }> {
  const first = await app.request(path, { headers: { cookie } });
  if (first.status !== 200) throw new Error(`${path}: ${first.status}`);
  const html = await first.text();
  // The baseline: the same bytes from memory through a bare Hono route and the same request path.
  const bare = new Hono().get('*', (c) => c.html(html));
  const ms = await p50(async () => (await app.request(path, { headers: { cookie } })).text());
  const staticMs = await p50(async () => (await bare.request(path)).text());
  return { ms, staticMs, bytes: html.length };
}

const list = await measure('/policies');
const editor = await measure('/policies/big/edit');
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `ui render p50: policy list (100 policies, ${kib(list.bytes)}) ${list.ms.toFixed(2)} ms = ${(list.ms / list.staticMs).toFixed(1)}x static page of same size (${list.staticMs.toFixed(3)} ms); ` +
    `editor (200 rules, ${kib(editor.bytes)}) ${editor.ms.toFixed(2)} ms = ${(editor.ms / editor.staticMs).toFixed(1)}x static (${editor.staticMs.toFixed(3)} ms); target p50 < 10 ms`,
);
await engine.close();
await backend.close();
db.$client.close();
