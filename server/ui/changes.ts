// The pending changes as the UI lists them: each with a diff from the applied revision to the draft.
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.js';
import { diffRevisions, getRevision } from '../db/revisions.js';
import { formatChange, type JsonChange } from '../db/json-diff.js';
import { pendingChanges } from '../apply/pending.js';
import type { ChangeView } from '../../views/changes.js';

const lines = (changes: JsonChange[]) => changes.map((c) => ({ op: c.op, text: formatChange(c) }));

/** Each pending change with the foundation's structural diff from the applied revision to the draft. */
export function changeViews(db: Db): ChangeView[] {
  return pendingChanges(db).map((p) => {
    if (p.appliedRevision !== undefined && p.draftRevision !== undefined) {
      return { ...p, lines: lines(diffRevisions(db, p.name, p.appliedRevision, p.draftRevision) ?? []) };
    }
    // A whole policy added or deleted: every line of it, not a change list with elided values.
    const rev = getRevision(db, p.name, (p.draftRevision ?? p.appliedRevision)!);
    const op = p.kind === 'added' ? ('add' as const) : ('remove' as const);
    const sign = op === 'add' ? '+' : '-';
    return { ...p, lines: JSON.stringify(rev?.policy ?? {}, null, 2).split('\n').map((text) => ({ op, text: `${sign} ${text}` })) };
  });
}

/**
 * What the Changes page showed, as a short hash of each pending policy's kind and revisions: Save & Apply
 * and Reset act only if it still holds, so nobody applies or throws away a change they have not seen.
 */
export function pendingFingerprint(changes: Pick<ChangeView, 'name' | 'kind' | 'appliedRevision' | 'draftRevision'>[]): string {
  const parts = changes.map((p) => `${p.name}:${p.kind}:${p.appliedRevision ?? ''}:${p.draftRevision ?? ''}`);
  return createHash('sha256').update(parts.sort().join('\n')).digest('hex').slice(0, 32);
}
