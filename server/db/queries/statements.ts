import type { Statement } from 'better-sqlite3';
import type { Db } from '../database.ts';

/**
 * Prepares each SQL text once per connection. Queries whose WHERE clause depends on which filters are present
 * build their text from a fixed set of fragments, so the cache holds a small, bounded number of statements.
 */
export function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}

/** A string as an SQL literal (`'it''s'`), for text written into a statement rather than bound. */
export const sqlText = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** `?, ?, ?` for an IN list of n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
