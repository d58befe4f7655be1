// The declarative sync: make the stored set of policies equal a desired set, atomically and idempotently.
import type { Db } from './index.js';
import type { Policy } from '../policy/schema.js';
import { collectionEtag, deletePolicyIn, listPolicyRows, policyJson, savePolicyIn, sha256, StoreError } from './policies.js';

export interface SyncResult {
  created: string[];
  changed: string[];
  deleted: string[];
  unchanged: string[];
  /** True when only the order (positions) differed for some policies. */
  reordered: boolean;
  dryRun: boolean;
  /** The collection's ETag after the sync (or what it would be, for a dry run). */
  etag: string;
}

export interface SyncOptions {
  author: string;
  now: number;
  dryRun: boolean;
  /** Must equal the collection ETag (GET /policies) when given. */
  ifMatch?: string;
}

/**
 * Policies in `desired` are created or changed (a revision each), those not in it are deleted, and
 * positions follow the order of `desired`. All or nothing: one transaction. Names must be distinct.
 */
export function syncPolicies(db: Db, desired: readonly Policy[], opts: SyncOptions): SyncResult {
  const run = (tx: Db) => {
    const rows = listPolicyRows(tx);
    if (opts.ifMatch !== undefined && opts.ifMatch !== '*') {
      const current = collectionEtag(rows);
      if (!opts.ifMatch.split(',').map((s) => s.trim().replace(/^W\//, '')).includes(current)) {
        throw new StoreError('policy.precondition-failed', `the policy set changed: its ETag is ${current}, not ${opts.ifMatch}`);
      }
    }
    const byName = new Map(rows.map((r) => [r.name, r]));
    const wanted = new Set(desired.map((p) => p.name));
    const result: SyncResult = { created: [], changed: [], deleted: [], unchanged: [], reordered: false, dryRun: opts.dryRun, etag: '' };
    const after: { name: string; hash: string }[] = [];
    desired.forEach((p, position) => {
      const hash = sha256(policyJson(p));
      const cur = byName.get(p.name);
      after.push({ name: p.name, hash });
      if (!cur) result.created.push(p.name);
      else if (cur.hash !== hash) result.changed.push(p.name);
      else {
        result.unchanged.push(p.name);
        if (cur.position !== position) result.reordered = true;
      }
      if (!opts.dryRun) savePolicyIn(tx, p, { author: opts.author, now: opts.now, mode: 'upsert', position, message: 'declarative sync' });
    });
    for (const r of rows) {
      if (wanted.has(r.name)) continue;
      result.deleted.push(r.name);
      if (!opts.dryRun) deletePolicyIn(tx, r.name, { author: opts.author, now: opts.now, message: 'declarative sync' });
    }
    result.etag = collectionEtag(after);
    return result;
  };
  if (opts.dryRun) return run(db);
  return db.transaction((tx) => run(tx as unknown as Db), { behavior: 'immediate' });
}

/** Like syncPolicies but never deletes and keeps the order of policies already stored (an import). */
export function upsertPolicies(db: Db, incoming: readonly Policy[], opts: Omit<SyncOptions, 'ifMatch'>): SyncResult {
  const current = listPolicyRows(db).map((r) => ({ name: r.name, policy: r.json }));
  const names = new Set(incoming.map((p) => p.name));
  const byName = new Map(incoming.map((p) => [p.name, p]));
  // Existing policies keep their place (replaced in position), new ones go after them.
  const merged: Policy[] = [
    ...current.map((c) => byName.get(c.name) ?? (JSON.parse(c.policy) as Policy)),
    ...incoming.filter((p) => !current.some((c) => c.name === p.name)),
  ];
  const r = syncPolicies(db, merged, opts);
  return { ...r, unchanged: r.unchanged.filter((n) => names.has(n)) };
}
