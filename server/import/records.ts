/**
 * Source records as a stream of { row, get(column) }: CSV (csv-reader.ts, streaming: quoted fields with embedded
 * newlines, commas and doubled quotes, a UTF-8 BOM, CRLF, LF or CR), JSON Lines (one object per line, streaming) or a
 * JSON array (read whole — large exports should come as CSV or JSON Lines). They come a run at a time (`runs`: the
 * records of a chunk of the file, so a million rows are not a million awaits) or one by one (`records`).
 *
 * Row numbers are what a spreadsheet shows: in a CSV the header is row 1 and the first record row 2; in JSON the
 * first object is row 1. A record spanning several lines (an embedded newline) is still one row.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CsvReader } from './csv-reader.ts';

export interface SourceRecord {
  row: number;
  /** The text of a column ('' when absent or empty). */
  get(column: string): string;
}

export interface RecordStream {
  /** The column names of a CSV header; null for JSON, whose objects may each omit empty fields. */
  columns(): readonly string[] | null;
  records: AsyncIterable<SourceRecord>;
  /**
   * The same records, in runs of consecutive ones (use one or the other). A run is read to its end before the next
   * is asked for.
   */
  runs: AsyncIterable<Iterable<SourceRecord>>;
  /** Bytes of the file read so far, and its size (for a progress bar). */
  progress(): { done: number; total: number };
}

export type SourceFormat = 'csv' | 'json' | 'jsonl';

export function formatOf(file: string): SourceFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return 'csv';
}

export function openRecords(file: string, format: SourceFormat = formatOf(file)): RecordStream {
  const total = statSync(file).size;
  if (format === 'csv') return csvRecords(file, total);
  if (format === 'jsonl') return jsonLinesRecords(file, total);
  return jsonArrayRecords(file, total);
}

/** A CSV record: its values and the header's column → position (one object per row, no closure). */
class CsvRecord implements SourceRecord {
  constructor(readonly row: number, private readonly values: string[], private readonly index: Map<string, number>) {}
  get(column: string): string {
    const i = this.index.get(column);
    return i === undefined ? '' : this.values[i] ?? '';
  }
}

function csvRecords(file: string, total: number): RecordStream {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const reader = new CsvReader();
  let header: string[] | null = null;
  let index = new Map<string, number>();
  let row = 1;
  // Records are made as they are read, not a chunk's worth at once: each dies young, in the collector's cheap
  // generation, instead of ten thousand living long enough to be promoted.
  function* take(final: boolean): Generator<SourceRecord> {
    for (let v = reader.next(final); v !== null; v = reader.next(final)) {
      if (header === null) {
        header = v.map((h) => h.trim());
        index = new Map(header.map((h, i) => [h, i]));
        continue;
      }
      yield new CsvRecord(++row, v, index);
    }
  }
  async function* runs(): AsyncGenerator<Iterable<SourceRecord>> {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      reader.push(chunk);
      yield take(false);
    }
    yield take(true);
  }
  // Bytes read into records, not those read ahead: the rows still to come are estimated from it.
  return { columns: () => header ?? [], ...fromRuns(runs()), progress: () => ({ done: Math.min(total, reader.consumed), total }) };
}

/** Both views of a stream of runs (only one is read; each run is read to its end before the next is asked for). */
function fromRuns(r: AsyncGenerator<Iterable<SourceRecord>>): { runs: AsyncIterable<Iterable<SourceRecord>>; records: AsyncIterable<SourceRecord> } {
  async function* records(): AsyncGenerator<SourceRecord> {
    for await (const run of r) yield* run;
  }
  return { runs: r, records: records() };
}

/** One-by-one records in runs of up to `size`. */
async function* inRuns(records: AsyncIterable<SourceRecord>, size = 1000): AsyncGenerator<SourceRecord[]> {
  let run: SourceRecord[] = [];
  for await (const r of records) {
    run.push(r);
    if (run.length >= size) {
      yield run;
      run = [];
    }
  }
  if (run.length) yield run;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function jsonLinesRecords(file: string, total: number): RecordStream {
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      row++;
      const clean = row === 1 ? line.replace(/^\uFEFF/, '') : line;
      if (clean.trim() === '') continue;
      let obj: unknown;
      try {
        obj = JSON.parse(clean);
      } catch {
        obj = null;
      }
      const o = typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>) : {};
      yield { row, get: (c) => text(o[c]) };
    }
  }
  return { columns: () => null, ...fromRuns(inRuns(records())), progress: () => ({ done: input.bytesRead, total }) };
}

function jsonArrayRecords(file: string, total: number): RecordStream {
  const parsed = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
  const list = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { records?: unknown })?.records) ? (parsed as { records: unknown[] }).records : null;
  if (!list) throw new Error('a JSON source must be an array of objects (or { "records": [...] })');
  const objects = list.map((o) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : {}));
  let done = 0;
  async function* records(): AsyncGenerator<SourceRecord> {
    for (let i = 0; i < objects.length; i++) {
      done = Math.round(((i + 1) / objects.length) * total);
      const o = objects[i];
      yield { row: i + 1, get: (c) => text(o[c]) };
    }
  }
  return { columns: () => null, ...fromRuns(inRuns(records())), progress: () => ({ done, total }) };
}
