import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

/**
 * How hard each commit is pushed to the disk (PRAGMA synchronous, in WAL mode):
 *
 * - NORMAL (the default): a commit returns once its pages are written to the write-ahead log, which is synced at
 *   each checkpoint. Every acknowledged write survives a crash of the process — kill -9, out of memory, a bug — because
 *   the written log is the operating system's to keep, and the next open replays it (tests/api/crash-safety.test.ts
 *   kills the server during ingest to prove it). Only a power cut or an operating-system crash can lose the last
 *   commits before a checkpoint, and even then the file stays consistent (never corrupt, never half a transaction).
 * - FULL: the log is also synced at every commit, so acknowledged writes survive a power cut too, at the price of
 *   one fsync per commit (reports are committed in groups, which shares it). For machines without a UPS or a
 *   battery-backed disk cache: GEZHI_SYNCHRONOUS=FULL.
 */
export type Synchronous = 'NORMAL' | 'FULL';

/** GEZHI_SYNCHRONOUS (NORMAL or FULL, default NORMAL); anything else stops start-up. */
export function synchronousFromEnv(env: NodeJS.ProcessEnv = process.env): Synchronous {
  const raw = (env.GEZHI_SYNCHRONOUS ?? '').trim().toUpperCase();
  if (raw === '') return 'NORMAL';
  if (raw !== 'NORMAL' && raw !== 'FULL') throw new Error(`GEZHI_SYNCHRONOUS must be NORMAL or FULL, got ${JSON.stringify(env.GEZHI_SYNCHRONOUS)}`);
  return raw;
}

/**
 * Page size of a database file created here (an existing file keeps its own): 8 KiB unless GEZHI_PAGE_SIZE says
 * otherwise (a power of two, 512 to 65536). Larger pages make a large import faster (fewer, fuller pages to insert,
 * sort and commit) and may cost the small commits of the live path:
 * - 8 KiB against SQLite's 4 KiB: a 1,000,000-row import 17.81 / 17.24 s against 18.94 / 18.54 s (alternating
 *   runs); the live bench's reports per second, as a share of a bare hello, 0.203 / 0.244 / 0.233 against
 *   0.203 / 0.212 / 0.187, its POST p99 7.43 / 5.06 / 9.11 ms against 6.32 / 5.71 / 8.28 ms (three alternating pairs:
 *   no cost beyond the machine's noise).
 * - 16 KiB: ~2 s off the import, but the live ratio fell from a median 0.225 to 0.208 and the POST p99 rose from
 *   ~6 to ~8 ms (five alternating runs each). For a district that imports far more than it reports.
 */
export function pageSizeFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = (env.GEZHI_PAGE_SIZE ?? '').trim();
  if (raw === '') return 8192;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 512 || n > 65_536 || (n & (n - 1)) !== 0) {
    throw new Error(`GEZHI_PAGE_SIZE must be a power of two from 512 to 65536, got ${JSON.stringify(env.GEZHI_PAGE_SIZE)}`);
  }
  return n;
}

/** Opens (creating if needed) the SQLite file with WAL and foreign keys, and brings its schema up to date. */
export function openDatabase(file: string, options: { readonly?: boolean; synchronous?: Synchronous } = {}): Db {
  const fresh = file === ':memory:' || !existsSync(file) || statSync(file).size === 0;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  // Only before the first table is written, and before WAL (which fixes the page size of a file).
  if (fresh && !options.readonly) db.pragma(`page_size = ${pageSizeFromEnv()}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) migrate(db);
  return db;
}

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this program's ${latest}; upgrade Gezhi`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    // foreign_keys cannot change inside a transaction: off before it, checked inside, back on after.
    const fk = m.foreignKeysOff ? (db.pragma('foreign_keys', { simple: true }) as number) : 0;
    if (m.foreignKeysOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.foreignKeysOff) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${m.version} would leave ${broken.length} broken foreign keys`);
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.foreignKeysOff && fk) db.pragma('foreign_keys = ON');
    }
  }
  return db.pragma('user_version', { simple: true }) as number;
}
