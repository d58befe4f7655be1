// Policy store: the current drafts, each save written with its immutable revision in one transaction.
import { createHash } from 'node:crypto';
import { asc, eq, max } from 'drizzle-orm';
import type { Db } from './index.js';
import { policies, policyRevisions } from './schema/policies.js';
import type { Policy } from '../policy/schema.js';

export interface StoredPolicy {
  name: string;
  policy: Policy;
  /** The stored JSON text, byte for byte (API responses send it without re-serialising). */
  json: string;
  revision: number;
  hash: string;
  position: number;
  createdAt: number;
  updatedAt: number;
  etag: string;
}

export type StoreErrorCode = 'policy.not-found' | 'policy.exists' | 'policy.precondition-failed' | 'policy.name-mismatch';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The stored form: key order as the schema emits it, so equal policies store equal text and hash. */
export const policyJson = (p: Policy): string => JSON.stringify(p);

export const etagOf = (revision: number, hash: string) => `"${revision}-${hash.slice(0, 16)}"`;

type Row = typeof policies.$inferSelect;
const toStored = (r: Row): StoredPolicy => ({
  name: r.name,
  policy: JSON.parse(r.json) as Policy,
  json: r.json,
  revision: r.revision,
  hash: r.hash,
  position: r.position,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  etag: etagOf(r.revision, r.hash),
});

/** Rows without parsing the JSON: for listings that send the stored text as is. */
export function listPolicyRows(db: Db): Omit<StoredPolicy, 'policy'>[] {
  return db
    .select()
    .from(policies)
    .orderBy(asc(policies.position), asc(policies.name))
    .all()
    .map((r) => ({ name: r.name, json: r.json, revision: r.revision, hash: r.hash, position: r.position, createdAt: r.createdAt, updatedAt: r.updatedAt, etag: etagOf(r.revision, r.hash) }));
}

/** All policies in evaluation/display order (position, then name). */
export function listPolicies(db: Db): StoredPolicy[] {
  return db.select().from(policies).orderBy(asc(policies.position), asc(policies.name)).all().map(toStored);
}

export function getPolicy(db: Db, name: string): StoredPolicy | undefined {
  const r = db.select().from(policies).where(eq(policies.name, name)).get();
  return r && toStored(r);
}

/** A weak-free ETag over the whole collection: names, order and content. */
export function collectionEtag(rows: readonly { name: string; hash: string }[]): string {
  return `"${sha256(rows.map((r) => `${r.name}:${r.hash}`).join('\n')).slice(0, 24)}"`;
}

export interface WriteOptions {
  author: string;
  now: number;
  /** Must equal the current ETag (HTTP If-Match); "*" means "must exist". */
  ifMatch?: string;
  /** 'create' fails if it exists, 'update' fails if it does not, 'upsert' does either. */
  mode: 'create' | 'update' | 'upsert';
  message?: string;
  /** Position for a new policy; default: after the last. */
  position?: number;
}

export interface SaveResult {
  stored: StoredPolicy;
  created: boolean;
  /** False when the content equals the current draft: no revision was written. */
  changed: boolean;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

function nextRevision(tx: Tx | Db, name: string): number {
  const r = tx.select({ n: max(policyRevisions.n) }).from(policyRevisions).where(eq(policyRevisions.policyName, name)).get();
  return (r?.n ?? 0) + 1;
}

function checkPrecondition(existing: Row | undefined, name: string, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  if (!existing) throw new StoreError('policy.precondition-failed', `If-Match ${ifMatch} given but policy "${name}" does not exist`);
  if (ifMatch === '*') return;
  const current = etagOf(existing.revision, existing.hash);
  const candidates = ifMatch.split(',').map((s) => s.trim().replace(/^W\//, ''));
  if (!candidates.includes(current)) throw new StoreError('policy.precondition-failed', `policy "${name}" changed: its ETag is ${current}, not ${ifMatch}`);
}

function savePolicyIn(tx: Tx | Db, policy: Policy, opts: WriteOptions): SaveResult {
  const existing = tx.select().from(policies).where(eq(policies.name, policy.name)).get();
  if (opts.mode === 'create' && existing) throw new StoreError('policy.exists', `policy "${policy.name}" already exists`);
  if (opts.mode === 'update' && !existing) throw new StoreError('policy.not-found', `no policy named "${policy.name}"`);
  checkPrecondition(existing, policy.name, opts.ifMatch);
  const json = policyJson(policy);
  const hash = sha256(json);
  const position = opts.position ?? existing?.position;
  if (existing && existing.hash === hash) {
    if (position !== undefined && position !== existing.position) {
      tx.update(policies).set({ position }).where(eq(policies.name, policy.name)).run();
      existing.position = position;
    }
    return { stored: toStored(existing), created: false, changed: false };
  }
  const n = nextRevision(tx, policy.name);
  tx.insert(policyRevisions)
    .values({ policyName: policy.name, n, author: opts.author, createdAt: opts.now, json, hash, kind: 'save', message: opts.message ?? '' })
    .run();
  const row: Row = {
    name: policy.name,
    json,
    position: position ?? (tx.select({ p: max(policies.position) }).from(policies).get()?.p ?? -1) + 1,
    revision: n,
    hash,
    createdAt: existing?.createdAt ?? opts.now,
    updatedAt: opts.now,
  };
  if (existing) tx.update(policies).set(row).where(eq(policies.name, policy.name)).run();
  else tx.insert(policies).values(row).run();
  return { stored: toStored(row), created: !existing, changed: true };
}

/** Saves a policy as a new revision (if its content changed), atomically. */
export function savePolicy(db: Db, policy: Policy, opts: WriteOptions): SaveResult {
  return db.transaction((tx) => savePolicyIn(tx, policy, opts), { behavior: 'immediate' });
}

function deletePolicyIn(tx: Tx | Db, name: string, opts: { author: string; now: number; ifMatch?: string; message?: string }): number {
  const existing = tx.select().from(policies).where(eq(policies.name, name)).get();
  if (!existing) throw new StoreError('policy.not-found', `no policy named "${name}"`);
  checkPrecondition(existing, name, opts.ifMatch);
  const n = nextRevision(tx, name);
  tx.insert(policyRevisions)
    .values({ policyName: name, n, author: opts.author, createdAt: opts.now, json: existing.json, hash: existing.hash, kind: 'delete', message: opts.message ?? '' })
    .run();
  tx.delete(policies).where(eq(policies.name, name)).run();
  return n;
}

/** Deletes the draft and records a 'delete' revision; history stays. Returns that revision's number. */
export function deletePolicy(db: Db, name: string, opts: { author: string; now: number; ifMatch?: string; message?: string }): number {
  return db.transaction((tx) => deletePolicyIn(tx, name, opts), { behavior: 'immediate' });
}

/** Sets positions to the order of `names` (which must be exactly the existing policies). */
export function reorderPolicies(db: Db, names: readonly string[], now: number): void {
  db.transaction(
    (tx) => {
      const existing = new Set(tx.select({ name: policies.name }).from(policies).all().map((r) => r.name));
      const given = new Set(names);
      const missing = [...existing].filter((n) => !given.has(n));
      const unknown = names.filter((n) => !existing.has(n));
      if (unknown.length) throw new StoreError('policy.not-found', `no policy named "${unknown[0]}"`);
      if (missing.length || given.size !== names.length) throw new StoreError('policy.precondition-failed', `the new order must list every policy exactly once (missing: ${missing.join(', ') || 'none'})`);
      names.forEach((name, position) => tx.update(policies).set({ position, updatedAt: now }).where(eq(policies.name, name)).run());
    },
    { behavior: 'immediate' },
  );
}
