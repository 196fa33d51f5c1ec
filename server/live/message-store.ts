/**
 * The live_messages table as the hub reads it: rows after an id (replay pages and broadcast batches), the retained
 * window (the oldest id still stored, the newest id ever written) and retention. Statements are prepared once.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.ts';
import type { LiveMessageRow } from './messages.ts';

/** Rows deleted per statement when pruning, so a long backlog never holds the write lock for long. */
const PRUNE_SLICE = 5000;

export class LiveMessageStore {
  private readonly st: {
    after: Statement<[number, number], LiveMessageRow>;
    minId: Statement<[], { id: number | null }>;
    maxEver: Statement<[], { seq: number }>;
    prune: Statement<[number, number]>;
  };

  constructor(db: Db) {
    this.st = {
      after: db.prepare('SELECT id, at, type, payload FROM live_messages WHERE id > ? ORDER BY id LIMIT ?'),
      minId: db.prepare('SELECT min(id) AS id FROM live_messages'),
      maxEver: db.prepare(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'live_messages'), 0) AS seq`),
      prune: db.prepare(
        'DELETE FROM live_messages WHERE id IN (SELECT id FROM live_messages WHERE at < ? ORDER BY id LIMIT ?)',
      ),
    };
  }

  /** Up to `limit` rows after message `id`, in id order. */
  after(id: number, limit: number): LiveMessageRow[] {
    return this.st.after.all(id, limit);
  }

  /** The oldest id still stored; null when the table is empty. */
  oldestId(): number | null {
    return this.st.minId.get()?.id ?? null;
  }

  /** The newest id ever written (AUTOINCREMENT's sequence: it survives pruning). */
  newestEverId(): number {
    return this.st.maxEver.get()?.seq ?? 0;
  }

  /** Deletes the messages written before `before` (epoch ms), a slice at a time; returns how many. */
  pruneBefore(before: number): number {
    let total = 0;
    for (;;) {
      const n = this.st.prune.run(before, PRUNE_SLICE).changes;
      total += n;
      if (n < PRUNE_SLICE) return total;
    }
  }
}
