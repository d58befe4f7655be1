// Policy endpoints: CRUD, ETag/If-Match, declarative PUT, revisions and diffs, problem+json errors.
import { describe, it, expect } from 'vitest';
import { harness, samplePolicy } from './helpers.js';

describe('policies API', () => {
  it('creates, reads, replaces, patches and deletes a policy with ETags', async () => {
    const h = await harness();
    const created = await h.call('POST', '/api/v1/policies', { body: samplePolicy() });
    expect(created.status).toBe(201);
    const etag1 = created.headers.get('etag')!;
    expect(created.headers.get('location')).toBe('/api/v1/policies/block-ads');
    expect(await created.json()).toMatchObject({ name: 'block-ads', revision: 1, created: true, changed: true });

    const got = await h.call('GET', '/api/v1/policies/block-ads');
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(etag1);
    expect(await got.json()).toEqual(samplePolicy());
    expect((await h.call('GET', '/api/v1/policies/block-ads', { headers: { 'if-none-match': etag1 } })).status).toBe(304);

    const replaced = await h.call('PUT', '/api/v1/policies/block-ads', { body: { ...samplePolicy(), title: 'v2' }, headers: { 'if-match': etag1 } });
    expect(replaced.status).toBe(200);
    const etag2 = replaced.headers.get('etag')!;
    expect(etag2).not.toBe(etag1);

    const stale = await h.call('PUT', '/api/v1/policies/block-ads', { body: { ...samplePolicy(), title: 'v3' }, headers: { 'if-match': etag1 } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe('application/problem+json');

    const patched = await h.call('PATCH', '/api/v1/policies/block-ads', { body: { title: 'patched', rules: [] }, headers: { 'content-type': 'application/merge-patch+json', 'if-match': etag2 } });
    expect(patched.status).toBe(200);
    const pj = await patched.json();
    expect(pj.policy.title).toBe('patched');
    expect(pj.policy.rules).toEqual([]);
    expect(pj.revision).toBe(3);

    expect((await h.call('DELETE', '/api/v1/policies/block-ads', { headers: { 'if-match': etag2 } })).status).toBe(412);
    expect((await h.call('DELETE', '/api/v1/policies/block-ads')).status).toBe(204);
    expect((await h.call('GET', '/api/v1/policies/block-ads')).status).toBe(404);
    const revs = await (await h.call('GET', '/api/v1/policies/block-ads/revisions')).json();
    expect(revs.revisions.map((r: { n: number; kind: string }) => [r.n, r.kind])).toEqual([[1, 'save'], [2, 'save'], [3, 'save'], [4, 'delete']]);
    const diff = await (await h.call('GET', '/api/v1/policies/block-ads/diff?from=1&to=3')).json();
    expect(diff.lines).toContain('~ title: "Block ad domains" → "patched"');
    const r1 = await (await h.call('GET', '/api/v1/policies/block-ads/revisions/1')).json();
    expect(r1.policy).toEqual(samplePolicy());
    expect(r1.author).toMatch(/^token:t-all-/);
  });

  it('lets exactly one of two concurrent writers with the same If-Match win', async () => {
    const h = await harness();
    const etag = (await h.call('POST', '/api/v1/policies', { body: samplePolicy() })).headers.get('etag')!;
    const results = await Promise.all(
      ['first', 'second', 'third'].map((title) => h.call('PUT', '/api/v1/policies/block-ads', { body: { ...samplePolicy(), title }, headers: { 'if-match': etag } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
    const revs = await (await h.call('GET', '/api/v1/policies/block-ads/revisions')).json();
    expect(revs.revisions).toHaveLength(2);
  });

  it('creates only with If-None-Match: * when the name is free', async () => {
    const h = await harness();
    expect((await h.call('PUT', '/api/v1/policies/block-ads', { body: samplePolicy(), headers: { 'if-none-match': '*' } })).status).toBe(201);
    const again = await h.call('PUT', '/api/v1/policies/block-ads', { body: { ...samplePolicy(), title: 'x' }, headers: { 'if-none-match': '*' } });
    expect(again.status).toBe(412);
    expect((await h.call('POST', '/api/v1/policies', { body: samplePolicy() })).status).toBe(409);
  });

  it('restores an old revision as a new one, also for a deleted policy', async () => {
    const h = await harness();
    await h.call('POST', '/api/v1/policies', { body: samplePolicy() });
    await h.call('PATCH', '/api/v1/policies/block-ads', { body: { title: 'second' } });
    const r = await h.call('POST', '/api/v1/policies/block-ads/revisions/1/restore');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ revision: 3, changed: true, policy: { title: 'Block ad domains' } });
    expect((await h.call('DELETE', '/api/v1/policies/block-ads')).status).toBe(204);
    const back = await h.call('POST', '/api/v1/policies/block-ads/revisions/2/restore', { headers: {} });
    expect(back.status).toBe(201);
    expect((await back.json()).policy.title).toBe('second');
    const revs = await (await h.call('GET', '/api/v1/policies/block-ads/revisions')).json();
    expect(revs.revisions.map((x: { kind: string; message: string }) => `${x.kind}:${x.message}`)).toEqual(['save:', 'save:', 'save:restored revision 1', 'delete:', 'save:restored revision 2']);
    expect((await h.call('POST', '/api/v1/policies/block-ads/revisions/9/restore')).status).toBe(404);
    expect((await h.call('POST', '/api/v1/policies/block-ads/revisions/1/restore', { token: h.tokens.read })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/policies/block-ads/revisions/1/restore', { headers: { 'if-match': '"1-x"' } })).status).toBe(412);
  });
});
