// The policy store: revisions on every save, history, diffs, transactions, sync, persistence across restarts.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../../server/db/index.js';
import { deletePolicy, getPolicy, listPolicies, reorderPolicies, savePolicy, StoreError } from '../../server/db/policies.js';
import { diffRevisions, getRevision, listRevisions } from '../../server/db/revisions.js';
import { syncPolicies } from '../../server/db/sync.js';
import { policy as policySchema, type PolicyInput } from '../../server/policy/schema.js';

const p = (input: PolicyInput) => policySchema.parse(input);
const base = { name: 'block-ads', rules: [{ id: 'r1', action: 'drop' as const, match: { proto: 'tcp' as const, dstPorts: [443] } }] };
const w = (now: number) => ({ author: 'test', now, mode: 'upsert' as const });

describe('policy store', () => {
  it('writes a revision on every save that changes content, none when it does not', () => {
    const db = openDb(':memory:');
    const a = savePolicy(db, p(base), w(1));
    expect(a).toMatchObject({ created: true, changed: true });
    expect(a.stored.revision).toBe(1);
    const same = savePolicy(db, p(base), w(2));
    expect(same).toMatchObject({ created: false, changed: false });
    const b = savePolicy(db, p({ ...base, title: 'Ads' }), { ...w(3), author: 'alice' });
    expect(b.stored.revision).toBe(2);
    const revs = listRevisions(db, 'block-ads');
    expect(revs.map((r) => [r.n, r.author, r.createdAt, r.kind])).toEqual([
      [1, 'test', 1, 'save'],
      [2, 'alice', 3, 'save'],
    ]);
    expect(revs[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(getRevision(db, 'block-ads', 1)!.policy).toEqual(p(base));
    expect(getPolicy(db, 'block-ads')!.policy.title).toBe('Ads');
  });

  it('diffs any two revisions by path with old and new values', () => {
    const db = openDb(':memory:');
    savePolicy(db, p({ ...base, sets: { web: { type: 'port', elements: [80, 443] } } }), w(1));
    savePolicy(
      db,
      p({ ...base, title: 'x', sets: { web: { type: 'port', elements: [80, 8080] } }, rules: [{ id: 'r0', action: 'accept' }, { ...base.rules[0]!, action: 'accept' }] }),
      w(2),
    );
    const d = diffRevisions(db, 'block-ads', 1, 2)!;
    expect(d).toContainEqual({ op: 'change', path: ['title'], old: '', new: 'x' });
    expect(d).toContainEqual({ op: 'remove', path: ['sets', 'web', 'elements', 1], old: 443 });
    expect(d).toContainEqual({ op: 'add', path: ['sets', 'web', 'elements', 1], new: 8080 });
    expect(d).toContainEqual({ op: 'add', path: ['rules', 0], new: { id: 'r0', comment: '', enabled: true, match: {}, action: 'accept' } });
    expect(d).toContainEqual({ op: 'change', path: ['rules', 1, 'action'], old: 'drop', new: 'accept' });
    expect(diffRevisions(db, 'block-ads', 2, 2)).toEqual([]);
    expect(diffRevisions(db, 'block-ads', 1, 9)).toBeUndefined();
  });

  it('refuses to change or delete a revision at the database level', () => {
    const db = openDb(':memory:');
    savePolicy(db, p(base), w(1));
    expect(() => db.$client.exec(`UPDATE policy_revisions SET author = 'mallory'`)).toThrow(/immutable/);
    expect(() => db.$client.exec(`DELETE FROM policy_revisions`)).toThrow(/immutable/);
    expect(listRevisions(db, 'block-ads')[0]!.author).toBe('test');
  });

  it('keeps history across a delete and continues numbering when re-created', () => {
    const db = openDb(':memory:');
    savePolicy(db, p(base), w(1));
    expect(deletePolicy(db, 'block-ads', { author: 't', now: 2 })).toBe(2);
    expect(getPolicy(db, 'block-ads')).toBeUndefined();
    const again = savePolicy(db, p(base), w(3));
    expect(again.stored.revision).toBe(3);
    expect(listRevisions(db, 'block-ads').map((r) => r.kind)).toEqual(['save', 'delete', 'save']);
  });

  it('enforces create/update modes and If-Match, changing nothing on failure', () => {
    const db = openDb(':memory:');
    const a = savePolicy(db, p(base), { ...w(1), mode: 'create' });
    expect(() => savePolicy(db, p(base), { ...w(2), mode: 'create' })).toThrow(StoreError);
    expect(() => savePolicy(db, p({ ...base, name: 'other' }), { ...w(2), mode: 'update' })).toThrow(/no policy/);
    expect(() => savePolicy(db, p({ ...base, title: 't' }), { ...w(2), ifMatch: '"1-0000000000000000"' })).toThrow(/ETag/);
    expect(() => deletePolicy(db, 'block-ads', { author: 't', now: 2, ifMatch: '"9-x"' })).toThrow(/ETag/);
    expect(listRevisions(db, 'block-ads')).toHaveLength(1);
    const ok = savePolicy(db, p({ ...base, title: 't' }), { ...w(2), ifMatch: a.stored.etag });
    expect(ok.stored.revision).toBe(2);
    expect(ok.stored.etag).not.toBe(a.stored.etag);
  });

  it('rolls back a failed write completely', () => {
    const db = openDb(':memory:');
    savePolicy(db, p(base), w(1));
    // A trigger stands in for a disk error in the middle of the transaction, after the revision row.
    db.$client.exec(`CREATE TRIGGER fail BEFORE UPDATE ON policies BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => savePolicy(db, p({ ...base, title: 'new' }), w(2))).toThrow(/disk full/);
    expect(listRevisions(db, 'block-ads')).toHaveLength(1);
    expect(getPolicy(db, 'block-ads')!.policy.title).toBe('');
    expect(() => syncPolicies(db, [p({ ...base, name: 'aaa' }), p({ ...base, title: 'x' })], { author: 't', now: 3, dryRun: false })).toThrow(/disk full/);
    expect(listPolicies(db).map((x) => x.name)).toEqual(['block-ads']);
    expect(listRevisions(db, 'aaa')).toEqual([]);
  });

  it('syncs declaratively: created, changed, deleted; idempotent; dry run writes nothing', () => {
    const db = openDb(':memory:');
    savePolicy(db, p({ ...base, name: 'old' }), w(1));
    savePolicy(db, p({ ...base, name: 'keep' }), w(1));
    const desired = [p({ ...base, name: 'keep', title: 'changed' }), p({ ...base, name: 'new' })];
    const dry = syncPolicies(db, desired, { author: 'isp', now: 2, dryRun: true });
    expect(dry).toMatchObject({ created: ['new'], changed: ['keep'], deleted: ['old'], unchanged: [], dryRun: true });
    expect(listPolicies(db).map((x) => x.name).sort()).toEqual(['keep', 'old']);
    const real = syncPolicies(db, desired, { author: 'isp', now: 2, dryRun: false });
    expect(real).toMatchObject({ created: ['new'], changed: ['keep'], deleted: ['old'], etag: dry.etag });
    const again = syncPolicies(db, desired, { author: 'isp', now: 3, dryRun: false });
    expect(again).toMatchObject({ created: [], changed: [], deleted: [], unchanged: ['keep', 'new'], reordered: false });
    expect(listRevisions(db, 'keep')).toHaveLength(2);
    expect(listPolicies(db).map((x) => x.name)).toEqual(['keep', 'new']);
    const swapped = syncPolicies(db, [desired[1]!, desired[0]!], { author: 'isp', now: 4, dryRun: false });
    expect(swapped).toMatchObject({ changed: [], reordered: true });
    expect(listPolicies(db).map((x) => x.name)).toEqual(['new', 'keep']);
  });

  it('reorders policies only with a complete list', () => {
    const db = openDb(':memory:');
    for (const name of ['a', 'b', 'c']) savePolicy(db, p({ ...base, name }), w(1));
    reorderPolicies(db, ['c', 'a', 'b'], 2);
    expect(listPolicies(db).map((x) => x.name)).toEqual(['c', 'a', 'b']);
    expect(() => reorderPolicies(db, ['c', 'a'], 3)).toThrow(/every policy/);
    expect(() => reorderPolicies(db, ['c', 'a', 'b', 'zz'], 3)).toThrow(/zz/);
  });

  it('persists across a restart with a file database (WAL, foreign keys on)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunawall-db-'));
    try {
      const file = join(dir, 'sub', 'lunawall.db');
      const db1 = openDb(file);
      expect(db1.$client.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db1.$client.pragma('foreign_keys', { simple: true })).toBe(1);
      savePolicy(db1, p(base), w(1));
      savePolicy(db1, p({ ...base, title: 'two' }), w(2));
      closeDb(db1);
      const db2 = openDb(file);
      expect(getPolicy(db2, 'block-ads')!.policy.title).toBe('two');
      expect(listRevisions(db2, 'block-ads')).toHaveLength(2);
      closeDb(db2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
