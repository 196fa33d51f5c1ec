import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { checkClauses, violates } from '../../server/db/check-clauses.ts';

const TABLE = `CREATE TABLE t (
  id    INTEGER PRIMARY KEY,
  kind  TEXT CHECK (kind IN ('a', 'b(c)', 'it''s')), -- CHECK (ignored: a comment)
  n     INTEGER /* CHECK (n > 100) */ CHECK (n BETWEEN 1 AND 5),
  "check" TEXT,
  CHECK ((kind = 'a') = (n IS NOT NULL))
)`;

describe('CHECK clauses read from a CREATE TABLE statement', () => {
  it('finds column and table clauses in order, past quotes, parentheses in strings and comments', () => {
    expect(checkClauses(TABLE).map((c) => c.sql)).toEqual([
      "kind IN ('a', 'b(c)', 'it''s')",
      'n BETWEEN 1 AND 5',
      "(kind = 'a') = (n IS NOT NULL)",
    ]);
  });

  it('selects exactly the rows an insert with the checks on would refuse (NULL passes)', () => {
    const db = new Database(':memory:');
    db.exec(TABLE);
    db.pragma('ignore_check_constraints = ON');
    const rows: [number, string | null, number | null][] = [
      [1, 'a', 3], [2, 'b(c)', null], [3, "it's", null], [4, null, 9], [5, 'x', null], [6, 'a', 0], [7, 'a', null], [8, 'b(c)', 2],
    ];
    const ins = db.prepare('INSERT INTO t (id, kind, n) VALUES (?, ?, ?)');
    for (const r of rows) ins.run(...r);
    const bad = (db.prepare(`SELECT id FROM t WHERE ${checkClauses(TABLE).map(violates).join(' OR ')} ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
    const strict = new Database(':memory:');
    strict.exec(TABLE);
    const refused = rows.filter((r) => {
      try {
        strict.prepare('INSERT INTO t (id, kind, n) VALUES (?, ?, ?)').run(...r);
        return false;
      } catch {
        return true;
      }
    }).map((r) => r[0]);
    expect(refused).toEqual([4, 5, 6, 7, 8]);
    expect(bad).toEqual(refused);
  });
});
