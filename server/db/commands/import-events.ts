/**
 * Writes of an events import: the planned rows go straight into events, event_sources and event_log inside ONE
 * transaction, opened at the first batch and committed after the last. A failed or interrupted import therefore
 * leaves the database exactly as it was; a re-import of the same file finds every (source, source id) already present
 * and adds nothing. The report's lines wait in a TEMP table (the connection's own temporary database) until the
 * import ends. No domain rules here: the caller passes rows it has checked and planned.
 */
import { availableParallelism } from 'node:os';
import { C, N, T, code, codeOrNull, num, numOrNull, text, type PlannedRows } from '../../import/planned-rows.ts';
import { checkClauses, violates } from '../check-clauses.ts';
import type { Db } from '../database.ts';
import { sqlText } from '../queries/statements.ts';

/** One checked source row, ready to become an event. */
export interface PlannedEvent {
  row: number;
  source_id: string;
  /** null: the source category maps to no taxonomy category (stored under the unmapped category). */
  category_code: string | null;
  source_category: string;
  department: string;
  kind: string;
  channel: string;
  priority: string;
  status: string;
  tier: string;
  text: string;
  lon: number;
  lat: number;
  version_id: number;
  block_code: string;
  community_code: string;
  subdistrict_code: string;
  unit_id: number | null;
  reported_at: number;
  /** 立案: the source's created time for every case it shows as accepted (not merely reported, not rejected). */
  filed_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  due_at: number;
  /** The warning instant (预警) of an open case; due_at when there is no deadline or the case is finished. */
  warn_at: number;
  verify_due_at: number | null;
}

/** A reported row: skipped (not imported) or a note on an imported row. */
export interface ImportIssue {
  row: number;
  source_id: string;
  outcome: 'skipped' | 'note';
  reason: string;
  detail: string;
}

/**
 * Page cache (KiB) while the rows go in: the default 2 MB thrashes on the unique indexes (case number, source id),
 * which take rows in no particular order; 32 MB was no faster than 16 and cost a million-row import 16 MB more.
 */
const IMPORT_CACHE_KIB = 16_384;

/** Page cache (KiB) while the dropped indexes are built again (see commit). */
const INDEX_BUILD_CACHE_KIB = 2048;

/** Imports of at least this share of the events already stored rebuild the indexes instead of inserting into them. */
const REBUILD_SHARE = 0.5;

/** Helper threads of SQLite's sorter for the index builds of a large import. */
const SORTER_THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));

/** The unmapped category's names: found by these when it already exists. */
export const UNMAPPED_CATEGORY = { name: '未映射', nameEn: 'Unmapped', majorName: '未映射', majorNameEn: 'Unmapped' } as const;

export function importEventCommands(db: Db) {
  db.exec(`
    DROP TABLE IF EXISTS temp.import_issues;
    CREATE TABLE temp.import_issues (n INTEGER PRIMARY KEY, row INTEGER, source_id TEXT, outcome TEXT, reason TEXT, detail TEXT);
  `);
  /**
   * The row inserts of one import. Its constants (the source, the import time) are written into the statements
   * rather than bound on every row: binding is a good part of a bulk insert's cost in better-sqlite3.
   */
  function rowInserts(source: string, importedAt: number) {
    if (!Number.isSafeInteger(importedAt)) throw new RangeError(`import time must be an integer (ms): ${importedAt}`);
    const src = sqlText(source);
    return {
      event: db.prepare<unknown[]>(
        `INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id, block_code,
                             community_code, subdistrict_code, unit_id, reported_at, filed_at, resolved_at, closed_at, due_at,
                             verify_due_at, warn_at)
         VALUES (?, ${sqlText(`${source}:`)} || ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      source: db.prepare<unknown[]>(
        `INSERT INTO event_sources (event_id, source, source_id, source_row, source_category, department, imported_at)
         VALUES (?, ${src}, ?, ?, ?, ?, ${importedAt})`,
      ),
    };
  }
  // One log row per imported case: how it entered the loop, with its final status as the source recorded it. Made
  // from the batch's rows just written (still in the page cache), one statement per batch: binding five values per
  // row from here cost more than SQLite reading them back.
  const insertLog = db.prepare<[number, number, number]>(
    `INSERT INTO event_log (id, event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note)
     SELECT e.id + ?, e.id, e.reported_at, NULL, 'import', NULL, e.status, NULL, 'import ' || s.source || ' row ' || s.source_row
       FROM events e JOIN event_sources s ON s.event_id = e.id
      WHERE e.id BETWEEN ? AND ? ORDER BY e.id`,
  );
  const checks = importChecks(db);
  const issue = db.prepare<unknown[]>(`INSERT INTO temp.import_issues (row, source_id, outcome, reason, detail) VALUES (?, ?, ?, ?, ?)`);

  /** The unmapped category's code: an existing one, or a free 4-digit code (9999 down) created now. */
  function unmappedCategory(taken: (code: string) => boolean): string {
    const found = db.prepare<[string], { code: string }>(`SELECT code FROM categories WHERE name = ?`).get(UNMAPPED_CATEGORY.name);
    if (found) return found.code;
    for (let n = 9999; n >= 1000; n--) {
      const code = String(n);
      if (taken(code) || db.prepare(`SELECT 1 FROM categories WHERE code = ? OR major_code = ?`).get(code, code.slice(0, 2))) continue;
      // Never due (imported rows carry no deadline of their own here), never escalated: the values only satisfy
      // the table's checks.
      db.prepare(
        `INSERT INTO categories (code, major_code, major_name, major_name_en, name, name_en, tier, unit_key, deadline_value, deadline_unit, warning_ratio)
         VALUES (?, ?, ?, ?, ?, ?, 'block', 'block', 1, 'working-days', 0.5)`,
      ).run(code, code.slice(0, 2), UNMAPPED_CATEGORY.majorName, UNMAPPED_CATEGORY.majorNameEn, UNMAPPED_CATEGORY.name, UNMAPPED_CATEGORY.nameEn);
      return code;
    }
    throw new Error('no free category code for the unmapped category');
  }

  /**
   * The secondary indexes to build afresh after a large import: every full index not led by the event id, and each
   * partial one that any of the rows written so far entered. One that imported history never enters (dispatch,
   * assignee, verification) is left in place: it costs the import nothing, where building it again would cost a
   * scan of the whole table.
   * (Keeping the partial indexes that a fifth of the rows enter was measured slower than building them again.)
   */
  function indexesToRebuild(base: number): { name: string; sql: string }[] {
    const all = db.prepare(
      `SELECT name, tbl_name AS tbl, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'event_sources', 'event_log')`,
    ).all() as { name: string; tbl: string; sql: string }[];
    return all.filter((ix) => {
      // An index led by the event id takes the import's rows at its end, in order (their ids are new and rising):
      // kept, it costs an append per row; 1M log rows went in with event_log_event in 0.82 s, against 0.64 s plus a
      // 0.78 s build without it.
      const lead = /\(\s*"?(\w+)/.exec(ix.sql.slice(ix.sql.search(/\bON\b/i)))?.[1];
      if (lead === (ix.tbl === 'events' ? 'id' : 'event_id')) return false;
      const where = /\bON\s+events\s*\([^)]*\)\s*WHERE\b([\s\S]*)$/i.exec(ix.sql)?.[1];
      if (where === undefined) return true;
      const entered = (db.prepare(`SELECT count(*) AS n FROM events WHERE id > ? AND (${where})`).get(base) as { n: number }).n;
      return entered > 0;
    });
  }

  interface Run {
    insert: ReturnType<typeof rowInserts>;
    taken: (code: string) => boolean;
    base: number;
    /** The event_log id before the import's first row. */
    logBase: number;
    written: number;
    unmapped: string | null;
    rebuild: { name: string; sql: string }[] | null;
    restore: () => void;
  }
  let run: Run | null = null;

  /** A batch into each table in turn (one table's pages at a time). */
  function writeRows(r: Run, rows: PlannedRows): void {
    const first = r.base + r.written + 1;
    const n = rows.length;
    for (let k = 0; k < n; k++) {
      const category = codeOrNull(rows, k, C.category_code) ?? (r.unmapped ??= unmappedCategory(r.taken));
      r.insert.event.run(
        first + k, text(rows, k, T.source_id), code(rows, k, C.kind), code(rows, k, C.channel), category,
        code(rows, k, C.priority), code(rows, k, C.status), code(rows, k, C.tier), text(rows, k, T.text), num(rows, k, N.lon),
        num(rows, k, N.lat), num(rows, k, N.version_id), code(rows, k, C.block_code), code(rows, k, C.community_code),
        code(rows, k, C.subdistrict_code), numOrNull(rows, k, N.unit_id), num(rows, k, N.reported_at), numOrNull(rows, k, N.filed_at),
        numOrNull(rows, k, N.resolved_at), numOrNull(rows, k, N.closed_at), num(rows, k, N.due_at), numOrNull(rows, k, N.verify_due_at),
        num(rows, k, N.warn_at),
      );
    }
    for (let k = 0; k < n; k++) {
      r.insert.source.run(first + k, text(rows, k, T.source_id), num(rows, k, N.row), code(rows, k, C.source_category), code(rows, k, C.department));
    }
    const logRun = insertLog.run(r.logBase - r.base, first, first + n - 1);
    if (logRun.changes !== n) throw new Error(`import: ${logRun.changes} log rows for a batch of ${n}`);
    checks.verify(r.base, r.logBase, r.written, rows);
    r.written += n;
  }

  return {
    /**
     * Opens the import's transaction. `taken` says which category codes the taxonomy uses (the unmapped category must
     * not collide with them).
     */
    begin(source: string, importedAt: number, taken: (code: string) => boolean): void {
      if (run) throw new Error('an import is already open on this connection');
      const insert = rowInserts(source, importedAt);
      // A larger page cache while rows go in; sorter threads for the index builds (a second core sorts while this
      // one scans).
      const cacheSize = db.pragma('cache_size', { simple: true }) as number;
      const threads = db.pragma('threads', { simple: true }) as number;
      // Foreign keys are not checked row by row: every reference of a planned row (block of its boundary version,
      // community, subdistrict, unit, category) was taken from this database's own tables, and the rows an import
      // adds refer to each other by construction. Checking them costs an index look-up per reference and row.
      // Off on this connection only, and only while the import is open (it cannot change inside a transaction).
      const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
      if (foreignKeys) db.pragma('foreign_keys = OFF');
      // CHECK constraints are tested per batch instead (importChecks): the same clauses, one query per batch.
      const ignoreChecks = db.pragma('ignore_check_constraints', { simple: true }) as number;
      db.pragma('ignore_check_constraints = ON');
      db.pragma(`cache_size = ${IMPORT_CACHE_KIB * -1}`);
      db.pragma(`threads = ${SORTER_THREADS}`);
      const restore = () => {
        if (foreignKeys) db.pragma('foreign_keys = ON');
        if (!ignoreChecks) db.pragma('ignore_check_constraints = OFF');
        db.pragma(`threads = ${threads}`);
        db.pragma(`cache_size = ${cacheSize}`);
      };
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        restore();
        throw err;
      }
      const base = (db.prepare(`SELECT coalesce(max(id), 0) AS m FROM events`).get() as { m: number }).m;
      const logBase = (db.prepare(`SELECT coalesce(max(id), 0) AS m FROM event_log`).get() as { m: number }).m;
      run = { insert, taken, base, logBase, written: 0, unmapped: null, rebuild: null, restore };
    },
    /**
     * Writes a batch of planned rows and issues. `expected` is the number of rows the whole file is likely to bring:
     * an import of at least half the events already stored builds the secondary indexes afresh at the end (a sort
     * per index instead of a b-tree insert per row and index, most of them at random pages). They are dropped after
     * the first batch (which tells which partial indexes the rows enter), in the same transaction, so a failed
     * import leaves them as they were.
     */
    write(rows: PlannedRows, issues: readonly ImportIssue[], expected: number): void {
      if (!run) throw new Error('no import is open');
      writeRows(run, rows);
      for (const i of issues) issue.run(i.row, i.source_id, i.outcome, i.reason, i.detail);
      if (run.rebuild === null && run.written > 0) {
        run.rebuild = expected >= REBUILD_SHARE * run.base ? indexesToRebuild(run.base) : [];
        for (const ix of run.rebuild) db.exec(`DROP INDEX ${ix.name}`);
      }
    },
    /**
     * Builds the dropped indexes again and commits; returns the number of events written. `inside` runs in the same
     * transaction with that number (the audit row of the import).
     */
    commit(inside?: (n: number) => void): number {
      if (!run) throw new Error('no import is open');
      const r = run;
      if (r.rebuild?.length) {
        // The builds sort in runs of the page cache's size: small runs sort within the processor's caches. The four
        // largest builds of a million rows took 2.37–2.38 s with 2 MB, 2.57–2.63 s with 4 MB and 3.39–3.45 s with
        // the 16 MB the inserts use (4 KiB pages; 64 MB was slower still).
        db.pragma(`cache_size = ${INDEX_BUILD_CACHE_KIB * -1}`);
        for (const ix of r.rebuild) db.exec(ix.sql);
      }
      inside?.(r.written);
      // The commit does not copy the log into the database file (SQLite's automatic checkpoint, ~2 s after a
      // million rows, on this thread): the server's checkpointer does it off the event loop (wal-checkpointer.ts),
      // a command-line import when it closes the file. The import is committed, and durable as any commit, before.
      const autoCheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
      if (autoCheckpoint > 0) db.pragma('wal_autocheckpoint = 0');
      try {
        db.exec('COMMIT');
      } finally {
        if (autoCheckpoint > 0) db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
      }
      run = null;
      r.restore();
      return r.written;
    },
    /** Undoes everything the open import wrote (nothing when none is open). */
    rollback(): void {
      if (!run) return;
      const r = run;
      run = null;
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } finally {
        r.restore();
      }
    },
    /** The issues recorded so far, in row order, a page at a time (bounded memory for large reports). */
    *issues(): Generator<ImportIssue> {
      const page = db.prepare<[number], ImportIssue & { n: number }>(
        `SELECT n, row, source_id, outcome, reason, detail FROM temp.import_issues WHERE n > ? ORDER BY n LIMIT 10000`,
      );
      let after = 0;
      for (;;) {
        const rows = page.all(after);
        if (rows.length === 0) return;
        for (const r of rows) yield { row: r.row, source_id: r.source_id, outcome: r.outcome, reason: r.reason, detail: r.detail };
        after = rows[rows.length - 1].n;
      }
    },
    /** Drops the report's table (and undoes an import left open). */
    close(): void {
      this.rollback();
      db.exec(`DROP TABLE IF EXISTS temp.import_issues;`);
    },
  };
}

/** A row of an import that breaks one of its table's CHECK constraints: the import fails as a constraint would. */
export class ImportCheckError extends Error {
  readonly code = 'SQLITE_CONSTRAINT_CHECK';
  constructor(readonly table: string, readonly sourceRow: number, readonly clause: string) {
    super(`CHECK constraint failed: ${table}: ${clause} (source row ${sourceRow})`);
    this.name = 'ImportCheckError';
  }
}

/**
 * The CHECK constraints of the three tables an import writes, tested over the ids of each batch just written (the
 * rows go in with ignore_check_constraints on: check-clauses.ts says why). Tables without CHECKs cost nothing.
 */
function importChecks(db: Db) {
  const tables = [
    { table: 'events', log: false },
    { table: 'event_sources', log: false },
    { table: 'event_log', log: true },
  ].flatMap(({ table, log }) => {
    const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) as { sql: string }).sql;
    const clauses = checkClauses(sql);
    if (clauses.length === 0) return [];
    const any = db.prepare<[number, number], { rowid: number }>(
      `SELECT rowid FROM ${table} WHERE rowid BETWEEN ? AND ? AND (${clauses.map(violates).join(' OR ')}) ORDER BY rowid LIMIT 1`,
    );
    const each = clauses.map((c) => ({ clause: c.sql, test: db.prepare<[number], { one: number }>(`SELECT 1 AS one FROM ${table} WHERE rowid = ? AND ${violates(c)}`) }));
    return [{ table, log, any, each }];
  });
  return {
    /** Throws ImportCheckError for the first row of the batch (ids after base + written) that breaks a clause. */
    verify(base: number, logBase: number, written: number, rows: PlannedRows): void {
      for (const t of tables) {
        const from = (t.log ? logBase : base) + written + 1;
        const bad = t.any.get(from, from + rows.length - 1);
        if (!bad) continue;
        const clause = t.each.find((c) => c.test.get(bad.rowid))?.clause ?? '?';
        throw new ImportCheckError(t.table, num(rows, bad.rowid - from, N.row), clause);
      }
    },
  };
}

export type ImportEventCommands = ReturnType<typeof importEventCommands>;
