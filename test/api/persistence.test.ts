// Restart persistence: what the API wrote to a file database is all there after closing and reopening it.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../../server/db/index.js';
import { harness, samplePolicy } from './helpers.js';

describe('restart persistence', () => {
  it('keeps policies, revisions, ETags and tokens across a reopen of the file database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunawall-restart-'));
    try {
      const file = join(dir, 'lunawall.db');
      const a = await harness({ db: openDb(file) });
      await a.call('POST', '/api/v1/policies', { body: samplePolicy('one') });
      await a.call('PUT', '/api/v1/policies', { body: { policies: [{ ...samplePolicy('one'), title: 'changed' }, samplePolicy('two')] } });
      const before = await a.call('GET', '/api/v1/policies');
      const etag = before.headers.get('etag');
      const doc = await before.json();
      const oneEtag = (await a.call('GET', '/api/v1/policies/one')).headers.get('etag');
      closeDb(a.db);

      const b = await harness({ db: openDb(file), adminPassword: false });
      const after = await b.call('GET', '/api/v1/policies', { token: a.tokens.read });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).toBe(etag);
      expect(await after.json()).toEqual(doc);
      const revs = await (await b.call('GET', '/api/v1/policies/one/revisions', { token: a.tokens.read })).json();
      expect(revs.revisions.map((r: { n: number }) => r.n)).toEqual([1, 2]);
      const put = await b.call('PUT', '/api/v1/policies/one', { token: a.tokens.all, body: samplePolicy('one'), headers: { 'if-match': oneEtag! } });
      expect(put.status).toBe(200);
      closeDb(b.db);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
