// createApp as a whole: /healthz open, /api/docs behind credentials, GET /status, unknown API paths.
import { describe, it, expect } from 'vitest';
import { harness, samplePolicy } from './helpers.js';

describe('createApp', () => {
  it('answers /healthz without credentials and nothing under /api without them', async () => {
    const h = await harness();
    const r = await h.app.request('/healthz');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true });
    expect((await h.app.request('/api/docs')).status).toBe(401);
    expect((await h.app.request('/api/v1/openapi.json')).status).toBe(401);
  });

  it('serves the docs page to the admin (Basic auth, as a browser prompts for it)', async () => {
    const h = await harness();
    const r = await h.app.request('/api/docs', { headers: { authorization: h.basic() } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const page = await r.text();
    expect(page).toContain('/api/v1/openapi.json');
    // Rendered here, so it works on a router without internet: no script, nothing from another origin.
    expect(r.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(page).not.toMatch(/<script|(src|href)="https?:/);
    // Every operation of the OpenAPI document is on the page, with its parameters and schemas.
    const doc = await (await h.app.request('/api/v1/openapi.json', { headers: { authorization: h.basic() } })).json();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(item)) expect(page).toContain(`${m.toUpperCase()}</span> <code>/api/v1${path}</code>`);
    }
    expect(page).toContain('id="schema-Policy"');
    expect(page).toContain('<a href="#schema-Rule">Rule</a>');
    expect(page).toContain('<code>If-Match</code>');
  });

  it('reports status: version, backend, loaded runtimes, policy count, pending changes, applies', async () => {
    const h = await harness({ engine: true });
    await h.call('POST', '/api/v1/policies', { body: { ...samplePolicy(), hook: 'forward' } });
    const before = await (await h.call('GET', '/api/v1/status', { token: h.tokens.read })).json();
    expect(before).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      backend: { kind: 'emulator', profile: 'lunatik-4' },
      loaded: [],
      policies: 1,
      pendingChanges: [{ name: 'block-ads', kind: 'added' }],
      applies: { active: null, last: null },
    });
    const engine = h.deps.engine!;
    const started = await engine.start({ policies: 'all', unchecked: true, startedBy: 'test' });
    await engine.waitFor(started.id, ['confirmed']);
    const after = await (await h.call('GET', '/api/v1/status', { token: h.tokens.read })).json();
    expect(after).toMatchObject({ loaded: ['block-ads'], pendingChanges: [], applies: { active: null, last: { id: started.id, state: 'confirmed' } } });
    await engine.close();
  });

  it('answers unknown API paths with a 404 problem', async () => {
    const h = await harness();
    const r = await h.call('GET', '/api/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    const ok = await h.call('GET', '/api/v1/policies');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
