// The public confirm route must not tell an unknown apply id from a known one with a wrong token.
import { describe, expect, it } from 'vitest';
import { harness } from './helpers.js';

const policy = {
  name: 'web',
  hook: 'input',
  defaultAction: 'accept',
  rules: [{ id: 'r1', action: 'drop', match: { proto: 'tcp', dstPorts: [9001] } }],
};

describe('POST /api/v1/applies/{id}/confirm without credentials', () => {
  it('answers an unknown id and a known id with a wrong token with the same status and body', async () => {
    const h = await harness({ engine: true });
    expect((await h.call('POST', '/api/v1/policies', { body: policy })).status).toBe(201);
    const res = await h.call('POST', '/api/v1/applies', { body: { policies: ['web'] } });
    expect(res.status).toBe(202);
    const s = (await res.json()) as { id: string; token: string };
    const engine = h.deps.engine!;
    await engine.waitFor(s.id, ['awaiting_confirm']);
    const unknownId = 'f'.repeat(s.id.length);
    expect(engine.get(unknownId)).toBeUndefined();

    const confirm = async (id: string, token: string) => {
      const r = await h.call('POST', `/api/v1/applies/${id}/confirm`, { token: null, body: { token } });
      return { status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as Record<string, unknown> };
    };
    // The detail names the id the caller sent; apart from that the two answers must be identical.
    const blank = (a: Awaited<ReturnType<typeof confirm>>, id: string) => ({ ...a, body: { ...a.body, detail: String(a.body.detail).replace(id, '<id>') } });
    const known = blank(await confirm(s.id, 'x'.repeat(43)), s.id);
    const unknown = blank(await confirm(unknownId, 'x'.repeat(43)), unknownId);
    expect(known).toEqual(unknown);
    expect(known).toMatchObject({ status: 404, type: 'application/problem+json', body: { code: 'apply.not-found' } });

    expect(engine.get(s.id)!.state).toBe('awaiting_confirm');
    expect((await confirm(s.id, s.token)).status).toBe(200);
  });
});
