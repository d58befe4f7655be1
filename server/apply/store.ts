// DB access for applies: each function is one short synchronous transaction (no kernel I/O inside).
import { asc, desc, eq, getTableColumns, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { applies, applyJournal, lastKnownGood, loadedScripts } from '../db/schema/applies.js';
import type { LoadOptions } from '../kernel/backend.js';
import { canTransition, terminalStates, type ApplyState } from './states.js';
import type { ApplySummary, ApplyView, JournalEntry, PlanEntry } from './types.js';

/**
 * Summaries read only each plan entry's name, revision and hash inside SQLite: a plan carries whole
 * scripts (megabytes with large sets), which listing pages must not parse.
 */
const { plan: _plan, ...listedColumns } = getTableColumns(applies);
const summaryColumns = {
  ...listedColumns,
  revisions: sql<string | null>`(select json_group_array(json_object('name', json_extract(value, '$.name'), 'revision', json_extract(value, '$.revision'), 'scriptHash', json_extract(value, '$.scriptHash'))) from json_each(${applies.plan}))`,
};
type Row = Omit<typeof applies.$inferSelect, 'plan'> & { revisions: string | null };

export interface NewApply {
  id: string;
  tokenHash: string;
  startedBy: string;
  selection: string[] | 'all';
  confirmWindow: number;
  unchecked: boolean;
  guard: boolean;
  deadline: number | null;
  at: number;
}

export interface TransitionResult {
  from: ApplyState;
  entry: JournalEntry;
  deadline: number | null;
}

export class TransitionError extends Error {
  constructor(
    readonly id: string,
    readonly from: ApplyState,
    readonly to: ApplyState,
  ) {
    super(`apply ${id} cannot go from ${from} to ${to}`);
    this.name = 'TransitionError';
  }
}

const summary = (r: Row): ApplySummary => ({
  id: r.id,
  state: r.state as ApplyState,
  reason: r.reason,
  startedBy: r.startedBy,
  policies: JSON.parse(r.selection) as string[] | 'all',
  confirmWindow: r.confirmWindow,
  unchecked: r.unchecked,
  guard: r.guard,
  deadline: r.deadline,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  finishedAt: r.finishedAt,
  revisions: r.revisions ? (JSON.parse(r.revisions) as ApplySummary['revisions']) : [],
});

/** The apply that is not finished, if any (one at a time). */
export function activeApply(db: Db): ApplySummary | undefined {
  const r = db.select(summaryColumns).from(applies).where(notInArray(applies.state, [...terminalStates])).orderBy(desc(applies.createdAt)).get();
  return r && summary(r);
}

/** Inserts a pending apply unless another is active; returns the active one's id on conflict. */
export function insertApply(db: Db, a: NewApply): { ok: true } | { ok: false; activeId: string } {
  return db.transaction((tx) => {
    const active = tx.select({ id: applies.id }).from(applies).where(notInArray(applies.state, [...terminalStates])).get();
    if (active) return { ok: false as const, activeId: active.id };
    tx.insert(applies)
      .values({
        id: a.id,
        state: 'pending',
        tokenHash: a.tokenHash,
        startedBy: a.startedBy,
        selection: JSON.stringify(a.selection),
        confirmWindow: a.confirmWindow,
        unchecked: a.unchecked,
        guard: a.guard,
        deadline: a.deadline,
        createdAt: a.at,
        updatedAt: a.at,
      })
      .run();
    const what = a.selection === 'all' ? 'all policies' : a.selection.join(', ');
    const how = a.unchecked ? 'unchecked' : `confirm window ${a.confirmWindow} s`;
    tx.insert(applyJournal)
      .values({ applyId: a.id, at: a.at, state: 'pending', kind: 'transition', message: `started by ${a.startedBy}: ${what}; ${how}${a.guard ? '' : '; anti-lockout guard off'}` })
      .run();
    return { ok: true as const };
  }, { behavior: 'immediate' });
}

/** Moves an apply to `to` if allowed from its current state, journaling it; throws TransitionError otherwise. */
export function transition(
  db: Db,
  id: string,
  to: ApplyState,
  at: number,
  message: string,
  extra: { reason?: string; detail?: unknown; plan?: PlanEntry[]; confirmLkg?: PlanEntry[] } = {},
): TransitionResult {
  return db.transaction((tx) => {
    const row = tx.select().from(applies).where(eq(applies.id, id)).get();
    if (!row) throw new TransitionError(id, 'failed', to);
    const from = row.state as ApplyState;
    if (!canTransition(from, to)) throw new TransitionError(id, from, to);
    const finished = terminalStates.includes(to);
    tx.update(applies)
      .set({
        state: to,
        updatedAt: at,
        ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
        ...(extra.plan ? { plan: JSON.stringify(extra.plan) } : {}),
        finishedAt: finished ? at : null,
      })
      .where(eq(applies.id, id))
      .run();
    const detail = extra.detail === undefined ? null : JSON.stringify(extra.detail);
    tx.insert(applyJournal).values({ applyId: id, at, state: to, kind: 'transition', message, detail }).run();
    if (extra.confirmLkg) {
      tx.delete(lastKnownGood).run();
      for (const e of extra.confirmLkg) {
        tx.insert(lastKnownGood)
          .values({ name: e.name, revision: e.revision, scriptHash: e.scriptHash, script: e.script, loadOptions: JSON.stringify(e.loadOptions), applyId: id, confirmedAt: at })
          .run();
      }
    }
    return { from, entry: { at, state: to, kind: 'transition' as const, message, ...(extra.detail !== undefined ? { detail: extra.detail } : {}) }, deadline: row.deadline };
  }, { behavior: 'immediate' });
}

/** Appends a note or error to the journal without changing the state. */
export function note(db: Db, id: string, at: number, kind: 'note' | 'error', message: string, detail?: unknown): JournalEntry {
  const row = db.select({ state: applies.state }).from(applies).where(eq(applies.id, id)).get();
  const state = (row?.state ?? 'failed') as ApplyState;
  db.insert(applyJournal)
    .values({ applyId: id, at, state, kind, message, detail: detail === undefined ? null : JSON.stringify(detail) })
    .run();
  return { at, state, kind, message, ...(detail !== undefined ? { detail } : {}) };
}

export function getApply(db: Db, id: string): ApplyView | undefined {
  const row = db.select(summaryColumns).from(applies).where(eq(applies.id, id)).get();
  if (!row) return undefined;
  const journal = db.select().from(applyJournal).where(eq(applyJournal.applyId, id)).orderBy(asc(applyJournal.id)).all();
  return {
    ...summary(row),
    journal: journal.map((j) => ({
      at: j.at,
      state: j.state as ApplyState,
      kind: j.kind as JournalEntry['kind'],
      message: j.message,
      ...(j.detail !== null ? { detail: JSON.parse(j.detail) as unknown } : {}),
    })),
  };
}

export function tokenHashOf(db: Db, id: string): string | undefined {
  return db.select({ h: applies.tokenHash }).from(applies).where(eq(applies.id, id)).get()?.h;
}

export function planOf(db: Db, id: string): PlanEntry[] {
  const row = db.select({ plan: applies.plan }).from(applies).where(eq(applies.id, id)).get();
  return row?.plan ? (JSON.parse(row.plan) as PlanEntry[]) : [];
}

export function listApplies(db: Db, limit = 100): ApplySummary[] {
  return db.select(summaryColumns).from(applies).orderBy(desc(applies.createdAt), desc(applies.id)).limit(limit).all().map(summary);
}

/** Applies a restart interrupted (not finished), plus failed rollbacks, oldest first. */
export function unsettledApplies(db: Db): ApplySummary[] {
  const open: ApplyState[] = ['pending', 'preflighted', 'loading', 'probing', 'awaiting_confirm', 'rolling_back', 'rollback_failed'];
  return db.select(summaryColumns).from(applies).where(inArray(applies.state, open)).orderBy(asc(applies.createdAt)).all().map(summary);
}

export function lastKnownGoodSet(db: Db): PlanEntry[] {
  return db
    .select()
    .from(lastKnownGood)
    .orderBy(asc(lastKnownGood.name))
    .all()
    .map((r) => ({ name: r.name, revision: r.revision, scriptHash: r.scriptHash, script: r.script, loadOptions: JSON.parse(r.loadOptions) as LoadOptions }));
}

export interface LoadedRecord {
  name: string;
  revision: number;
  scriptHash: string;
}

export function loadedSet(db: Db): Map<string, LoadedRecord> {
  return new Map(db.select().from(loadedScripts).all().map((r) => [r.name, { name: r.name, revision: r.revision, scriptHash: r.scriptHash }]));
}

/** Records a finished kernel load (entry) or unload (null); written right after the backend call returns. */
export function recordLoaded(db: Db, name: string, entry: { revision: number; scriptHash: string } | null, applyId: string | null, at: number): void {
  if (!entry) {
    db.delete(loadedScripts).where(eq(loadedScripts.name, name)).run();
    return;
  }
  db.insert(loadedScripts)
    .values({ name, revision: entry.revision, scriptHash: entry.scriptHash, applyId, loadedAt: at })
    .onConflictDoUpdate({ target: loadedScripts.name, set: { revision: entry.revision, scriptHash: entry.scriptHash, applyId, loadedAt: at } })
    .run();
}

/** Forgets what we believed loaded for names the kernel does not list (a restart emptied an in-process backend). */
export function forgetLoaded(db: Db, names: string[]): void {
  if (names.length) db.delete(loadedScripts).where(inArray(loadedScripts.name, names)).run();
}
