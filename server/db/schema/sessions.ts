// UI login sessions, so a restart (crash recovery, a config reload) does not log the admin out mid-apply.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const uiSessions = sqliteTable(
  'ui_sessions',
  {
    /** sha256 of the cookie value: a copy of the database does not hand out live sessions. */
    idHash: text().primaryKey(),
    user: text().notNull(),
    /** The per-session CSRF token every form carries. */
    csrf: text().notNull(),
    createdAt: integer().notNull(),
    /** Epoch ms; pushed out on use (sliding expiry). */
    expiresAt: integer().notNull(),
    /** JSON { applyId: confirm token } of the applies this session started, for the countdown after a reload. */
    applyTokens: text().notNull().default('{}'),
  },
  (t) => [index('ui_sessions_expires_idx').on(t.expiresAt)],
);
