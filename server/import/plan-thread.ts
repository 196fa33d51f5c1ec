/**
 * The planned batches of an events import, read on the calling thread or on a thread of its own.
 *
 * Reading and checking a row (CSV, time zones, coordinates, the block, the deadlines) costs about as much as writing
 * it, so a large file is planned on a worker thread while this thread writes the batches already planned: the two
 * halves of the import run side by side on two cores. The worker reads the database through its own read-only
 * connection, which needs a database file (an in-memory database is planned here) and the default working-time
 * calendar (a calendar passed in is code, which cannot cross to another thread). A small file is planned here too:
 * starting a thread costs more than it saves.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from '../db/database.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';
import { planBatches, planContext, type PlannedBatch } from './event-plan.ts';
import type { EventMapping } from './mapping.ts';
import { SourceFormatError } from './source-error.ts';

/** Files from this size up are planned on a worker thread (about 50,000 rows of a typical hotline export). */
export const PLAN_THREAD_MIN_BYTES = 8 << 20;

/**
 * Rows per batch from the thread: small batches die young in the worker's heap instead of being promoted and
 * collected late (a million-row import peaked 35 MB lower with 1,000 than with 5,000, at the same speed).
 */
const THREAD_BATCH_ROWS = 1000;

/**
 * Planned batches posted and not yet written: enough that neither thread waits on the other's jitter, few enough to
 * bound memory. With 2, a million-row import's streaming took 13.0 s, with 4 or 8 about 12.1 s; 8 held 25 MB more.
 */
const WINDOW = 4;

/**
 * The worker's young generation (MB): V8's default would let both threads keep 30 MB or so more of short-lived
 * garbage each, which a million-row import cannot spare under its 500 MB; the planner was no slower with it.
 */
const WORKER_YOUNG_MB = 16;

export interface PlanThreadData {
  dbFile: string;
  file: string;
  mapping: EventMapping;
  batchSize: number;
  window: number;
}

export type PlanThreadMessage =
  | { type: 'batch'; batch: PlannedBatch }
  | { type: 'end' }
  | { type: 'error'; name: string; message: string };

export interface PlanSource {
  batches: AsyncIterable<PlannedBatch>;
  /** Whether a worker thread plans the batches. */
  threaded: boolean;
  /** Stops the planning (a failed write) and frees the thread. */
  close(): Promise<void>;
}

export interface PlanOptions {
  batchSize: number;
  calendar: WorkCalendar;
  /** true/false forces the choice; undefined: a thread for a file of PLAN_THREAD_MIN_BYTES or more. */
  thread?: boolean;
  fileBytes: number;
}

export function planSource(db: Db, file: string, mapping: EventMapping, o: PlanOptions): PlanSource {
  const possible = !db.memory && o.calendar === DEFAULT_CALENDAR;
  const threaded = possible && (o.thread ?? o.fileBytes >= PLAN_THREAD_MIN_BYTES);
  if (!threaded) {
    const batches = planBatches(file, mapping, planContext(db, mapping, o.calendar), o.batchSize);
    return { batches, threaded, close: async () => void (await batches.return(undefined)) };
  }
  return threadSource({ dbFile: db.name, file, mapping, batchSize: Math.min(o.batchSize, THREAD_BATCH_ROWS), window: WINDOW });
}

/**
 * The worker runs TypeScript: a plain-JavaScript bootstrap loads its module through the same loader as the server
 * (tsx's API, resolved from here), whatever started this process.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.loader).then(({ tsImport }) => tsImport(workerData.entry, workerData.entry));
`;

/** tsx's ESM API (the `import` condition of its `./esm/api` export): `require.resolve` would give its CommonJS twin. */
function tsxApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), pkg.exports['./esm/api'].import.default)).href;
}

function startWorker(data: PlanThreadData): Worker {
  const loader = tsxApi();
  const entry = new URL('./plan-thread-worker.ts', import.meta.url).href;
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...data, loader, entry }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
}

function threadSource(data: PlanThreadData): PlanSource {
  const worker = startWorker(data);
  const queue: PlanThreadMessage[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: PlanThreadMessage) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (err) => {
    failure = err;
    notify();
  });
  worker.on('exit', (code) => {
    // Messages posted before the exit arrive before it: an exit with nothing left to read is a thread that stopped.
    failure ??= new Error(`the planning thread stopped before the end of the file (exit code ${code})`);
    notify();
  });
  async function* batches(): AsyncGenerator<PlannedBatch> {
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (m.type === 'end') return;
      if (m.type === 'error') throw m.name === 'SourceFormatError' ? new SourceFormatError(m.message) : new Error(m.message);
      yield m.batch;
      // Written: the worker may read one more.
      worker.postMessage('ack');
    }
  }
  return { batches: batches(), threaded: true, close: async () => void (await worker.terminate()) };
}
