/**
 * The planning thread of a large events import (plan-thread.ts starts it): reads and checks the file on a read-only
 * connection of its own and posts the planned batches, at most `window` of them unacknowledged, so a writer that
 * falls behind holds the reading back instead of the batches piling up in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/database.ts';
import { DEFAULT_CALENDAR } from '../domain/working-time.ts';
import { planBatches, planContext } from './event-plan.ts';
import type { PlanThreadData, PlanThreadMessage } from './plan-thread.ts';

const data = workerData as PlanThreadData;
const port = parentPort!;
// A batch's typed arrays are handed over, not copied.
const post = (m: PlanThreadMessage) => port.postMessage(m, m.type === 'batch' ? [m.batch.rows.nums.buffer as ArrayBuffer, m.batch.rows.codes.buffer as ArrayBuffer] : []);

let unacknowledged = 0;
let wake: (() => void) | null = null;
port.on('message', () => {
  unacknowledged--;
  wake?.();
  wake = null;
});

const db = openDatabase(data.dbFile, { readonly: true });
try {
  const ctx = planContext(db, data.mapping, DEFAULT_CALENDAR);
  for await (const batch of planBatches(data.file, data.mapping, ctx, data.batchSize)) {
    post({ type: 'batch', batch });
    unacknowledged++;
    while (unacknowledged >= data.window) await new Promise<void>((resolve) => (wake = resolve));
  }
  post({ type: 'end' });
} catch (err) {
  post({ type: 'error', name: (err as Error).name, message: (err as Error).message ?? String(err) });
} finally {
  db.close();
  port.close();
}
