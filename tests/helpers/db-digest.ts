/**
 * A digest of a database's contents: per table, its row count and a hash of every row in rowid order. Two digests
 * are equal when no row was added, removed or changed. Read through a connection of its own, so it works beside a
 * running server (WAL readers see the last commit).
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

export interface TableDigest {
  rows: number;
  hash: string;
}

/**
 * `where` narrows a table to the rows that matter (e.g. live messages other than the clock-driven KPI ticks, which a
 * running server appends every 30 s whatever the requests were).
 */
export function databaseDigest(
  file: string,
  where: Record<string, string> = {},
  /** Columns to digest per table instead of all (leaving out bookkeeping such as a token's last use). */
  columns: Record<string, string> = {},
): Record<string, TableDigest> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .pluck()
      .all() as string[];
    const out: Record<string, TableDigest> = {};
    for (const t of tables) {
      const hash = createHash('sha1');
      let rows = 0;
      const filter = where[t] ? ` WHERE ${where[t]}` : '';
      for (const row of db.prepare(`SELECT ${columns[t] ?? '*'} FROM "${t}"${filter}`).raw().iterate() as Iterable<unknown[]>) {
        rows++;
        for (const v of row) hash.update(v === null ? '\u0000' : Buffer.isBuffer(v) ? v : String(v)).update('\u0001');
      }
      out[t] = { rows, hash: hash.digest('hex') };
    }
    return out;
  } finally {
    db.close();
  }
}
