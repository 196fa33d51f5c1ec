/**
 * WAL checkpoints off the event loop.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that pushes the write-ahead log past 1,000 pages: that one
 * commit copies the log into the database file and syncs it, on the thread that serves every request. Under a
 * stream of reports this was about 40 % of the write path's cost per report (≈ 117 → 60 µs per report in groups of
 * 25, measured with the report service alone). Here a worker thread with its own connection does the copying, and
 * the serving connection's automatic checkpoint is off while the worker runs.
 *
 * The log only rewinds to its beginning when a write starts on a completely copied log and no other connection is
 * inside a checkpoint, which a worker copying beside a steady stream of writes never leaves behind: each pass ends a
 * few commits short, and a write that would rewind finds the worker's locks. So the two take turns, one pass at a
 * time: every `intervalMs` the serving side asks the worker for a PASSIVE checkpoint (which never waits for or
 * blocks the writer); when the worker answers and the log has grown past `rewindPages`, the serving connection
 * copies the few pages written during that pass itself, and the next write rewinds the log. Should the worker fail,
 * the automatic checkpoint is switched back on, so the log can never grow without bound because of it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.ts';

const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/** The log's size at which it is made to rewind: 40 MiB (10,000 pages of 4 KiB, 2,560 of 16 KiB). */
const REWIND_BYTES = 40 << 20;

/** Plain JavaScript so the worker needs no TypeScript loader, whatever started the server. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m === 'checkpoint') {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ type: 'checkpoint', busy: r.busy, log: r.log, checkpointed: r.checkpointed });
    } catch (err) {
      parentPort.postMessage({ type: 'error', message: String((err && err.message) || err) });
    }
  } else if (m === 'stop') {
    db.close();
    parentPort.close();
  }
});
`;

type CheckpointRow = { busy: number; log: number; checkpointed: number };

export interface WalCheckpointer {
  /** Frames in the log and frames copied, as of the worker's last checkpoint. */
  readonly last: { log: number; checkpointed: number } | null;
  stop(): Promise<void>;
}

export interface WalCheckpointerOptions {
  /** Pause between the worker's checkpoints (ms, default 100). */
  intervalMs?: number;
  /**
   * Log size (pages) past which the serving connection completes the worker's pass so the log rewinds (default: the
   * pages of REWIND_BYTES, whatever the file's page size).
   */
  rewindPages?: number;
  onError?: (message: string) => void;
}

/** Starts checkpointing `file` (the file `db` has open) in a worker; a no-op for in-memory databases. */
export function startWalCheckpointer(db: Db, file: string, options: WalCheckpointerOptions = {}): WalCheckpointer {
  if (file === ':memory:' || db.memory || db.readonly) return { last: null, stop: async () => undefined };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  const intervalMs = options.intervalMs ?? 100;
  const rewindPages = options.rewindPages ?? Math.ceil(REWIND_BYTES / (db.pragma('page_size', { simple: true }) as number));
  const state: { last: WalCheckpointer['last'] } = { last: null };
  let stopped = false;
  let failed = false;
  let exited = false;
  let timer: NodeJS.Timeout | null = null;

  const ask = () => {
    timer = null;
    if (!stopped && !failed) worker.postMessage('checkpoint');
  };
  const fallBack = (message: string) => {
    if (failed) return;
    failed = true;
    if (timer) clearTimeout(timer);
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    options.onError?.(message);
  };
  worker.on('message', (m: ({ type: 'checkpoint' } & CheckpointRow) | { type: 'error'; message: string }) => {
    if (m.type === 'error') options.onError?.(`WAL checkpoint failed: ${m.message}`);
    else {
      state.last = { log: m.log, checkpointed: m.checkpointed };
      // The worker is between passes now: nothing holds the checkpoint lock, so this pass completes and the next
      // write rewinds. It runs between requests, never inside a transaction (they are synchronous).
      if (m.log >= rewindPages && db.open && !stopped) {
        const [r] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
        state.last = { log: r.log, checkpointed: r.checkpointed };
      }
    }
    if (!stopped && !failed) (timer = setTimeout(ask, intervalMs)).unref();
  });
  worker.on('error', (err) => fallBack(`WAL checkpointer stopped: ${err.message}`));
  worker.on('exit', () => {
    exited = true;
    if (!stopped) fallBack('WAL checkpointer exited');
  });
  (timer = setTimeout(ask, intervalMs)).unref();

  return {
    get last() {
      return state.last;
    },
    stop() {
      if (stopped) return Promise.resolve();
      stopped = true;
      if (timer) clearTimeout(timer);
      if (!failed && db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      if (exited) return Promise.resolve();
      return new Promise<void>((resolve) => {
        worker.ref(); // so an exiting process still waits for the worker's connection to close
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        // A worker stuck in a checkpoint must not hold up shutdown.
        setTimeout(() => void worker.terminate(), 2000).unref();
      });
    },
  };
}
