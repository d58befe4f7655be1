// How the database file is opened: journal mode (WAL where the filesystem allows it, JFFS2 falls back) and file modes.
import Database from 'better-sqlite3';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDb, openDb, setJournalMode } from '../../server/db/index.js';

describe('journal mode', () => {
  it('a file database runs in WAL mode', () => {
    const db = openDb(join(mkdtempSync(join(tmpdir(), 'lw-journal-')), 'x.db'));
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    closeDb(db);
  });

  it('falls back to a rollback journal when the filesystem refuses WAL', () => {
    const asked: string[] = [];
    const refusing = {
      pragma(source: string) {
        asked.push(source);
        if (source === 'journal_mode = WAL') throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_SHMMAP' });
        return 'delete';
      },
    } as unknown as Pick<Database.Database, 'pragma'>;
    expect(setJournalMode(refusing)).toBe('delete');
    expect(asked).toEqual(['journal_mode = WAL', 'journal_mode = DELETE']);
  });

  it('a real database left in rollback mode still opens and writes after the fallback', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lw-journal-')), 'y.db');
    const sqlite = new Database(file);
    const declining = { pragma: (s: string, o?: { simple: boolean }) => (s === 'journal_mode = WAL' ? 'delete' : sqlite.pragma(s, o)) } as Pick<Database.Database, 'pragma'>;
    expect(setJournalMode(declining)).toBe('delete');
    sqlite.exec('create table t (x); insert into t values (1)');
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
    sqlite.close();
  });
});

describe('file modes', () => {
  it('a new data directory is 0700 and the database 0600 (it holds the password hash and tokens)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lw-mode-')), 'data');
    const db = openDb(join(dir, 'lunawall.db'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'lunawall.db')).mode & 0o777).toBe(0o600);
    closeDb(db);
  });
});
