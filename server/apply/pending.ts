// Pending changes: which drafts differ from what the kernel runs (the last-known-good set).
import { asc } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { listPolicyRows } from '../db/policies.js';
import { getRevision } from '../db/revisions.js';
import { lastKnownGood } from '../db/schema/applies.js';
import { policies } from '../db/schema/policies.js';
import { lastKnownGoodSet } from './store.js';

export interface PendingChange {
  name: string;
  kind: 'added' | 'changed' | 'deleted';
  appliedRevision?: number;
  draftRevision?: number;
}

/**
 * A draft is pending when applying would change the kernel: an enabled policy whose content differs
 * from the loaded revision's (a Reset writes a new revision with the old content: not a change), a
 * disabled policy that is still loaded, or a loaded policy that was deleted.
 */
export function pendingChanges(db: Db): PendingChange[] {
  // Every page shows the count: reuse the answer while neither the drafts nor the applied set changed.
  // The key reads two narrow columns; the full rows (policy JSON, last-known-good scripts that may be
  // megabytes for a big domain set) are read only when something changed.
  const drafts = db.select({ name: policies.name, hash: policies.hash }).from(policies).orderBy(asc(policies.name)).all();
  const applied = db.select({ name: lastKnownGood.name, revision: lastKnownGood.revision }).from(lastKnownGood).orderBy(asc(lastKnownGood.name)).all();
  const key = drafts.map((r) => `${r.name}:${r.hash}`).join(',') + '|' + applied.map((e) => `${e.name}:${e.revision}`).join(',');
  const hit = memo.get(db);
  if (hit?.key === key) return hit.value;
  const value = compute(db, listPolicyRows(db), new Map(lastKnownGoodSet(db).map((e) => [e.name, e.revision])));
  memo.set(db, { key, value });
  return value;
}

const memo = new WeakMap<Db, { key: string; value: PendingChange[] }>();

function compute(db: Db, drafts: ReturnType<typeof listPolicyRows>, applied: Map<string, number>): PendingChange[] {
  const out: PendingChange[] = [];
  for (const r of drafts) {
    const loaded = applied.get(r.name);
    const enabled = (JSON.parse(r.json) as { enabled?: boolean }).enabled !== false;
    const differs = loaded === undefined || (loaded !== r.revision && getRevision(db, r.name, loaded)?.hash !== r.hash);
    if (enabled ? differs : loaded !== undefined) {
      out.push({ name: r.name, kind: loaded === undefined ? 'added' : 'changed', appliedRevision: loaded, draftRevision: r.revision });
    }
  }
  const names = new Set(drafts.map((r) => r.name));
  for (const [name, revision] of applied) if (!names.has(name)) out.push({ name, kind: 'deleted', appliedRevision: revision });
  return out;
}

export const pendingCount = (db: Db) => pendingChanges(db).length;
