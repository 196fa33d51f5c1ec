/**
 * Events import: a source export (CSV, JSON Lines or JSON) and its column mapping → events, with a report of every
 * row that was not imported (and why) or was imported with a note.
 *
 * All or nothing per file: rows stream in, are checked one by one (event-row.ts) and staged in batches in a
 * temporary table; only when the whole file has been read are they moved into the database, in one transaction.
 * A file that fails part-way (unreadable, interrupted, a constraint) leaves the database as it was, and running the
 * same import again is always safe: ids already imported from the source are skipped (duplicate-id-in-database).
 * Memory stays bounded by the batch size plus the set of ids seen in the file (for in-file duplicates).
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { MultiPolygon, Polygon } from 'geojson';
import { once } from 'node:events';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { eventCommands } from '../db/commands/events.ts';
import { importEventCommands, type ImportIssue, type StagedEvent } from '../db/commands/import-events.ts';
import type { Db } from '../db/database.ts';
import { createQueries } from '../db/queries/index.ts';
import type { Caller } from '../domain/principal.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';
import { BlockLocator } from '../geo/block-locator.ts';
import { crsConverter } from '../geo/crs.ts';
import { planRow, type LocatedBlock } from './event-row.ts';
import { parseMapping, type EventMapping } from './mapping.ts';
import { openRecords } from './records.ts';
import { timestampParser } from './timestamps.ts';
import { createAudit } from '../services/audit.ts';

export interface ImportOptions {
  /** Import time (stored on event_sources); default now. */
  now?: number;
  calendar?: WorkCalendar;
  /** Rows per staged batch (default 5000). */
  batchSize?: number;
  /** Called with bytes read and the file size, about every batch. */
  onProgress?: (done: number, total: number) => void;
  /** Where to write the report CSV (default: next to the input, `<file>.report.csv`); null: none. */
  reportFile?: string | null;
  /** Who imports (the audit row); default the command line. */
  caller?: Caller;
}

export interface ImportSummary {
  file: string;
  source: string;
  reportFile: string | null;
  /** Data rows read (a CSV's header not counted). */
  read: number;
  imported: number;
  skipped: number;
  /** Rows not imported, by reason. */
  skippedBy: Record<string, number>;
  /** Of `seconds`, the final move into the database (one transaction). */
  commitSeconds: number;
  /** Notes on imported rows, by reason. */
  notesBy: Record<string, number>;
  seconds: number;
}

/** Reads and checks a mapping file; a `crs` naming a .prj file is read relative to the mapping. */
export async function loadMapping(file: string): Promise<EventMapping> {
  const raw = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, '')) as Record<string, unknown>;
  if (typeof raw.crs === 'string' && raw.crs.toLowerCase().endsWith('.prj')) {
    raw.crs = await readFile(resolve(dirname(file), raw.crs), 'utf8');
  }
  return parseMapping(raw);
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

export async function importEvents(db: Db, file: string, mapping: EventMapping, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const calendar = options.calendar ?? DEFAULT_CALENDAR;
  const batchSize = options.batchSize ?? 5000;
  const cmd = importEventCommands(db);
  const units = new Map(eventCommands(db).units().map((u) => [`${u.kind}|${u.key}|${u.subdistrict_code}`, u.id]));
  const ctx = {
    mapping,
    parseTime: timestampParser(mapping.timestampFormats, mapping.timeZone),
    toWgs84: crsConverter(mapping.crs),
    locate: blockFinder(db),
    category: (code: string) => TAXONOMY.byCode.get(code),
    unitId: (c: { tier: string; unitKey: string }, subdistrict: string) =>
      c.tier === 'block' ? null : units.get(`${c.tier === 'centre' ? 'centre' : 'department'}|${c.unitKey}|${subdistrict}`) ?? null,
    // A source never imported before has nothing to look up per row.
    alreadyImported: cmd.sourceSeen(mapping.source) ? (id: string) => cmd.alreadyImported(mapping.source, id) : () => false,
    calendar,
  };
  const summary: ImportSummary = {
    file, source: mapping.source, reportFile: null, read: 0, imported: 0, skipped: 0, skippedBy: {}, notesBy: {}, seconds: 0, commitSeconds: 0,
  };
  try {
    const source = openRecords(file);
    const seen = new Set<string>();
    let rows: StagedEvent[] = [];
    let issues: ImportIssue[] = [];
    const flush = () => {
      cmd.stageBatch(rows, issues);
      rows = [];
      issues = [];
      options.onProgress?.(source.progress().done, source.progress().total);
    };
    let columnsChecked = false;
    for await (const rec of source.records) {
      const header = columnsChecked ? null : source.columns();
      if (header) {
        const have = new Set(header);
        const missing = Object.entries(mapping.columns).filter(([, c]) => !have.has(c)).map(([f, c]) => `${f} → "${c}"`);
        if (missing.length) throw new Error(`the file has no column for ${missing.join(', ')} (its columns: ${[...have].join(', ')})`);
      }
      columnsChecked = true;
      summary.read++;
      const out = planRow(rec, seen, ctx);
      if (out.ok) {
        rows.push(out.event);
        for (const n of out.notes) {
          issues.push(n);
          summary.notesBy[n.reason] = (summary.notesBy[n.reason] ?? 0) + 1;
        }
      } else {
        issues.push(out.issue);
        summary.skipped++;
        summary.skippedBy[out.issue.reason] = (summary.skippedBy[out.issue.reason] ?? 0) + 1;
      }
      if (rows.length >= batchSize || issues.length >= batchSize) flush();
    }
    flush();
    const commitStarted = performance.now();
    const audit = createAudit(db);
    summary.imported = cmd.commit(mapping.source, options.now ?? Date.now(), (code) => TAXONOMY.byCode.has(code), (n) => {
      audit.record(options.caller ?? { principal: null, ip: '', label: 'command line' }, {
        action: 'events.import', target: `source:${mapping.source}`, after: { file: basename(file), rows: summary.read, imported: n, skipped: summary.skipped },
      });
    });
    summary.commitSeconds = (performance.now() - commitStarted) / 1000;
    summary.seconds = (performance.now() - started) / 1000;
    const reportFile = options.reportFile === undefined ? `${file}.report.csv` : options.reportFile;
    if (reportFile) {
      await writeReport(reportFile, summary, cmd.issues());
      summary.reportFile = reportFile;
    }
    return summary;
  } finally {
    cmd.close();
  }
}

const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The report as CSV with a UTF-8 BOM: one line per skipped row or note, then the totals. */
export async function writeReport(file: string, s: ImportSummary, issues: Iterable<ImportIssue>): Promise<void> {
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write('\uFEFFrow,source_id,outcome,reason,detail\r\n');
  for (const i of issues) await write(`${i.row},${csvField(i.source_id)},${i.outcome},${i.reason},${csvField(i.detail)}\r\n`);
  await write(`,,total,rows-read,${s.read}\r\n,,total,imported,${s.imported}\r\n,,total,skipped,${s.skipped}\r\n`);
  for (const [reason, n] of Object.entries(s.skippedBy)) await write(`,,total,skipped:${reason},${n}\r\n`);
  for (const [reason, n] of Object.entries(s.notesBy)) await write(`,,total,note:${reason},${n}\r\n`);
  out.end();
  await once(out, 'finish');
}
