/**
 * The outbox as the worker and the admin listing read and change it. Every state change is one short transaction:
 * claim (pending → sending, with an attempt row) before the request leaves, finish (sending → sent / pending /
 * failed, closing the attempt) after its answer, fold (pending rows → batched into new digest rows).
 */
import type { Db } from '../db/database.ts';
import type { ChannelRow } from './channels.ts';
import type { NotificationKind } from './render.ts';

export interface OutboxRow {
  id: number;
  channel_id: number;
  kind: NotificationKind;
  event_id: number | null;
  created_at: number;
  facts: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'batched' | 'cancelled';
  attempts: number;
  next_at: number;
  sent_at: number | null;
  interrupted: number;
  last_error: string | null;
  batch_id: number | null;
}

export type AttemptOutcome = 'sent' | 'retry' | 'rate-limited' | 'failed';

export interface ListFilter {
  status?: string;
  channelId?: number;
  eventId?: number;
  /** Rows with id below this (keyset paging, newest first). */
  before?: number;
  limit: number;
}

export function outboxStore(db: Db) {
  const st = {
    sendingRows: db.prepare<[], { id: number }>(`SELECT id FROM notifications WHERE status = 'sending'`),
    requeue: db.prepare(`UPDATE notifications SET status = 'pending', interrupted = 1, next_at = ? WHERE status = 'sending'`),
    closeOpenAttempts: db.prepare(`UPDATE notification_attempts SET outcome = 'interrupted', ended_at = ?, detail = 'the process stopped during the request'
      WHERE outcome IS NULL`),
    dueChannels: db.prepare<[number], { channel_id: number }>(
      `SELECT DISTINCT n.channel_id FROM notifications n JOIN notify_channels c ON c.id = n.channel_id
        WHERE n.status = 'pending' AND n.next_at <= ? AND c.enabled = 1`),
    nextDue: db.prepare<[number], { at: number | null }>(`SELECT min(next_at) AS at FROM notifications WHERE status = 'pending' AND next_at > ?`),
    channel: db.prepare<[number], ChannelRow>('SELECT * FROM notify_channels WHERE id = ?'),
    channels: db.prepare<[], ChannelRow>('SELECT * FROM notify_channels WHERE enabled = 1 ORDER BY id'),
    window: db.prepare<[number, number], { n: number; oldest: number | null }>(
      'SELECT count(*) AS n, min(started_at) AS oldest FROM notification_attempts WHERE channel_id = ? AND started_at > ?'),
    due: db.prepare<[number, number, number], OutboxRow>(
      `SELECT * FROM notifications WHERE channel_id = ? AND status = 'pending' AND next_at <= ? ORDER BY id LIMIT ?`),
    claim: db.prepare(`UPDATE notifications SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'`),
    attempt: db.prepare('INSERT INTO notification_attempts (notification_id, channel_id, started_at) VALUES (?, ?, ?)'),
    endAttempt: db.prepare('UPDATE notification_attempts SET outcome = ?, ended_at = ?, http_status = ?, detail = ? WHERE id = ?'),
    sent: db.prepare(`UPDATE notifications SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ? AND status = 'sending'`),
    retry: db.prepare(`UPDATE notifications SET status = ?, next_at = ?, last_error = ?, interrupted = max(interrupted, ?) WHERE id = ? AND status = 'sending'`),
    batched: db.prepare(`UPDATE notifications SET status = 'batched', batch_id = ? WHERE id = ? AND status = 'pending'`),
    retryFailed: db.prepare(`UPDATE notifications SET status = 'pending', next_at = ?, attempts = 0 WHERE id = ? AND status = 'failed'`),
    get: db.prepare<[number], OutboxRow>('SELECT * FROM notifications WHERE id = ?'),
    counts: db.prepare<[], { status: string; n: number }>('SELECT status, count(*) AS n FROM notifications GROUP BY status'),
    attemptsOf: db.prepare<[number], { started_at: number; ended_at: number | null; outcome: string | null; http_status: number | null; detail: string }>(
      'SELECT started_at, ended_at, outcome, http_status, detail FROM notification_attempts WHERE notification_id = ? ORDER BY id'),
  };
  return {
    /**
     * After a restart: rows left 'sending' were in flight when the process died. They go back to pending, marked
     * interrupted (a robot may have shown them: the resend says so; a webhook receiver sees the same webhook-id).
     */
    recoverInterrupted(at: number): number[] {
      return db.transaction(() => {
        const ids = st.sendingRows.all().map((r) => r.id);
        if (ids.length) st.requeue.run(at);
        st.closeOpenAttempts.run(at);
        return ids;
      }).immediate();
    },
    dueChannels: (now: number): number[] => st.dueChannels.all(now).map((r) => r.channel_id),
    /** The earliest time after `now` at which a pending row comes due. */
    nextDueAfter: (now: number): number | null => st.nextDue.get(now)?.at ?? null,
    channel: (id: number): ChannelRow | undefined => st.channel.get(id),
    enabledChannels: (): ChannelRow[] => st.channels.all(),
    /** Attempts started for the channel after `since`, and the oldest of them. */
    window(channelId: number, since: number): { n: number; oldest: number | null } {
      return st.window.get(channelId, since) ?? { n: 0, oldest: null };
    },
    due: (channelId: number, now: number, limit: number): OutboxRow[] => st.due.all(channelId, now, limit),
    /** pending → sending with an open attempt; null when someone else claimed it. */
    claim(row: OutboxRow, at: number): number | null {
      return db.transaction(() => {
        if (st.claim.run(row.id).changes === 0) return null;
        return Number(st.attempt.run(row.id, row.channel_id, at).lastInsertRowid);
      }).immediate();
    },
    /** Closes the attempt and moves the row on; `uncertain`: it may have been shown (the resend will say so). */
    finish(id: number, attemptId: number, at: number, outcome: AttemptOutcome, httpStatus: number | null, detail: string, nextAt: number,
      uncertain = false): void {
      db.transaction(() => {
        st.endAttempt.run(outcome, at, httpStatus, detail.slice(0, 500), attemptId);
        if (outcome === 'sent') st.sent.run(at, id);
        else st.retry.run(outcome === 'failed' ? 'failed' : 'pending', nextAt, detail.slice(0, 500), uncertain ? 1 : 0, id);
      }).immediate();
    },
    /** Folds pending rows into digest rows made by `make` (one per group); returns the digest ids. */
    fold(channelId: number, groups: number[][], make: (group: number[], part: number) => string, at: number): number[] {
      const insert = db.prepare(`INSERT INTO notifications (channel_id, kind, created_at, facts, next_at) VALUES (?, 'batch', ?, ?, ?)`);
      return db.transaction(() => groups.map((g, i) => {
        const id = Number(insert.run(channelId, at, make(g, i + 1), at).lastInsertRowid);
        for (const member of g) st.batched.run(id, member);
        return id;
      })).immediate();
    },
    get: (id: number): OutboxRow | undefined => st.get.get(id),
    /** failed → pending now, attempts counted afresh. */
    retryFailed: (id: number, at: number): boolean => st.retryFailed.run(at, id).changes > 0,
    counts(): Record<string, number> {
      return Object.fromEntries(st.counts.all().map((r) => [r.status, r.n]));
    },
    attemptsOf: (id: number) => st.attemptsOf.all(id),
    list(f: ListFilter): (OutboxRow & { channel_name: string; channel_kind: string; case_no: string | null })[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (f.status) (where.push('n.status = ?'), args.push(f.status));
      if (f.channelId !== undefined) (where.push('n.channel_id = ?'), args.push(f.channelId));
      if (f.eventId !== undefined) (where.push('n.event_id = ?'), args.push(f.eventId));
      if (f.before !== undefined) (where.push('n.id < ?'), args.push(f.before));
      args.push(f.limit);
      return db.prepare(`SELECT n.*, c.name AS channel_name, c.kind AS channel_kind, e.case_no
          FROM notifications n JOIN notify_channels c ON c.id = n.channel_id LEFT JOIN events e ON e.id = n.event_id
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT ?`).all(...args) as never;
    },
  };
}

export type OutboxStore = ReturnType<typeof outboxStore>;
