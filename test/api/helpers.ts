// Test harness for the API: an app on an in-memory database, tokens per scope set, request helpers.
import { openDb, type Db } from '../../server/db/index.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createToken, type Scope } from '../../server/auth/tokens.js';
import { setAdminPassword } from '../../server/auth/password.js';
import { EmulatorBackend } from '../../server/kernel/emulator.js';
import { applyConfigOf, createApplyEngine } from '../../server/apply/index.js';
import type { AppDeps } from '../../server/deps.js';

export const ADMIN_PASSWORD = 'correct horse battery';

export interface Harness {
  db: Db;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  tokens: Record<'read' | 'write' | 'apply' | 'all' | 'readwrite', string>;
  /** app.request with a bearer token and JSON body. */
  call(method: string, path: string, opts?: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Response>;
  basic(user?: string, password?: string): string;
}

export async function harness(opts: { adminPassword?: boolean; db?: Db; engine?: boolean } = {}): Promise<Harness> {
  const db = opts.db ?? openDb(':memory:');
  let t = 1_700_000_000_000;
  const clock = { now: () => (t += 1000) };
  const backend = new EmulatorBackend();
  const config = loadConfig({});
  const deps: AppDeps = { db, backend, config, clock };
  if (opts.engine) deps.engine = createApplyEngine({ db, backend, config: applyConfigOf(config) });
  const app = createApp(deps);
  // A suffix per harness, so a second harness on the same database file gets its own tokens.
  const suffix = Math.random().toString(36).slice(2, 8);
  const mk = (name: string, scopes: Scope[]) => createToken(db, `${name}-${suffix}`, scopes, clock.now()).token;
  const tokens = {
    read: mk('t-read', ['read']),
    write: mk('t-write', ['write']),
    apply: mk('t-apply', ['apply']),
    all: mk('t-all', ['read', 'write', 'apply']),
    readwrite: mk('t-rw', ['read', 'write']),
  };
  if (opts.adminPassword !== false) await setAdminPassword(db, ADMIN_PASSWORD, clock.now());
  const call: Harness['call'] = (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const token = o.token === undefined ? tokens.all : o.token;
    if (token !== null && !('authorization' in headers)) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
    return Promise.resolve(app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) }));
  };
  const basic = (user = 'admin', password = ADMIN_PASSWORD) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return { db, deps, app, tokens, call, basic };
}

export const samplePolicy = (name = 'block-ads') => ({
  name,
  title: 'Block ad domains',
  description: '',
  enabled: true,
  target: 'netfilter',
  hook: 'forward',
  interfaces: ['br-lan'],
  family: 'inet',
  priority: 0,
  defaultAction: 'accept',
  sets: {
    ads: { type: 'domain', elements: ['doubleclick.net'] },
    lan: { type: 'cidr', elements: ['192.168.1.0/24', 'fd00::/8'] },
    web: { type: 'port', elements: [80, 443, '8000-8100'] },
  },
  rules: [
    { id: 'r1', comment: '', enabled: true, match: { proto: 'tcp', src: '@lan', dstPorts: '@web', domains: '@ads' }, action: 'drop' },
  ],
  tests: [],
});
