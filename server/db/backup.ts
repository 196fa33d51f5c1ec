/**
 * Online backup and restore of the SQLite file.
 *
 * Backup uses SQLite's online backup API (through better-sqlite3) from a connection of its own, so it is safe while
 * the server runs: it copies every page in one step inside one read transaction, which in WAL mode sees the last
 * commit and never blocks the server's writes (copied page by page between writes, the backup would restart each
 * time another connection wrote, and never finish under a steady stream of reports). The copy is then checked with
 * `PRAGMA integrity_check`.
 *
 * Restore replaces the database file with a checked backup. It refuses while a server holds the file (see
 * holder.ts), keeps the file it replaces beside it (`<file>.before-restore-<time>`), and swaps by rename, so a
 * failure half-way leaves either the old or the new database, never a mix.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIGRATIONS } from './migrations.ts';
import { readHolder } from './holder.ts';
import { sqlText } from './queries/statements.ts';

export interface DatabaseCheck {
  ok: boolean;
  /** integrity_check's first lines when not ok, or why the file is no Gezhi database. */
  problems: string[];
  schemaVersion: number;
  events: number | null;
  bytes: number;
}

/** Checks a database file without changing it: integrity, and that it is a Gezhi database this program can open. */
export function checkDatabase(file: string): DatabaseCheck {
  const bytes = statSync(file).size;
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { ok: false, problems: [`cannot open: ${(err as Error).message}`], schemaVersion: 0, events: null, bytes };
  }
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const problems = rows.map((r) => r.integrity_check).filter((s) => s !== 'ok').slice(0, 10);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    if (schemaVersion > latest) problems.push(`schema version ${schemaVersion} is newer than this program's ${latest}`);
    const hasEvents = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'`).get() !== undefined;
    if (!hasEvents) problems.push('no events table: not a Gezhi database');
    const events = hasEvents ? (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n : null;
    return { ok: problems.length === 0, problems, schemaVersion, events, bytes };
  } catch (err) {
    return { ok: false, problems: [(err as Error).message], schemaVersion: 0, events: null, bytes };
  } finally {
    db.close();
  }
}

/** Copies the live database `source` into `target` (which must not exist) and checks the copy. */
export async function backupDatabase(source: string, target: string): Promise<DatabaseCheck> {
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  if (existsSync(target)) throw new Error(`${target} exists already; name a new file`);
  const db = new Database(source, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const partial = `${target}.partial`;
  try {
    // 0 pages in the first step (set-up), then everything in the next, in one read transaction.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (err) {
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
    throw err;
  } finally {
    db.close();
  }
  // The copy carries the source's WAL mode; as a rollback-journal file it is one self-contained file, and reading
  // it (to check it, or to restore it) leaves no -wal/-shm files beside it.
  const copy = new Database(partial, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  const check = checkDatabase(partial);
  if (!check.ok) {
    rmSync(partial, { force: true });
    throw new Error(`the copy failed its check: ${check.problems.join('; ')}`);
  }
  syncFile(partial);
  renameSync(partial, target);
  syncFile(dirname(target));
  return check;
}

export interface RestoreResult {
  check: DatabaseCheck;
  /** Where the replaced database was kept, or null when there was none. */
  previous: string | null;
}

/** Replaces `target` with the checked backup `source`; throws (changing nothing) when it may not. */
export function restoreDatabase(source: string, target: string, now = new Date()): RestoreResult {
  if (!existsSync(source)) throw new Error(`no backup at ${source}`);
  const holder = readHolder(target);
  if (holder) {
    throw new Error(
      `a Gezhi server (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}) has ${target} open. Stop it first ` +
        `(Ctrl-C in its terminal, or kill -TERM ${holder.pid}), then run restore again, then start the server.`,
    );
  }
  const check = checkDatabase(source);
  if (!check.ok) throw new Error(`${source} failed its check, nothing was changed: ${check.problems.join('; ')}`);

  const staged = `${target}.restoring`;
  rmSync(staged, { force: true });
  const copy = new Database(source, { readonly: true, fileMustExist: true });
  try {
    copy.exec(`VACUUM INTO ${sqlText(staged)}`);
  } finally {
    copy.close();
  }
  syncFile(staged);

  let previous: string | null = null;
  if (existsSync(target)) {
    // Fold the write-ahead log into the old file first, so the copy kept aside is whole on its own.
    const old = new Database(target, { fileMustExist: true });
    try {
      old.pragma('busy_timeout = 0');
      old.exec('BEGIN EXCLUSIVE; COMMIT');
      old.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      rmSync(staged, { force: true });
      throw new Error(`${target} is in use by another program (${(err as Error).message}); stop it and try again`);
    } finally {
      old.close();
    }
    previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(staged, target);
  syncFile(dirname(target) || '.');
  return { check, previous };
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The default name of a backup: `backups/gezhi-<UTC time>.db` beside the database file. */
export function defaultBackupName(dbFile: string, now = new Date()): string {
  return join(dirname(dbFile), 'backups', `gezhi-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.db`);
}
