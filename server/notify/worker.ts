/**
 * The notification worker: runs in the server process, wakes after each commit (and every `pollMs` for rows other
 * processes wrote), and sends each channel's due outbox rows in id order, one at a time per channel, at most
 * `concurrency` channels at once.
 *
 * Delivery. Before a request leaves, the row is claimed (pending → sending) and an attempt row is written, in one
 * transaction; after the answer the attempt is closed and the row marked sent, or put back with a backoff
 * (backoffMs · 2^(attempts−1), capped at maxBackoffMs, ±25 % jitter), or marked failed after maxAttempts. A rate-limit
 * answer (WeCom 45009, DingTalk 130101, HTTP 429) holds the whole channel and does not count against maxAttempts.
 *
 * A crash. A row found 'sending' at start was in flight when the process died: nobody knows whether the far end got
 * it. It is sent again (a dispatch must not be lost) — to a webhook with the same webhook-id, which the receiver
 * dedupes on, so it sees the message once; to a robot, which cannot dedupe, with "（重发，可能重复）" in the title and
 * its notification number, so the group can tell a repeat. A row not yet claimed is sent exactly once. A request
 * that timed out or was cut after it left is in the same doubt, and its retry is marked the same way.
 *
 * Rate limits and storms. A channel sends at most ratePerMinute messages in any `windowMs` (the attempts table is the
 * window, so a restart keeps it). When more rows are due than the window has room for (less a reserve of a quarter
 * of the rate, for what comes next), the worker waits `gatherMs` for the storm to build up, then folds every due row
 * into digest messages (消息合并) of as many lines as the robots' 4,096-byte markdown allows; the folded rows are
 * 'batched' and the digests are sent like any row. While the storm lasts, folds come at most once per windowMs/rate
 * (3 s for a robot), so a long storm spreads its digests over the window instead of spending it at once.
 */
import type { Db } from '../db/database.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';
import { toIso } from '../time.ts';
import { notifyHostsFromEnv, urlProblems, type ChannelRow } from './channels.ts';
import { enqueueDueDigests } from './daily.ts';
import { packBatches, render, type BatchFacts, type BatchItem, type CaseNoticeFacts, type NotificationFacts } from './render.ts';
import { outboxStore, type OutboxRow } from './store.ts';
import { buildRequest, send } from './wire.ts';

export interface NotifyWorkerOptions {
  db: Db;
  now?: () => number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** Base URL of the web app as staff reach it, for links in messages (GEZHI_PUBLIC_URL). */
  publicUrl?: string;
  /** Tries before a row is marked failed (default 8). */
  maxAttempts?: number;
  /** First retry delay (default 5 s), doubling per attempt up to maxBackoffMs (default 1 h). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** The rate window (default one minute, as the robots count). */
  windowMs?: number;
  /** How long a storm may build before it is folded into digests (default 1.5 s). */
  gatherMs?: number;
  /** Channels sending at once (default 4). */
  concurrency?: number;
  /** Fallback wake-up interval (default 5 s). */
  pollMs?: number;
  /** Interval of the daily-digest check (default 30 s). */
  digestCheckMs?: number;
  calendar?: WorkCalendar;
  /** Hosts a channel URL may name (default: GEZHI_NOTIFY_HOSTS); checked again at each send, so a host taken off
   * the list receives nothing more. */
  hosts?: readonly string[];
}

export interface NotifyWorker {
  /** Something was committed: look for due rows now. */
  wake(): void;
  /** Stops taking new rows and waits for requests in flight to be answered and recorded. */
  stop(): Promise<void>;
  /** Resolves once no row is due now and nothing is being sent (tests). */
  settled(timeoutMs?: number): Promise<void>;
  /** Rows found in flight at start (resent, marked interrupted). */
  readonly recovered: readonly number[];
}

const DEFAULTS = {
  maxAttempts: 8, backoffMs: 5000, maxBackoffMs: 3_600_000, timeoutMs: 10_000, windowMs: 60_000, gatherMs: 1500,
  concurrency: 4, pollMs: 5000, digestCheckMs: 30_000,
};

/** Due rows read per channel turn (a storm beyond it is folded in the next turn). */
const DUE_LIMIT = 5000;

export function startNotifyWorker(options: NotifyWorkerOptions): NotifyWorker {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & NotifyWorkerOptions;
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? fetch;
  const log = options.log ?? ((line: string) => console.log(line));
  const calendar = options.calendar ?? DEFAULT_CALENDAR;
  const store = outboxStore(options.db);
  const hosts = options.hosts ?? notifyHostsFromEnv();
  const running = new Map<number, Promise<void>>();
  /** Channels waiting for their rate window or a rate-limit hold, until when. */
  const holds = new Map<number, number>();
  /** When each channel last folded a storm into digests. */
  const lastFold = new Map<number, number>();
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let stopped = false;
  let lastDigestCheck = -Infinity;

  const recovered = store.recoverInterrupted(now());
  if (recovered.length) log(`Notifications: ${recovered.length} were in flight when the server stopped; sending them again (${recovered.join(', ')})`);

  function schedule(delay: number): void {
    if (stopped) return;
    const at = Date.now() + Math.max(0, delay);
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(tick, Math.max(0, delay));
    timer.unref();
  }

  function tick(): void {
    timer = null;
    timerAt = Infinity;
    if (stopped) return;
    const t = now();
    for (const [id, until] of holds) if (until <= t) holds.delete(id);
    try {
      if (t - lastDigestCheck >= o.digestCheckMs) {
        lastDigestCheck = t;
        const made = enqueueDueDigests(options.db, store.enabledChannels(), t, calendar);
        if (made.length) log(`Notifications: daily digest queued for ${made.length} channel(s)`);
      }
      for (const id of store.dueChannels(t)) {
        if (running.has(id) || running.size >= o.concurrency) continue;
        if (holds.has(id)) continue;
        const run = runChannel(id).catch((err) => log(`Notifications: channel ${id} failed: ${err instanceof Error ? err.stack : String(err)}`))
          .finally(() => {
            running.delete(id);
            schedule(0);
          });
        running.set(id, run);
      }
    } catch (err) {
      log(`Notifications: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Next look: the earliest row coming due, the end of a hold, the digest check or the poll, whichever is first.
    // Rows due now are being sent (each run's end looks again) or wait for their channel's hold: no spinning on them.
    let next = Math.min(o.pollMs, Math.max(lastDigestCheck + o.digestCheckMs - t, 0));
    const due = store.nextDueAfter(t);
    if (due !== null) next = Math.min(next, due - t);
    for (const until of holds.values()) next = Math.min(next, Math.max(until - t, 0));
    schedule(next);
  }

  async function runChannel(id: number): Promise<void> {
    let gathered = false;
    while (!stopped) {
      const ch = store.channel(id);
      if (!ch || !ch.enabled) return;
      const t = now();
      const hold = holds.get(id) ?? 0;
      if (hold > t) return;
      const win = store.window(id, t - o.windowMs);
      const budget = ch.rate_per_minute - win.n;
      if (budget <= 0) {
        holds.set(id, (win.oldest ?? t) + o.windowMs + 1);
        return;
      }
      const due = store.due(id, t, DUE_LIMIT);
      if (due.length === 0) return;
      const singles = due.filter((r) => r.kind !== 'batch');
      const digests = due.length - singles.length;
      const reserve = Math.floor(ch.rate_per_minute / 4);
      if (singles.length >= 2 && due.length > budget - reserve) {
        // A storm: let it build, and space the digests evenly over the window so a long storm still fits the rate.
        const spacing = o.windowMs / ch.rate_per_minute;
        const wait = Math.max(gathered ? 0 : o.gatherMs, (lastFold.get(id) ?? -Infinity) + spacing - t);
        if (wait > 0) {
          gathered = true;
          await sleep(wait);
          continue;
        }
        fold(ch, singles, Math.max(1, budget - digests), t);
        lastFold.set(id, t);
        gathered = false;
        continue;
      }
      await sendOne(ch, due[0]);
    }
  }

  function fold(ch: ChannelRow, rows: OutboxRow[], room: number, t: number): void {
    const items: BatchItem[] = [];
    for (const r of rows) {
      const f = JSON.parse(r.facts) as NotificationFacts;
      if (f.kind === 'batch' || f.kind === 'digest') continue;
      const c = f as CaseNoticeFacts;
      items.push({ id: r.id, kind: c.kind, transition: c.transition, eventId: c.eventId, caseNo: c.caseNo, category: c.category, place: c.place, dueAt: c.dueAt, at: c.at });
    }
    const parts = packBatches(items).slice(0, room);
    const total = parts.reduce((n, p) => n + p.length, 0);
    const ids = store.fold(ch.id, parts.map((p) => p.map((i) => i.id)), (_g, part) => {
      const facts: BatchFacts = { kind: 'batch', items: parts[part - 1], part, parts: parts.length, total };
      return JSON.stringify(facts);
    }, t);
    log(`Notifications: ${total} messages for channel "${ch.name}" folded into ${ids.length} digest(s) (rate limit ${ch.rate_per_minute}/min)`);
  }

  async function sendOne(ch: ChannelRow, row: OutboxRow): Promise<void> {
    const attemptId = store.claim(row, now());
    if (attemptId === null) return;
    const refused = urlProblems(ch.kind, ch.url, hosts);
    if (refused.length) {
      const t = now();
      store.finish(row.id, attemptId, t, 'failed', null, `not sent: ${refused.map((p) => p.detail).join('; ')}`, t);
      return;
    }
    const facts = JSON.parse(row.facts) as NotificationFacts;
    const redelivery = row.interrupted === 1;
    const msg = render(facts, { publicUrl: options.publicUrl, id: row.id, redelivery });
    const req = buildRequest({ kind: ch.kind, url: ch.url, secret: ch.secret }, msg,
      { id: row.id, kind: row.kind, createdAt: toIso(row.created_at), redelivery, facts }, now());
    const out = await send(ch.kind, req, o.timeoutMs, fetchImpl);
    const t = now();
    if (out.ok) {
      store.finish(row.id, attemptId, t, 'sent', out.status, out.detail, t);
      return;
    }
    if (out.rateLimited) {
      const until = t + (out.retryAfterMs ?? o.windowMs);
      holds.set(ch.id, until);
      store.finish(row.id, attemptId, t, 'rate-limited', out.status, out.detail, until);
      log(`Notifications: channel "${ch.name}" is rate limited (${out.detail}); holding it until ${toIso(until)}`);
      return;
    }
    const attempts = row.attempts + 1;
    if (attempts >= o.maxAttempts) {
      store.finish(row.id, attemptId, t, 'failed', out.status, out.detail, t, out.uncertain);
      log(`Notifications: #${row.id} to "${ch.name}" failed after ${attempts} attempts: ${out.detail}`);
      return;
    }
    const delay = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** (attempts - 1)) * (0.75 + Math.random() * 0.5);
    store.finish(row.id, attemptId, t, 'retry', out.status, out.detail, t + Math.round(delay), out.uncertain);
  }

  schedule(0);

  return {
    recovered,
    wake: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await Promise.allSettled(running.values());
    },
    async settled(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const t = now();
        const busy = running.size > 0 || store.dueChannels(t).some((id) => (holds.get(id) ?? 0) <= t);
        if (!busy) return;
        if (Date.now() > until) throw new Error('notifications did not settle');
        await sleep(25);
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
