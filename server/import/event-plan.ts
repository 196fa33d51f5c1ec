/**
 * The reading half of an events import: a source file and its mapping → batches of checked rows (event-row.ts)
 * and the issues of the rows that were not imported or carry a note. Nothing is written here: the planner only reads
 * the database (its boundary versions, units and the ids a source already has), so it can run on a thread of its own
 * beside the connection that writes (plan-thread.ts).
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { TAXONOMY } from '../contract/taxonomy.ts';
import type { ImportIssue } from '../db/commands/import-events.ts';
import { eventCommands } from '../db/commands/events.ts';
import type { Db } from '../db/database.ts';
import { createQueries } from '../db/queries/index.ts';
import type { WorkCalendar } from '../domain/working-time.ts';
import { BlockLocator } from '../geo/block-locator.ts';
import { crsConverter } from '../geo/crs.ts';
import { planRow, type LocatedBlock, type RowContext } from './event-row.ts';
import type { EventMapping } from './mapping.ts';
import { SourceFormatError } from './source-error.ts';
import { CsvSyntaxError } from './csv-reader.ts';
import { PlannedRowsBuilder, type PlannedRows } from './planned-rows.ts';
import { openRecords, type SourceRecord } from './records.ts';
import { timestampParser } from './timestamps.ts';

/** A batch of planned rows, in file order, with the issues of the same stretch of the file. */
export interface PlannedBatch {
  rows: PlannedRows;
  issues: ImportIssue[];
  /** Source rows read for this batch. */
  read: number;
  /** Bytes of the file read so far, and its size. */
  done: number;
  total: number;
}

/** Point → block of the boundary version in force when the event was reported (the earliest version before it). */
function blockFinder(db: Db): (lon: number, lat: number, at: number) => LocatedBlock | null {
  const q = createQueries(db);
  const versions = db.prepare(`SELECT id, effective_from FROM boundary_versions ORDER BY effective_from, id`).all() as { id: number; effective_from: number }[];
  const built = new Map<number, { locator: BlockLocator; blocks: LocatedBlock[] }>();
  const of = (versionId: number) => {
    let v = built.get(versionId);
    if (!v) {
      const rows = q.blocks.list(versionId);
      v = {
        locator: BlockLocator.build(rows.map((r) => JSON.parse(r.geometry) as Polygon | MultiPolygon)),
        blocks: rows.map((r) => ({ versionId, code: r.code, community_code: r.community_code, subdistrict_code: r.subdistrict_code })),
      };
      built.set(versionId, v);
    }
    return v;
  };
  return (lon, lat, at) => {
    if (versions.length === 0) return null;
    let version = versions[0];
    for (const v of versions) if (v.effective_from <= at) version = v;
    const { locator, blocks } = of(version.id);
    const i = locator.locate(lon, lat);
    return i < 0 ? null : blocks[i];
  };
}

/** What checking a row needs from the database: its blocks, its units and the ids already imported from the source. */
export function planContext(db: Db, mapping: EventMapping, calendar: WorkCalendar): RowContext {
  const units = new Map(eventCommands(db).units().map((u) => [`${u.kind}|${u.key}|${u.subdistrict_code}`, u.id]));
  const known = db.prepare<[string, string], { one: number }>(`SELECT 1 AS one FROM event_sources WHERE source = ? AND source_id = ?`);
  const seen = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM event_sources WHERE source = ? LIMIT 1`).get(mapping.source) !== undefined;
  return {
    mapping,
    parseTime: timestampParser(mapping.timestampFormats, mapping.timeZone),
    toWgs84: crsConverter(mapping.crs),
    locate: blockFinder(db),
    category: (code: string) => TAXONOMY.byCode.get(code),
    unitId: (c: { tier: string; unitKey: string }, subdistrict: string) =>
      c.tier === 'block' ? null : units.get(`${c.tier === 'centre' ? 'centre' : 'department'}|${c.unitKey}|${subdistrict}`) ?? null,
    // A source never imported before has nothing to look up per row.
    alreadyImported: seen ? (id: string) => known.get(mapping.source, id) !== undefined : () => false,
    calendar,
  };
}

/**
 * Reads the file and checks every row, `batchSize` planned rows (or issues) at a time. The first record's columns
 * are checked against the mapping: a file without a mapped column fails before any row is planned.
 */
export async function* planBatches(file: string, mapping: EventMapping, ctx: RowContext, batchSize: number): AsyncGenerator<PlannedBatch> {
  const source = openRecords(file);
  // Ids seen in this file (the first row with an id wins): the one piece of memory that grows with the file.
  const seen = new Set<string>();
  let lastRow = 1;
  let rows = new PlannedRowsBuilder();
  let issues: ImportIssue[] = [];
  let read = 0;
  const cut = (): PlannedBatch => {
    const p = source.progress();
    const out = { rows: rows.build(), issues, read, done: p.done, total: p.total };
    rows = new PlannedRowsBuilder();
    issues = [];
    read = 0;
    return out;
  };
  let columnsChecked = false;
  const runs = source.runs[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Iterable<SourceRecord>>;
    try {
      next = await runs.next();
    } catch (err) {
      // The file itself cannot be read on: the source's fault.
      throw new SourceFormatError(`after row ${lastRow}: ${(err as Error).message}`);
    }
    if (next.done) break;
    const run = next.value[Symbol.iterator]();
    for (;;) {
      let item: IteratorResult<SourceRecord>;
      try {
        item = run.next();
      } catch (err) {
        // A quote left open or closed too early: the source's fault, at the row the error names.
        throw err instanceof CsvSyntaxError ? new SourceFormatError(err.message) : err;
      }
      if (item.done) break;
      const rec = item.value;
      lastRow = rec.row;
      if (!columnsChecked) {
        const header = source.columns();
        if (header) {
          const have = new Set(header);
          const missing = Object.entries(mapping.columns).filter(([, c]) => !have.has(c)).map(([f, c]) => `${f} → "${c}"`);
          if (missing.length) throw new SourceFormatError(`the file has no column for ${missing.join(', ')} (its columns: ${[...have].join(', ')})`);
        }
        columnsChecked = true;
      }
      read++;
      const out = planRow(rec, seen, ctx);
      if (out.ok) {
        rows.add(out.event);
        for (const n of out.notes) issues.push(n);
      } else {
        issues.push(out.issue);
      }
      if (rows.length >= batchSize || issues.length >= batchSize) yield cut();
    }
  }
  yield cut();
}
