// The OpenAPI document: every route of this area, the security schemes, the named schemas, the limits.
import { describe, it, expect } from 'vitest';
import { harness } from './helpers.js';

describe('GET /api/v1/openapi.json', () => {
  it('documents every policy, revision, token and status route with security and problem responses', async () => {
    const h = await harness();
    const r = await h.call('GET', '/api/v1/openapi.json', { token: h.tokens.apply });
    expect(r.status).toBe(200);
    const doc = await r.json();
    expect(doc.openapi).toBe('3.0.0');
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`));
    expect(ops).toEqual(
      expect.arrayContaining([
        'GET /status',
        'GET /policies',
        'POST /policies',
        'PUT /policies',
        'GET /policies/{name}',
        'PUT /policies/{name}',
        'PATCH /policies/{name}',
        'DELETE /policies/{name}',
        'GET /policies/{name}/revisions',
        'GET /policies/{name}/revisions/{n}',
        'GET /policies/{name}/diff',
        'GET /policies/{name}/script',
        'GET /tokens',
        'POST /tokens',
        'DELETE /tokens/{name}',
        'POST /policies/{name}/simulate',
        'POST /policies/{name}/revisions/{n}/restore',
        'POST /applies',
        'POST /applies/{id}/confirm',
      ]),
    );
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer', 'basic']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Policy', 'Rule', 'Match', 'Set', 'Problem', 'Diagnostic', 'SyncResult']));
    expect(doc.paths['/policies'].put.description).toContain('16 MiB');
    expect(doc.paths['/policies/{name}'].put.responses['412']).toBeDefined();
    expect(doc.info.description).toContain('1 MiB');
  });
});
