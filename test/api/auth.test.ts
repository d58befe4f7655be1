// API authentication: 401 without or with bad credentials, 403 per missing scope, admin-only token management.
import { describe, it, expect } from 'vitest';
import { harness, samplePolicy } from './helpers.js';
import { setAdminPassword } from '../../server/auth/password.js';

type Tok = 'read' | 'write' | 'apply' | 'all' | 'readwrite';

/** Every endpoint of this area with the scope it needs. */
const endpoints: { method: string; path: string; scope: 'read' | 'write' | 'any'; body?: unknown }[] = [
  { method: 'GET', path: '/api/v1/status', scope: 'read' },
  { method: 'GET', path: '/api/v1/openapi.json', scope: 'any' },
  { method: 'GET', path: '/api/v1/policies', scope: 'read' },
  { method: 'GET', path: '/api/v1/policies/p1', scope: 'read' },
  { method: 'GET', path: '/api/v1/policies/p1/revisions', scope: 'read' },
  { method: 'GET', path: '/api/v1/policies/p1/revisions/1', scope: 'read' },
  { method: 'GET', path: '/api/v1/policies/p1/diff?from=1&to=1', scope: 'read' },
  { method: 'GET', path: '/api/v1/policies/p1/script', scope: 'read' },
  { method: 'POST', path: '/api/v1/policies/p1/simulate', scope: 'read', body: { packets: [{ src: '10.0.0.1', dst: '10.0.0.2', dstPort: 80 }] } },
  { method: 'POST', path: '/api/v1/policies', scope: 'write', body: samplePolicy('p2') },
  { method: 'PUT', path: '/api/v1/policies/p1', scope: 'write', body: samplePolicy('p1') },
  { method: 'PATCH', path: '/api/v1/policies/p1', scope: 'write', body: { title: 'x' } },
  { method: 'PUT', path: '/api/v1/policies', scope: 'write', body: { policies: [samplePolicy('p1')] } },
  { method: 'DELETE', path: '/api/v1/policies/p1', scope: 'write' },
];

describe('API auth', () => {
  it('answers 401 with a challenge without credentials or with bad ones', async () => {
    const h = await harness();
    for (const [i, e] of endpoints.entries()) {
      // One wrong password per endpoint would trip the failed-login limiter (tested below).
      const wrongPassword = i === 0 ? [{ authorization: h.basic('admin', 'wrong-password-1') }] : [];
      for (const headers of [{}, { authorization: 'Bearer lw_nope' }, { authorization: 'Token abc' }, ...wrongPassword]) {
        const r = await h.call(e.method, e.path, { token: null, body: e.body, headers });
        expect(r.status, `${e.method} ${e.path} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.headers.get('www-authenticate')).toMatch(/Bearer/);
      }
    }
  });

  it('answers 403 when the token lacks the scope and lets it through when it has it', async () => {
    const h = await harness();
    for (const e of endpoints) {
      for (const tok of ['read', 'write', 'apply', 'readwrite'] as Tok[]) {
        await h.call('PUT', '/api/v1/policies', { token: h.tokens.all, body: { policies: [samplePolicy('p1')] } });
        const r = await h.call(e.method, e.path, { token: h.tokens[tok], body: e.body, ...(e.method === 'PATCH' ? { headers: { 'content-type': 'application/merge-patch+json' } } : {}) });
        const allowed = e.scope === 'any' || tok === e.scope || tok === 'readwrite';
        if (allowed) expect(r.status, `${tok} ${e.method} ${e.path}`).toBeLessThan(300);
        else {
          expect(r.status, `${tok} ${e.method} ${e.path}`).toBe(403);
          expect((await r.json()).code).toBe('auth.scope-missing');
        }
      }
    }
  });

  it('accepts the admin password as Basic auth and rate-limits failed attempts', async () => {
    const h = await harness();
    expect((await h.call('GET', '/api/v1/policies', { token: null, headers: { authorization: h.basic() } })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await h.call('GET', '/api/v1/policies', { token: null, headers: { authorization: h.basic('admin', `bad-${i}`) } })).status).toBe(401);
    }
    const limited = await h.call('GET', '/api/v1/policies', { token: null, headers: { authorization: h.basic() } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await h.call('GET', '/api/v1/policies')).status).toBe(200);
  });

  it('counts parallel Basic guesses before checking them, so they cannot all slip past the limit', async () => {
    const h = await harness();
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => h.call('GET', '/api/v1/policies', { token: null, headers: { authorization: h.basic('admin', `bad-${i}`) } })));
    const statuses = rs.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("refuses another site's form post carrying the browser's cached Basic credentials (CSRF), and nothing changes", async () => {
    const h = await harness();
    await h.call('PUT', '/api/v1/policies/p1', { body: samplePolicy('p1') });
    await h.call('PATCH', '/api/v1/policies/p1', { body: { title: 'second' }, headers: { 'content-type': 'application/merge-patch+json' } });
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: h.basic() };
    const restore = '/api/v1/policies/p1/revisions/1/restore';
    const browsers: Record<string, string>[] = [{ origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, { origin: 'http://evil.example' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }];
    for (const browser of browsers) {
      const r = await h.call('POST', restore, { token: null, raw: '', headers: { ...form, ...browser } });
      expect(r.status, JSON.stringify(browser)).toBe(403);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect((await r.json()).code).toBe('auth.cross-site');
    }
    expect((await (await h.call('GET', '/api/v1/policies/p1')).json()).title).toBe('second');
    // The docs page's own requests, and clients that are not browsers, still work.
    expect((await h.call('POST', restore, { token: null, raw: '', headers: { ...form, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await h.call('POST', restore, { token: null, raw: '', headers: { authorization: h.basic() } })).status).toBe(200);
    // A bearer token is never sent by the browser on its own, so it is not a CSRF vector.
    expect((await h.call('POST', restore, { raw: '', headers: { 'content-type': 'text/plain', origin: 'http://evil.example' } })).status).toBe(200);
  });

  it('stops accepting the old password as soon as it changes, though successes are remembered', async () => {
    const h = await harness();
    const old = { token: null, headers: { authorization: h.basic() } };
    expect((await h.call('GET', '/api/v1/policies', old)).status).toBe(200);
    expect((await h.call('GET', '/api/v1/policies', old)).status).toBe(200);
    await setAdminPassword(h.db, 'a-new-password', Date.now());
    expect((await h.call('GET', '/api/v1/policies', old)).status).toBe(401);
    expect((await h.call('GET', '/api/v1/policies', { token: null, headers: { authorization: h.basic('admin', 'a-new-password') } })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/policies', { token: null, headers: { authorization: h.basic('root', 'a-new-password') } })).status).toBe(401);
  });

  it('lets only the admin manage tokens; a created token works at once and stops working when revoked', async () => {
    const h = await harness();
    expect((await h.call('GET', '/api/v1/tokens')).status).toBe(403);
    expect((await h.call('POST', '/api/v1/tokens', { body: { name: 'x', scopes: ['read'] } })).status).toBe(403);
    const admin = { token: null, headers: { authorization: h.basic() } };
    const created = await h.call('POST', '/api/v1/tokens', { ...admin, body: { name: 'isp', scopes: ['read', 'write'] } });
    expect(created.status).toBe(201);
    const { token, scopes } = await created.json();
    expect(scopes).toEqual(['read', 'write']);
    expect((await h.call('POST', '/api/v1/tokens', { ...admin, body: { name: 'isp', scopes: ['read'] } })).status).toBe(409);
    expect((await h.call('POST', '/api/v1/tokens', { ...admin, body: { name: 'x', scopes: ['root'] } })).status).toBe(422);
    expect((await h.call('GET', '/api/v1/policies', { token })).status).toBe(200);
    const list = await (await h.call('GET', '/api/v1/tokens', admin)).json();
    expect(list.tokens.map((t: { name: string }) => t.name)).toContain('isp');
    expect(JSON.stringify(list)).not.toContain(token);
    expect((await h.call('DELETE', '/api/v1/tokens/isp', admin)).status).toBe(204);
    expect((await h.call('DELETE', '/api/v1/tokens/isp', admin)).status).toBe(404);
    expect((await h.call('GET', '/api/v1/policies', { token })).status).toBe(401);
  });
});
