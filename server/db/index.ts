// openDb: the SQLite database, migrated, in WAL mode with foreign keys on. No singletons: callers pass it on.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = BetterSQLite3Database & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Opens (creating if needed) and migrates the database at `path`; `:memory:` gives a private one. */
export function openDb(path: string): Db {
  // The database holds the admin password hash and session/confirm tokens: root-only (new directories).
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sqlite = new Database(path);
  if (path !== ':memory:') chmodSync(path, 0o600);
  const journal = setJournalMode(sqlite);
  if (journal !== 'wal' && journal !== 'memory') process.stderr.write(`lunawall: ${path}: WAL is not available on this filesystem; using journal_mode=${journal}\n`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // FULL: a commit the API acknowledged survives a power cut too (writes are rare; one fsync each).
  sqlite.pragma('synchronous = FULL');
  const db = drizzle(sqlite, { casing: 'snake_case' });
  migrate(db, { migrationsFolder });
  return db;
}

/**
 * WAL needs a shared writable mmap of the -shm file, which JFFS2 (the overlay of many NOR-flash
 * routers) refuses: there, fall back to a rollback journal, which every filesystem supports.
 */
export function setJournalMode(sqlite: Pick<Database.Database, 'pragma'>): string {
  try {
    const mode = String(sqlite.pragma('journal_mode = WAL', { simple: true }));
    if (mode === 'wal' || mode === 'memory') return mode;
  } catch {
    // SQLITE_IOERR_SHMMAP and friends: the filesystem cannot hold the WAL index.
  }
  return String(sqlite.pragma('journal_mode = DELETE', { simple: true }));
}

export function closeDb(db: Db): void {
  if (db.$client.open) db.$client.close();
}
