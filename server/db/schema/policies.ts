// Policies and their immutable revisions: the draft every edit changes, and the history nothing overwrites.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** One row per existing policy; `json` is the current draft, always equal to revision `revision`. */
export const policies = sqliteTable('policies', {
  name: text().primaryKey(),
  /** The normalised policy document as stored (canonical JSON text). */
  json: text().notNull(),
  /** Display and evaluation order across policies (UI drag order); 0-based, gaps allowed. */
  position: integer().notNull(),
  /** Number of the revision `json` equals. */
  revision: integer().notNull(),
  /** sha256 of `json`, hex. */
  hash: text().notNull(),
  createdAt: integer().notNull(),
  updatedAt: integer().notNull(),
});

/**
 * Every save appends one row here; rows are never updated or deleted, not even when the policy is
 * deleted (applies keep referring to them, and a re-created policy continues the numbering).
 */
export const policyRevisions = sqliteTable(
  'policy_revisions',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    policyName: text().notNull(),
    n: integer().notNull(),
    author: text().notNull(),
    createdAt: integer().notNull(),
    /** Full policy JSON of this revision; for a deletion, the last content before it. */
    json: text().notNull(),
    hash: text().notNull(),
    /** 'save' for a create or change, 'delete' for the tombstone written when a policy is deleted. */
    kind: text({ enum: ['save', 'delete'] }).notNull().default('save'),
    message: text().notNull().default(''),
  },
  (t) => [uniqueIndex('policy_revisions_name_n').on(t.policyName, t.n), index('policy_revisions_created').on(t.createdAt)],
);
