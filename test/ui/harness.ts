// Test kit for the UI: the whole app on an in-memory database with the emulator backend, and a logged-in client.
import { Hono } from 'hono';
import { openDb, type Db } from '../../server/db/index.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { setAdminPassword } from '../../server/auth/password.js';
import { EmulatorBackend } from '../../server/kernel/emulator.js';
import { createApplyEngine, applyDefaults, type ApplyEngine } from '../../server/apply/index.js';
import { savePolicy } from '../../server/db/policies.js';
import { checkPolicy } from '../../server/policy/check.js';
import type { PolicyInput } from '../../server/policy/schema.js';
import type { AppDeps } from '../../server/deps.js';

export const PASSWORD = 'correct horse battery';
export const ORIGIN = 'http://localhost';

export interface Client {
  /** GET or POST with the session cookie; `form` fields are url-encoded and get the CSRF token unless `csrf: false`. */
  get(path: string, o?: { htmx?: boolean }): Promise<Response>;
  post(path: string, form?: Record<string, string | string[]>, o?: { htmx?: boolean; csrf?: boolean | string; origin?: string | null }): Promise<Response>;
  csrf: string;
  cookie: string;
}

export interface UiKit {
  db: Db;
  app: Hono;
  deps: AppDeps;
  engine: ApplyEngine;
  clock: { now(): number; advance(ms: number): void };
  login(): Promise<Client>;
  save(p: PolicyInput): number;
  close(): Promise<void>;
}

export const samplePolicy = (name = 'block-ads'): PolicyInput => ({
  name,
  title: 'Block ad domains',
  target: 'netfilter',
  hook: 'forward',
  sets: { ads: { type: 'domain', elements: ['doubleclick.net', 'ads.example.com'] } },
  rules: [
    { id: 'r1', match: { proto: 'tcp', dstPorts: [22] }, action: 'drop' },
    { id: 'r2', match: { domains: '@ads' }, action: 'drop' },
  ],
});

export const csrfOf = (html: string) => /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export function encode(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

export async function uiKit(opts: { confirmWindow?: number; env?: Record<string, string> } = {}): Promise<UiKit> {
  const db = openDb(':memory:');
  let offset = 0;
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
  await setAdminPassword(db, PASSWORD, clock.now());
  const backend = new EmulatorBackend();
  const config = loadConfig(opts.env ?? {});
  const engine = createApplyEngine({
    db,
    backend,
    clock,
    config: { ...applyDefaults, confirmWindow: opts.confirmWindow ?? 90, probes: [{ kind: 'health', timeoutMs: 2000 }], rollbackRetryDelayMs: 0 },
    ifindexes: async () => ({}),
    log: () => undefined,
  });
  const deps: AppDeps = { db, backend, config, clock, engine };
  const app = createApp(deps) as unknown as Hono;

  async function login(): Promise<Client> {
    const page = await app.request('/login');
    const loginCookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0]!;
    const token = csrfOf(await page.text());
    const res = await app.request('/login', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
      body: encode({ _csrf: token, username: 'admin', password: PASSWORD }),
    });
    if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lunawall_session='))!.split(';')[0]!;
    const status = await app.request('/status', { headers: { cookie } });
    const csrf = csrfOf(await status.text());
    const client: Client = {
      csrf,
      cookie,
      get: async (path, o = {}) => app.request(path, { headers: { cookie, ...(o.htmx ? { 'hx-request': 'true' } : {}) } }),
      post: async (path, form = {}, o = {}) => {
        const body = { ...form };
        if (o.csrf !== false) body._csrf = typeof o.csrf === 'string' ? o.csrf : csrf;
        const headers: Record<string, string> = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
        if (o.origin !== null) headers.origin = o.origin ?? ORIGIN;
        if (o.htmx) headers['hx-request'] = 'true';
        return app.request(path, { method: 'POST', headers, body: encode(body) });
      },
    };
    return client;
  }

  return {
    db,
    app,
    deps,
    engine,
    clock,
    login,
    save(p) {
      const checked = checkPolicy(p);
      if (!checked.policy) throw new Error(`fixture does not check: ${JSON.stringify(checked.diagnostics)}`);
      return savePolicy(db, checked.policy, { author: 'test', now: clock.now(), mode: 'upsert' }).stored.revision;
    },
    async close() {
      await engine.close();
      await backend.close?.();
      db.$client.close();
    },
  };
}

/** The `_pending` fingerprint the Changes page puts in its Save & Apply and Reset forms. */
export async function pendingOf(c: Client): Promise<string> {
  const html = await (await c.get('/changes')).text();
  const m = /name="_pending" value="([0-9a-f]+)"/.exec(html);
  if (!m) throw new Error('no _pending field on /changes');
  return m[1]!;
}
