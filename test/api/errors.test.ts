// Bad input on the API: malformed JSON, unknown fields, schema and semantic errors, media type, body limits.
import { describe, it, expect } from 'vitest';
import { harness, samplePolicy } from './helpers.js';

const problemOf = async (r: Response) => {
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return (await r.json()) as { status: number; code: string; detail: string; diagnostics?: { code: string; path: (string | number)[]; message: string }[] };
};

describe('API input errors', () => {
  it('answers malformed JSON with 400 and changes nothing', async () => {
    const h = await harness();
    for (const [method, path] of [['POST', '/api/v1/policies'], ['PUT', '/api/v1/policies/x'], ['PUT', '/api/v1/policies'], ['PATCH', '/api/v1/policies/block-ads']] as const) {
      const r = await h.call(method, path, { raw: '{"name": "x",' });
      expect(r.status, `${method} ${path}`).toBe(400);
      expect((await problemOf(r)).code).toBe('request.malformed-json');
    }
    expect(await (await h.call('GET', '/api/v1/policies')).json()).toEqual({ policies: [] });
  });

  it('names unknown fields by path', async () => {
    const h = await harness();
    const body = { ...samplePolicy(), colour: 'red', rules: [{ ...samplePolicy().rules[0], match: { proto: 'tcp', sport: 1 } }] };
    const r = await h.call('POST', '/api/v1/policies', { body });
    expect(r.status).toBe(422);
    const p = await problemOf(r);
    expect(p.code).toBe('policy.invalid');
    expect(p.diagnostics!.every((d) => d.code === 'schema.unrecognized_keys')).toBe(true);
    const at = (key: string) => p.diagnostics!.find((d) => d.message.includes(key) || d.path.includes(key));
    expect(at('colour')!.path.slice(0, 1)).not.toContain('rules');
    expect(at('sport')!.path.slice(0, 3)).toEqual(['rules', 0, 'match']);
  });

  it('reports schema errors with the JSON path of each bad field', async () => {
    const h = await harness();
    const r = await h.call('POST', '/api/v1/policies', { body: { ...samplePolicy(), name: 'Has Lua', priority: 'high' } });
    expect(r.status).toBe(422);
    const p = await problemOf(r);
    expect(p.diagnostics).toContainEqual(expect.objectContaining({ code: expect.stringMatching(/^schema\./), path: ['name'] }));
    expect(p.diagnostics).toContainEqual(expect.objectContaining({ code: 'schema.invalid_type', path: ['priority'] }));
  });

  it('reports semantic errors from checkPolicy (unknown set, bad port, bad CIDR, duplicate rule id)', async () => {
    const h = await harness();
    const bad = {
      ...samplePolicy(),
      rules: [
        { id: 'r1', match: { src: '@nope', dstPorts: [70000] }, action: 'drop' },
        { id: 'r1', match: { dst: ['10.0.0.0/33'] }, action: 'drop' },
      ],
    };
    const r = await h.call('PUT', '/api/v1/policies/block-ads', { body: bad });
    expect(r.status).toBe(422);
    const codes = (await problemOf(r)).diagnostics!.map((d) => `${d.code}@${d.path.join('.')}`);
    expect(codes).toEqual(expect.arrayContaining(['set.unknown@rules.0.match.src', 'port.out-of-range@rules.0.match.dstPorts.0', 'rule.duplicate-id@rules.1.id', 'cidr.invalid@rules.1.match.dst.0']));
    expect((await h.call('GET', '/api/v1/policies/block-ads')).status).toBe(404);
  });

  it('rejects a body name that differs from the URL', async () => {
    const h = await harness();
    const r = await h.call('PUT', '/api/v1/policies/other', { body: samplePolicy() });
    expect(r.status).toBe(422);
    expect((await problemOf(r)).code).toBe('policy.name-mismatch');
  });

  it('answers a non-JSON body with 415', async () => {
    const h = await harness();
    const r = await h.call('POST', '/api/v1/policies', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(415);
    expect((await problemOf(r)).code).toBe('request.unsupported-media-type');
  });

  it('limits bodies to 1 MiB, and the declarative PUT to 16 MiB', async () => {
    const h = await harness();
    const big = (bytes: number) => {
      const n = Math.ceil(bytes / 20);
      return { ...samplePolicy(), sets: { ads: { type: 'domain', elements: Array.from({ length: n }, (_, i) => `host${i}.example.com`) } }, rules: [{ id: 'r1', match: { domains: '@ads' }, action: 'drop' }] };
    };
    const r1 = await h.call('POST', '/api/v1/policies', { body: big(1.2 * 1024 * 1024) });
    expect(r1.status).toBe(413);
    expect((await problemOf(r1)).code).toBe('request.too-large');
    const r2 = await h.call('PUT', '/api/v1/policies', { body: { policies: [big(1.2 * 1024 * 1024)] } });
    expect(r2.status).toBe(200);
    expect((await r2.json()).created).toEqual(['block-ads']);
    const huge = 'x'.repeat(17 * 1024 * 1024);
    const r3 = await h.call('PUT', '/api/v1/policies', { raw: `{"policies":[],"pad":"${huge}"}` });
    expect(r3.status).toBe(413);
  });

  it('answers unknown API paths and bad parameters with problems', async () => {
    const h = await harness();
    expect((await h.call('GET', '/api/v1/policies/block-ads/revisions/zero')).status).toBe(400);
    expect((await h.call('GET', '/api/v1/policies?view=bogus')).status).toBe(400);
  });
});
