// Lost-update protection for UI forms: the revision a page was opened at, against the policy's newest revision.
import type { Db } from '../db/index.js';
import { getPolicy } from '../db/policies.js';
import { diffRevisions, listRevisions } from '../db/revisions.js';
import { formatChange } from '../db/json-diff.js';
import type { ConflictView } from '../../views/conflict.js';

/** The hidden `_revision` field; anything but a plain positive integer is "not said". */
export function revisionField(v: string | undefined): number | undefined {
  if (v === undefined || !/^[1-9]\d{0,14}$/.test(v)) return undefined;
  return Number(v);
}

/**
 * Undefined while `opened` is still the newest revision of `name` (a save, or a delete the user has
 * seen); otherwise who changed it, when, and what. Revision numbers only grow, across deletes too,
 * so equal numbers mean the same content.
 */
export function staleness(db: Db, name: string, opened: number | undefined): ConflictView | undefined {
  const revisions = listRevisions(db, name);
  const current = getPolicy(db, name)?.revision ?? revisions.at(-1)?.n;
  if (current === undefined || current === opened) return undefined;
  const latest = revisions.find((r) => r.n === current)!;
  const lines =
    opened !== undefined && latest.kind === 'save'
      ? diffRevisions(db, name, opened, current)?.map((c) => ({ op: c.op, text: formatChange(c) }))
      : undefined;
  return { name, opened, latest: { n: latest.n, author: latest.author, createdAt: latest.createdAt, kind: latest.kind }, lines };
}
