// The apply routes: scopes, 202/409/403/404/422, confirm by token without credentials, rollback, listing and SSE progress.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createToken } from '../../server/auth/tokens.js';
import { makeKit, openPolicy, type Kit } from './helpers.js';

let kit: Kit;
let app: ReturnType<typeof createApp>;
const tokens: Record<string, string> = {};

beforeEach(() => {
  kit = makeKit();
  kit.save(openPolicy('web'));
  app = createApp({ db: kit.db, backend: kit.backend, config: loadConfig({}), clock: kit.clock, engine: kit.engine });
  tokens.apply = createToken(kit.db, 'isp', ['read', 'write', 'apply'], kit.clock.now()).token;
  tokens.read = createToken(kit.db, 'viewer', ['read'], kit.clock.now()).token;
});
afterEach(async () => kit.close());

const call = (method: string, path: string, opts: { token?: string; body?: unknown } = {}) =>
  app.request(`/api/v1${path}`, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });

async function started(body: unknown = { policies: ['web'] }) {
  const res = await call('POST', '/applies', { token: tokens.apply, body });
  expect(res.status).toBe(202);
  const s = (await res.json()) as { id: string; token: string; deadline: number; state: string };
  await kit.engine.waitFor(s.id, ['awaiting_confirm']);
  return s;
}

describe('POST /api/v1/applies', () => {
  it('answers 202 with id, token and deadline; a second apply gets 409 naming the running one', async () => {
    const s = await started();
    expect(s).toMatchObject({ state: 'pending', deadline: kit.clock.now() + 90_000 });
    const again = await call('POST', '/applies', { token: tokens.apply, body: { policies: 'all' } });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    expect(await again.json()).toMatchObject({ code: 'apply.conflict', activeId: s.id });
  });

  it('needs credentials and the apply scope', async () => {
    expect((await call('POST', '/applies', { body: { policies: 'all' } })).status).toBe(401);
    const res = await call('POST', '/applies', { token: tokens.read, body: { policies: 'all' } });
    expect(res.status).toBe(403);
    expect(kit.engine.list()).toEqual([]);
  });

  it('rejects bad bodies with the field path, and changes nothing', async () => {
    for (const [body, path] of [
      [{ policies: 'some' }, ['policies']],
      [{ policies: 'all', confirmWindow: 3601 }, ['confirmWindow']],
      [{ policies: 'all', confirmWindow: 1.5 }, ['confirmWindow']],
      [{ policies: 'all', extra: 1 }, ['extra']],
      [{ policies: ['Bad Name'] }, ['policies', 0]],
    ] as const) {
      const res = await call('POST', '/applies', { token: tokens.apply, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      const p = (await res.json()) as { diagnostics: { path: unknown[] }[] };
      expect(p.diagnostics.map((d) => d.path)).toContainEqual(path);
    }
    const unknown = await call('POST', '/applies', { token: tokens.apply, body: { policies: ['nope'] } });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'apply.request-invalid', diagnostics: [{ path: ['policies', 0] }] });
    expect(kit.engine.list()).toEqual([]);
  });

  it('unchecked: true is confirmed without a window', async () => {
    const res = await call('POST', '/applies', { token: tokens.apply, body: { policies: 'all', unchecked: true } });
    const s = (await res.json()) as { id: string; deadline: null };
    expect(s.deadline).toBeNull();
    expect((await kit.engine.waitFor(s.id, ['confirmed'])).state).toBe('confirmed');
  });
});

describe('POST /api/v1/applies/{id}/confirm', () => {
  it('confirms with the token alone, no credentials; a wrong token is 404 like an unknown id; a finished apply is 409 with its state', async () => {
    const s = await started();
    const wrong = await call('POST', `/applies/${s.id}/confirm`, { body: { token: 'x'.repeat(32) } });
    expect(wrong.status).toBe(404);
    const ok = await call('POST', `/applies/${s.id}/confirm`, { body: { token: s.token } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: s.id, state: 'confirmed' });
    const twice = await call('POST', `/applies/${s.id}/confirm`, { body: { token: s.token } });
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ state: 'confirmed' });
    expect((await call('POST', '/applies/nope/confirm', { body: { token: s.token } })).status).toBe(404);
    expect((await call('POST', `/applies/${s.id}/confirm`, { body: {} })).status).toBe(422);
  });
});

describe('OpenAPI document', () => {
  it('documents every apply route, the confirm route without credentials', async () => {
    const doc = (await (await call('GET', '/openapi.json', { token: tokens.read })).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    for (const p of ['/applies', '/applies/current', '/applies/{id}', '/applies/{id}/confirm', '/applies/{id}/rollback', '/applies/{id}/events']) expect(Object.keys(doc.paths)).toContain(p);
    expect(doc.paths['/applies/{id}/confirm']!.post!.security).toEqual([]);
  });
});

describe('rollback, reading and events', () => {
  it('rolls back with the apply scope and reports who did it', async () => {
    const s = await started();
    expect((await call('POST', `/applies/${s.id}/rollback`, { token: tokens.read })).status).toBe(403);
    const res = await call('POST', `/applies/${s.id}/rollback`, { token: tokens.apply });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'rolled_back', reason: 'rolled back by token:isp' });
    expect((await call('POST', `/applies/${s.id}/rollback`, { token: tokens.apply })).status).toBe(409);
  });

  it('lists applies and shows one with its journal and revisions; never the token', async () => {
    const s = await started();
    const list = (await (await call('GET', '/applies', { token: tokens.read })).json()) as { applies: { id: string }[]; active: string };
    expect(list.active).toBe(s.id);
    expect(list.applies.map((a) => a.id)).toEqual([s.id]);
    const one = await call('GET', `/applies/${s.id}`, { token: tokens.read });
    const text = await one.text();
    expect(text).not.toContain(s.token);
    const v = JSON.parse(text) as { state: string; journal: unknown[]; revisions: { name: string }[]; startedBy: string };
    expect(v).toMatchObject({ state: 'awaiting_confirm', startedBy: 'token:isp', revisions: [{ name: 'web' }] });
    expect(v.journal.length).toBeGreaterThanOrEqual(5);
    expect((await call('GET', '/applies/nope', { token: tokens.read })).status).toBe(404);
    const current = await call('GET', '/applies/current', { token: tokens.read });
    expect(await current.json()).toMatchObject({ id: s.id, state: 'awaiting_confirm' });
    await kit.engine.confirm(s.id, s.token);
    expect((await call('GET', '/applies/current', { token: tokens.read })).status).toBe(404);
  });

  it('streams the journal as server-sent events until the apply ends', async () => {
    const s = await started();
    const res = await call('GET', `/applies/${s.id}/events`, { token: tokens.read });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const chunks: string[] = [];
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(new TextDecoder().decode(value));
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    await call('POST', `/applies/${s.id}/confirm`, { body: { token: s.token } });
    await read;
    const events = chunks.join('').split('\n\n').filter(Boolean).map((e) => /^event: (\w+)/m.exec(e)?.[1]);
    expect(events.slice(0, 5)).toEqual(['journal', 'journal', 'journal', 'journal', 'journal']);
    expect(events.at(-1)).toBe('end');
    expect(chunks.join('')).toContain('"state":"confirmed"');
  });
});
