// openDb: the SQLite database, migrated, in WAL mode with foreign keys on. No singletons: callers pass it on.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = BetterSQLite3Database & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Opens (creating if needed) and migrates the database at `path`; `:memory:` gives a private one. */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // FULL: a commit the API acknowledged survives a power cut too (writes are rare; one fsync each).
  sqlite.pragma('synchronous = FULL');
  const db = drizzle(sqlite, { casing: 'snake_case' });
  migrate(db, { migrationsFolder });
  return db;
}

export function closeDb(db: Db): void {
  if (db.$client.open) db.$client.close();
}
