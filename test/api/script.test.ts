// GET /policies/{name}/script: compiled Lua per profile, for the draft or a past revision.
import { describe, it, expect } from 'vitest';
import { harness, samplePolicy } from './helpers.js';

describe('GET /policies/{name}/script', () => {
  it('returns Lua for each profile, the current draft by default, a revision on request', async () => {
    const h = await harness();
    await h.call('POST', '/api/v1/policies', { body: samplePolicy() });
    await h.call('PATCH', '/api/v1/policies/block-ads', { body: { title: 'Second title' } });
    const r4 = await h.call('GET', '/api/v1/policies/block-ads/script', { token: h.tokens.read });
    expect(r4.status).toBe(200);
    expect(r4.headers.get('content-type')).toMatch(/^text\/x-lua/);
    expect(r4.headers.get('lunawall-profile')).toBe('lunatik-4');
    expect(r4.headers.get('lunawall-revision')).toBe('2');
    const lua4 = await r4.text();
    expect(lua4).toContain('Second title');
    expect(lua4).toMatch(/require\("netfilter"\)/);
    const no36 = await h.call('GET', '/api/v1/policies/block-ads/script?profile=lunatik-3.6&revision=1');
    expect(no36.status).toBe(422);
    expect((await no36.json()).diagnostics[0]).toMatchObject({ code: 'profile.no-ifindex', path: ['interfaces', 0] });
    await h.call('PATCH', '/api/v1/policies/block-ads', { body: { interfaces: null, title: 'Block ad domains' } });
    const r36 = await h.call('GET', '/api/v1/policies/block-ads/script?profile=lunatik-3.6&revision=3');
    expect(r36.status, await r36.clone().text()).toBe(200);
    expect(r36.headers.get('lunawall-revision')).toBe('3');
    const lua36 = await r36.text();
    expect(lua36).toContain('Block ad domains');
    expect(lua36).not.toBe(lua4);
  });

  it('answers 404, 400 and 403 as problems', async () => {
    const h = await harness();
    expect((await h.call('GET', '/api/v1/policies/nope/script')).status).toBe(404);
    await h.call('POST', '/api/v1/policies', { body: samplePolicy() });
    expect((await h.call('GET', '/api/v1/policies/block-ads/script?profile=lunatik-9')).status).toBe(400);
    expect((await h.call('GET', '/api/v1/policies/block-ads/script?revision=7')).status).toBe(404);
    expect((await h.call('GET', '/api/v1/policies/block-ads/script', { token: h.tokens.write })).status).toBe(403);
  });
});
