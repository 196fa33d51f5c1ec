/**
 * Writes of an events import. Rows are staged in a TEMP table (the connection's own temporary database: staging
 * takes no lock on the main file, so a running server keeps writing), then moved into events, event_sources and
 * event_log by set-based statements in ONE transaction. A failed or interrupted import therefore leaves the database
 * exactly as it was; a re-import of the same file finds every (source, source id) already present and adds nothing.
 * No domain rules here: the caller passes rows it has checked and planned.
 */
import type { Db } from '../database.ts';

/** One checked source row, ready to become an event. */
export interface StagedEvent {
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

/** Page cache (KiB) while the staged rows move in: the default 2 MB thrashes on a million rows' index inserts. */
const COMMIT_CACHE_KIB = 32_768;

/** Imports of at least this share of the events already stored rebuild the indexes instead of inserting into them. */
const REBUILD_SHARE = 0.5;

const STAGED_COLUMNS = [
  'row', 'source_id', 'category_code', 'source_category', 'department', 'kind', 'channel', 'priority', 'status', 'tier',
  'text', 'lon', 'lat', 'version_id', 'block_code', 'community_code', 'subdistrict_code', 'unit_id', 'reported_at',
  'filed_at', 'resolved_at', 'closed_at', 'due_at', 'warn_at', 'verify_due_at',
] as const satisfies readonly (keyof StagedEvent)[];

/** The unmapped category's names: found by these when it already exists. */
export const UNMAPPED_CATEGORY = { name: '未映射', nameEn: 'Unmapped', majorName: '未映射', majorNameEn: 'Unmapped' } as const;

export function importEventCommands(db: Db) {
  db.exec(`
    DROP TABLE IF EXISTS temp.import_staging;
    DROP TABLE IF EXISTS temp.import_issues;
    CREATE TABLE temp.import_staging (n INTEGER PRIMARY KEY, ${STAGED_COLUMNS.map((c) => c).join(', ')});
    CREATE TABLE temp.import_issues (n INTEGER PRIMARY KEY, row INTEGER, source_id TEXT, outcome TEXT, reason TEXT, detail TEXT);
  `);
  const stage = db.prepare<unknown[]>(
    `INSERT INTO temp.import_staging (${STAGED_COLUMNS.join(', ')}) VALUES (${STAGED_COLUMNS.map(() => '?').join(', ')})`,
  );
  const issue = db.prepare<unknown[]>(`INSERT INTO temp.import_issues (row, source_id, outcome, reason, detail) VALUES (?, ?, ?, ?, ?)`);
  const known = db.prepare<[string, string], { event_id: number }>(`SELECT event_id FROM event_sources WHERE source = ? AND source_id = ?`);
  const anyOf = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM event_sources WHERE source = ? LIMIT 1`);
  const stageBatch = db.transaction((rows: readonly StagedEvent[], issues: readonly ImportIssue[]) => {
    for (const r of rows) {
      stage.run(
        r.row, r.source_id, r.category_code, r.source_category, r.department, r.kind, r.channel, r.priority, r.status, r.tier,
        r.text, r.lon, r.lat, r.version_id, r.block_code, r.community_code, r.subdistrict_code, r.unit_id, r.reported_at,
        r.filed_at, r.resolved_at, r.closed_at, r.due_at, r.warn_at, r.verify_due_at,
      );
    }
    for (const i of issues) issue.run(i.row, i.source_id, i.outcome, i.reason, i.detail);
  });

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

  /** Moves the staged rows into events, event_sources and event_log (one transaction). */
  function move(source: string, importedAt: number, taken: (code: string) => boolean, inside?: (n: number) => void): number {
    return db.transaction(() => {
      const staged = (db.prepare(`SELECT count(*) AS n, sum(category_code IS NULL) AS unmapped FROM temp.import_staging`).get() as { n: number; unmapped: number | null });
      inside?.(staged.n);
      if (staged.n === 0) return 0;
      const unmapped = staged.unmapped ? unmappedCategory(taken) : null;
      const base = (db.prepare(`SELECT coalesce(max(id), 0) AS m FROM events`).get() as { m: number }).m;
      // A large import (against the rows already there) builds the secondary indexes afresh afterwards: a sort per
      // index instead of a b-tree insert per row and index, most of them at random pages. Same transaction, so a
      // failed import leaves the indexes (and everything else) as they were.
      const rebuild = staged.n >= REBUILD_SHARE * base
        ? (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'event_sources', 'event_log')`)
            .all() as { name: string; sql: string }[])
        : [];
      for (const ix of rebuild) db.exec(`DROP INDEX ${ix.name}`);
      // Ids in the file's order: no sort of the staged rows (4.5 s of a million-row import), and the unique indexes
      // (case number, source id) take an export sorted by id or by time — as exports come — near their ends.
      const p = { base, source, unmapped, importedAt };
      db.prepare(
        `INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id,
                             block_code, community_code, subdistrict_code, reporter, unit_id, reported_at, filed_at, resolved_at,
                             closed_at, due_at, verify_due_at, warn_at)
         SELECT @base + n, @source || ':' || source_id, kind, channel, coalesce(category_code, @unmapped), priority, status,
                tier, text, lon, lat, version_id, block_code, community_code, subdistrict_code, '', unit_id, reported_at,
                filed_at, resolved_at, closed_at, due_at, verify_due_at, warn_at
           FROM temp.import_staging ORDER BY n`,
      ).run(p);
      db.prepare(
        `INSERT INTO event_sources (event_id, source, source_id, source_row, source_category, department, imported_at)
         SELECT @base + n, @source, source_id, row, source_category, department, @importedAt FROM temp.import_staging ORDER BY n`,
      ).run({ base, source, importedAt });
      // One log row per imported case: how it entered the loop, with its final status as the source recorded it.
      db.prepare(
        `INSERT INTO event_log (event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note)
         SELECT @base + n, reported_at, NULL, 'import', NULL, status, NULL, 'import ' || @source || ' row ' || row
           FROM temp.import_staging ORDER BY n`,
      ).run({ base, source });
      for (const ix of rebuild) db.exec(ix.sql);
      return staged.n;
    })();
  }

  return {
    /** Whether the source has any imported row yet (a first import skips the per-row look-up). */
    sourceSeen: (source: string): boolean => anyOf.get(source) !== undefined,
    /** Whether a source id was imported before. */
    alreadyImported: (source: string, sourceId: string): boolean => known.get(source, sourceId) !== undefined,
    /** Stages a batch of rows and issues in one (temporary-database) transaction. */
    stageBatch: (rows: readonly StagedEvent[], issues: readonly ImportIssue[]): void => stageBatch(rows, issues),
    /**
     * Moves every staged row into the database in one transaction; returns the number of events written. `taken`
     * says which category codes the taxonomy uses (the unmapped category must not collide with them); `inside` runs
     * in the same transaction with the number of rows (the audit row of the import).
     */
    commit(source: string, importedAt: number, taken: (code: string) => boolean, inside?: (n: number) => void): number {
      // A larger page cache for the move: the secondary indexes of events take rows in no particular order.
      const cacheSize = db.pragma('cache_size', { simple: true }) as number;
      db.pragma(`cache_size = ${COMMIT_CACHE_KIB * -1}`);
      try {
        return move(source, importedAt, taken, inside);
      } finally {
        db.pragma(`cache_size = ${cacheSize}`);
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
    /** Drops the staging tables. */
    close(): void {
      db.exec(`DROP TABLE IF EXISTS temp.import_staging; DROP TABLE IF EXISTS temp.import_issues;`);
    },
  };
}

export type ImportEventCommands = ReturnType<typeof importEventCommands>;
