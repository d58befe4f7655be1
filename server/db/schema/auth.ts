// Credentials: API tokens (only their hashes) with scopes, the admin password hash, and server secrets.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const apiTokens = sqliteTable('api_tokens', {
  name: text().primaryKey(),
  /** sha256 of the token text, hex; the token itself is shown once and never stored. */
  hash: text().notNull().unique(),
  /** Comma-separated scopes: read, write, apply. */
  scopes: text().notNull(),
  /** The first characters of the token, so people can tell tokens apart in listings. */
  prefix: text().notNull(),
  createdAt: integer().notNull(),
  lastUsedAt: integer(),
});

export const adminUsers = sqliteTable('admin_users', {
  username: text().primaryKey(),
  /** "scrypt$N$r$p$salt-b64$hash-b64" */
  passwordHash: text().notNull(),
  createdAt: integer().notNull(),
  updatedAt: integer().notNull(),
});

/** Random secrets generated once per installation (e.g. the UI's cookie signing key). */
export const serverSecrets = sqliteTable('server_secrets', {
  name: text().primaryKey(),
  value: text().notNull(),
  createdAt: integer().notNull(),
});
