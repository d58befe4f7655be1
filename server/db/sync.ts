// The declarative sync: make the stored set of policies equal a desired set, atomically and idempotently.
import type { Db } from './index.js';
import type { Policy } from '../policy/schema.js';
import { eq, max, sql } from 'drizzle-orm';
import { policies, policyRevisions } from './schema/policies.js';
import { collectionEtag, listPolicyRows, policyJson, sha256, StoreError } from './policies.js';

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

function prepare(db: Db) {
  const p = sql.placeholder;
  return {
    maxRevisions: db.select({ name: policyRevisions.policyName, n: max(policyRevisions.n) }).from(policyRevisions).groupBy(policyRevisions.policyName).prepare(),
    insertRevision: db
      .insert(policyRevisions)
      .values({ policyName: p('name'), n: p('n'), author: p('author'), createdAt: p('now'), json: p('json'), hash: p('hash'), kind: p('kind'), message: p('message') })
      .prepare(),
    insertPolicy: db.insert(policies).values({ name: p('name'), json: p('json'), position: p('position'), revision: p('n'), hash: p('hash'), createdAt: p('now'), updatedAt: p('now') }).prepare(),
    // update().set() takes placeholders only wrapped in sql``.
    updatePolicy: db
      .update(policies)
      .set({ json: sql`${p('json')}`, position: sql`${p('position')}`, revision: sql`${p('n')}`, hash: sql`${p('hash')}`, updatedAt: sql`${p('now')}` })
      .where(eq(policies.name, p('name')))
      .prepare(),
    movePolicy: db.update(policies).set({ position: sql`${p('position')}` }).where(eq(policies.name, p('name'))).prepare(),
    deletePolicy: db.delete(policies).where(eq(policies.name, p('name'))).prepare(),
  };
}

/** The bulk path's statements, prepared once per database: building SQL per policy dominated a 1,000-policy sync. */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function statements(db: Db): ReturnType<typeof prepare> {
  let st = prepared.get(db);
  if (!st) prepared.set(db, (st = prepare(db)));
  return st;
}

/**
 * Policies in `desired` are created or changed (a revision each), those not in it are deleted, and
 * positions follow the order of `desired`. All or nothing: one transaction. Names must be distinct.
 */
export function syncPolicies(db: Db, desired: readonly Policy[], opts: SyncOptions): SyncResult {
  const run = () => {
    const rows = listPolicyRows(db);
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
    const st = opts.dryRun ? undefined : statements(db);
    const lastRevision = new Map(st ? st.maxRevisions.all().map((r) => [r.name, r.n ?? 0]) : []);
    const common = { author: opts.author, now: opts.now, message: 'declarative sync' };
    desired.forEach((p, position) => {
      const json = policyJson(p);
      const hash = sha256(json);
      const cur = byName.get(p.name);
      after.push({ name: p.name, hash });
      if (cur && cur.hash === hash) {
        result.unchanged.push(p.name);
        if (cur.position !== position) {
          result.reordered = true;
          st?.movePolicy.run({ name: p.name, position });
        }
        return;
      }
      (cur ? result.changed : result.created).push(p.name);
      if (!st) return;
      const n = (lastRevision.get(p.name) ?? 0) + 1;
      st.insertRevision.run({ ...common, name: p.name, n, json, hash, kind: 'save' });
      (cur ? st.updatePolicy : st.insertPolicy).run({ ...common, name: p.name, n, json, hash, position });
    });
    for (const r of rows) {
      if (wanted.has(r.name)) continue;
      result.deleted.push(r.name);
      if (!st) continue;
      st.insertRevision.run({ ...common, name: r.name, n: (lastRevision.get(r.name) ?? 0) + 1, json: r.json, hash: r.hash, kind: 'delete' });
      st.deletePolicy.run({ name: r.name });
    }
    result.etag = collectionEtag(after);
    return result;
  };
  if (opts.dryRun) return run();
  return db.$client.transaction(run).immediate();
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
