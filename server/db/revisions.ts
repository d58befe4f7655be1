// Revision history of a policy: list, fetch one, and diff any two (including across a delete).
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './index.js';
import { policyRevisions } from './schema/policies.js';
import type { Policy } from '../policy/schema.js';
import { diffJson, type Json, type JsonChange } from './json-diff.js';

export interface RevisionSummary {
  n: number;
  author: string;
  createdAt: number;
  hash: string;
  kind: 'save' | 'delete';
  message: string;
}

export interface Revision extends RevisionSummary {
  policy: Policy;
  json: string;
}

const summaryCols = {
  n: policyRevisions.n,
  author: policyRevisions.author,
  createdAt: policyRevisions.createdAt,
  hash: policyRevisions.hash,
  kind: policyRevisions.kind,
  message: policyRevisions.message,
};

/** Oldest first; empty if the name never existed. */
export function listRevisions(db: Db, name: string): RevisionSummary[] {
  return db.select(summaryCols).from(policyRevisions).where(eq(policyRevisions.policyName, name)).orderBy(asc(policyRevisions.n)).all();
}

export function getRevision(db: Db, name: string, n: number): Revision | undefined {
  const r = db
    .select({ ...summaryCols, json: policyRevisions.json })
    .from(policyRevisions)
    .where(and(eq(policyRevisions.policyName, name), eq(policyRevisions.n, n)))
    .get();
  return r && { ...r, policy: JSON.parse(r.json) as Policy };
}

/** What changed from revision `from` to revision `to`; undefined if either does not exist. */
export function diffRevisions(db: Db, name: string, from: number, to: number): JsonChange[] | undefined {
  const a = getRevision(db, name, from);
  const b = getRevision(db, name, to);
  if (!a || !b) return undefined;
  return diffJson(a.policy as unknown as Json, b.policy as unknown as Json);
}
