/**
 * Events import: a source export (CSV, JSON Lines or JSON) and its column mapping → events, with a report of every
 * row that was not imported (and why) or was imported with a note.
 *
 * All or nothing per file: rows stream in and are checked one by one (event-row.ts), on a thread of their own for a
 * large file (plan-thread.ts), and written in batches inside one transaction that commits after the last row. A file
 * that fails part-way (unreadable, interrupted, a constraint) leaves the database as it was, and running the same
 * import again is always safe: ids already imported from the source are skipped (duplicate-id-in-database). Memory
 * stays bounded by a few batches plus the set of ids seen in the file (for in-file duplicates).
 */
import { createWriteStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { once } from 'node:events';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { importEventCommands, type ImportIssue } from '../db/commands/import-events.ts';
import type { Db } from '../db/database.ts';
import type { Caller } from '../domain/principal.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';
import { parseMapping, type EventMapping } from './mapping.ts';
import { planSource, type PlanSource } from './plan-thread.ts';
import { createAudit } from '../services/audit.ts';

export interface ImportOptions {
  /** Import time (stored on event_sources); default now. */
  now?: number;
  calendar?: WorkCalendar;
  /** Rows per batch (default 5000). */
  batchSize?: number;
  /** Called with bytes read and the file size, about every batch. */
  onProgress?: (done: number, total: number) => void;
  /** Where to write the report CSV (default: next to the input, `<file>.report.csv`); null: none. */
  reportFile?: string | null;
  /** Who imports (the audit row); default the command line. */
  caller?: Caller;
  /** Plan the rows on a worker thread: true/false forces it; default for files of 8 MB or more (plan-thread.ts). */
  thread?: boolean;
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
  /** Of `seconds`, the end of the import's transaction: the index builds of a large import, and the commit. */
  commitSeconds: number;
  /** Whether the file was read and checked on a thread of its own, beside the writes. */
  threaded: boolean;
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

export async function importEvents(db: Db, file: string, mapping: EventMapping, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const cmd = importEventCommands(db);
  const summary: ImportSummary = {
    file, source: mapping.source, reportFile: null, read: 0, imported: 0, skipped: 0, skippedBy: {}, notesBy: {}, seconds: 0, commitSeconds: 0,
    threaded: false,
  };
  let plan: PlanSource | null = null;
  try {
    plan = planSource(db, file, mapping, {
      batchSize: options.batchSize ?? 5000, calendar: options.calendar ?? DEFAULT_CALENDAR,
      thread: options.thread, fileBytes: statSync(file).size,
    });
    summary.threaded = plan.threaded;
    // The transaction opens with the first batch: a file that fails before any row is planned never takes the write
    // lock. An empty file opens it at the end, for its audit row.
    let open = false;
    const begin = () => {
      if (open) return;
      cmd.begin(mapping.source, options.now ?? Date.now(), (code) => TAXONOMY.byCode.has(code));
      open = true;
    };
    for await (const batch of plan.batches) {
      summary.read += batch.read;
      for (const i of batch.issues) {
        if (i.outcome === 'skipped') {
          summary.skipped++;
          summary.skippedBy[i.reason] = (summary.skippedBy[i.reason] ?? 0) + 1;
        } else {
          summary.notesBy[i.reason] = (summary.notesBy[i.reason] ?? 0) + 1;
        }
      }
      begin();
      // The rows the whole file is likely to bring, from the share of its bytes read so far.
      const expected = batch.done > 0 ? (summary.read / batch.done) * batch.total : summary.read;
      cmd.write(batch.rows, batch.issues, expected);
      options.onProgress?.(batch.done, batch.total);
    }
    const commitStarted = performance.now();
    const audit = createAudit(db);
    begin();
    summary.imported = cmd.commit((n) => {
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
    await plan?.close();
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
