// The declarative PUT /policies: what it answers, idempotency, dry run, If-Match on the collection, atomicity.
import { describe, it, expect } from 'vitest';
import { harness, samplePolicy } from './helpers.js';

describe('PUT /policies (declarative)', () => {
  it('creates, changes and deletes to match the body, and the same body again changes nothing', async () => {
    const h = await harness();
    await h.call('POST', '/api/v1/policies', { body: samplePolicy('old') });
    await h.call('POST', '/api/v1/policies', { body: samplePolicy('keep') });
    const desired = { policies: [{ ...samplePolicy('keep'), title: 'new title' }, samplePolicy('fresh')] };

    const dry = await h.call('PUT', '/api/v1/policies?dryRun=true', { body: desired });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ created: ['fresh'], changed: ['keep'], deleted: ['old'], unchanged: [], dryRun: true });
    const before = await (await h.call('GET', '/api/v1/policies?view=summary')).json();
    expect(before.items.map((i: { name: string }) => i.name)).toEqual(['old', 'keep']);

    const first = await h.call('PUT', '/api/v1/policies', { body: desired });
    expect(await first.json()).toMatchObject({ created: ['fresh'], changed: ['keep'], deleted: ['old'], dryRun: false });
    const second = await h.call('PUT', '/api/v1/policies', { body: desired });
    const s = await second.json();
    expect(s).toMatchObject({ created: [], changed: [], deleted: [], unchanged: ['keep', 'fresh'], reordered: false });
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    const revs = await (await h.call('GET', '/api/v1/policies/keep/revisions')).json();
    expect(revs.revisions).toHaveLength(2);

    const all = await h.call('GET', '/api/v1/policies');
    expect(all.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await all.json()).toEqual(desired);
  });

  it('honours If-Match with the collection ETag (412 when the set changed)', async () => {
    const h = await harness();
    const etag = (await h.call('GET', '/api/v1/policies')).headers.get('etag')!;
    await h.call('POST', '/api/v1/policies', { body: samplePolicy('sneaky') });
    const r = await h.call('PUT', '/api/v1/policies', { body: { policies: [] }, headers: { 'if-match': etag } });
    expect(r.status).toBe(412);
    expect((await h.call('GET', '/api/v1/policies/sneaky')).status).toBe(200);
    const fresh = (await h.call('GET', '/api/v1/policies')).headers.get('etag')!;
    expect((await h.call('PUT', '/api/v1/policies', { body: { policies: [] }, headers: { 'if-match': fresh } })).status).toBe(200);
  });

  it('is all or nothing: one invalid policy stops the whole set, each problem named by index', async () => {
    const h = await harness();
    const body = { policies: [samplePolicy('good'), { ...samplePolicy('bad'), rules: [{ id: 'r1', match: { dstPorts: [0] }, action: 'drop' }] }, samplePolicy('good')] };
    const r = await h.call('PUT', '/api/v1/policies', { body });
    expect(r.status).toBe(422);
    const p = await r.json();
    const where = p.diagnostics.map((d: { code: string; path: (string | number)[] }) => `${d.code}@${d.path.join('.')}`);
    expect(where).toContain('port.out-of-range@policies.1.rules.0.match.dstPorts.0');
    expect(where).toContain('policies.duplicate-name@policies.2.name');
    expect(await (await h.call('GET', '/api/v1/policies')).json()).toEqual({ policies: [] });
  });

  it('reports schema problems inside the list by index', async () => {
    const h = await harness();
    const r = await h.call('PUT', '/api/v1/policies', { body: { policies: [samplePolicy('ok'), { name: 'x', rules: 'none' }] } });
    expect(r.status).toBe(422);
    const p = await r.json();
    expect(p.diagnostics.some((d: { path: (string | number)[] }) => d.path.slice(0, 3).join('.') === 'policies.1.rules')).toBe(true);
    const r2 = await h.call('PUT', '/api/v1/policies', { body: [samplePolicy('ok')] });
    expect(r2.status).toBe(422);
  });
});
