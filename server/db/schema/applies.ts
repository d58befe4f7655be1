// Apply transactions: the persisted state machine, its journal, what is loaded and the last-known-good set.
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** One apply, walking pending → … → confirmed | rolled_back | failed (server/apply/states.ts). */
export const applies = sqliteTable(
  'applies',
  {
    id: text('id').primaryKey(),
    state: text('state').notNull(),
    /** Why it was rolled back or failed; null while it goes well. */
    reason: text('reason'),
    /** sha256 of the confirm token; the token itself is shown once. */
    tokenHash: text('token_hash').notNull(),
    /** Who started it: "token:<name>", "admin", "cli". */
    startedBy: text('started_by').notNull(),
    /** JSON: string[] of policy names, or "all". */
    selection: text('selection').notNull(),
    confirmWindow: integer('confirm_window').notNull(),
    unchecked: integer('unchecked', { mode: 'boolean' }).notNull(),
    guard: integer('guard', { mode: 'boolean' }).notNull(),
    /** JSON: PlanEntry[], the full set the kernel holds once this apply is confirmed. */
    plan: text('plan'),
    /** Epoch milliseconds; set when the confirm window opens. */
    deadline: integer('deadline'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('applies_state_idx').on(t.state), index('applies_created_idx').on(t.createdAt)],
);

/** Every transition and notable event of an apply, in order. */
export const applyJournal = sqliteTable(
  'apply_journal',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applyId: text('apply_id')
      .notNull()
      .references(() => applies.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    /** The state after this entry (equal to the previous one for notes). */
    state: text('state').notNull(),
    /** "transition" | "note" | "error" */
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    /** JSON detail (diagnostics, probe results, load errors), or null. */
    detail: text('detail'),
  },
  (t) => [index('apply_journal_apply_idx').on(t.applyId)],
);

/** The last confirmed set: exactly what a rollback restores. One row per policy runtime. */
export const lastKnownGood = sqliteTable('last_known_good', {
  name: text('name').primaryKey(),
  revision: integer('revision').notNull(),
  scriptHash: text('script_hash').notNull(),
  script: text('script').notNull(),
  /** JSON LoadOptions for KernelBackend.load. */
  loadOptions: text('load_options').notNull(),
  applyId: text('apply_id').notNull(),
  confirmedAt: integer('confirmed_at').notNull(),
});

/** What this process last loaded into the backend, per runtime, so loading can skip unchanged scripts. */
export const loadedScripts = sqliteTable('loaded_scripts', {
  name: text('name').primaryKey(),
  revision: integer('revision').notNull(),
  scriptHash: text('script_hash').notNull(),
  applyId: text('apply_id'),
  loadedAt: integer('loaded_at').notNull(),
});
