/**
 * The live hub: fans the live_messages table out to Server-Sent-Events clients.
 *
 * - Writers commit a change together with its message (appendLiveMessage), then call `notify()`. Calls coalesce:
 *   the hub reads the new rows once per turn of the event loop (`WHERE id > last ORDER BY id LIMIT n`, prepared),
 *   serializes each row to an SSE frame once and hands the same bytes to every client. With no client connected
 *   notify() does nothing at all: rows stay in the table for whoever connects (and replays) later.
 * - A client that reconnects with Last-Event-ID first replays the stored rows after that id, page by page, waiting
 *   for each page to drain; it joins the broadcast set in the same synchronous step as its last (short) page read,
 *   and the broadcast skips ids at or below each client's cursor, so the seam has neither gap nor duplicate.
 * - Every client has a bounded queue: bytes the socket has not taken yet. Over `maxQueuedBytes` the client is
 *   dropped (its connection cut); it reconnects and replays from the table, while the others are never held up.
 * - Heartbeats (`: hb`) keep proxies and idle sockets open; a slow poll picks up rows written by another process.
 * - Rows older than `retentionDays` are pruned; a Last-Event-ID outside the retained window gets `event: reset`
 *   (the client reloads its state over the REST API and continues from the id that message carries).
 * The table's reads are message-store.ts's; where each client's bytes go (a Node response or a web stream), sinks.ts.
 */
import type { Db } from '../db/database.ts';
import { toIso } from '../time.ts';
import { LiveMessageStore } from './message-store.ts';
import { dataLines, sseFrame } from './messages.ts';
import { SocketSink, StreamSink, type LiveSocket, type Sink } from './sinks.ts';

export type { LiveSocket } from './sinks.ts';

export interface LiveHubOptions {
  /** Interval of `: hb` comments to every client (ms). */
  heartbeatMs?: number;
  /** A client whose unsent bytes exceed this is dropped (it reconnects and replays). */
  maxQueuedBytes?: number;
  /** Rows per read, for replay pages and for each broadcast batch. */
  replayLimit?: number;
  /** The clock (epoch ms), for retention. */
  now?: () => number;
  /** Messages older than this many days are pruned. */
  retentionDays?: number;
  /** How often retention runs (ms). */
  pruneEveryMs?: number;
  /** While clients are connected, the table is also checked this often (ms), for writers in other processes. */
  pollMs?: number;
  /** The `retry:` hint sent to clients: how long an EventSource waits before reconnecting (ms). */
  retryMs?: number;
  /**
   * Broadcasts at most once per this many ms (a wake-up inside the window waits for its end). Under a stream of
   * reports every listener's socket then takes one write per window instead of one per commit; a message waits at
   * most this long. Below 1, every commit is broadcast on the next turn of the event loop.
   */
  batchMs?: number;
}

const DEFAULTS: Required<Omit<LiveHubOptions, 'now'>> = {
  heartbeatMs: 15_000, // comfortably under the usual 30–60 s proxy idle timeouts
  maxQueuedBytes: 1024 * 1024, // ~3,000 typical messages a client may lag behind before it is cut
  replayLimit: 500, // rows per page: ~150 KB of frames
  retentionDays: 7, // a wall offline over a long weekend still resumes without a full reload
  pruneEveryMs: 3_600_000,
  pollMs: 1000,
  retryMs: 3000,
  batchMs: 10,
};

export interface SubscribeOptions {
  /** Resume after this message id (the client's Last-Event-ID); undefined starts with the next message. */
  lastEventId?: number;
  /** Only these message types (reset always passes). */
  types?: ReadonlySet<string>;
  /** Cuts the client's connection at once (the HTTP layer's socket); without it the stream is errored. */
  abort?: () => void;
}

export interface LiveSubscription {
  /** The SSE byte stream to send as the response body. */
  stream: ReadableStream<Uint8Array>;
  /** Ends the subscription (client went away). Idempotent. */
  close: () => void;
}

export interface LiveHubStatus {
  clients: number;
  replaying: number;
  /** Highest message id broadcast so far (while no client is connected, the newest stored id). */
  lastId: number;
  /** Clients cut for falling behind, since start. */
  dropped: number;
  /** Broadcast reads that found new rows, since start (many notify() calls coalesce into one). */
  batches: number;
  /** Oldest message id still stored (a Last-Event-ID below retainedFromId − 1 gets a reset); null when none. */
  retainedFromId: number | null;
}

const HEARTBEAT = Buffer.from(': hb\n\n');

class Client {
  cursor: number;
  live = false;
  closed = false;

  constructor(
    cursor: number,
    readonly types: ReadonlySet<string> | null,
    private readonly sink: Sink,
  ) {
    this.cursor = cursor;
  }

  get queued(): number {
    return this.sink.queued;
  }

  /** Queues bytes (shared, never mutated); false when the queue is now over `max`. */
  write(bytes: Uint8Array, max: number): boolean {
    if (this.closed) return true;
    this.sink.write(bytes);
    return this.sink.queued <= max;
  }

  /** Resolves when the socket has taken everything queued (or the client is gone). */
  whenDrained(): Promise<void> {
    return this.closed ? Promise.resolve() : this.sink.whenDrained();
  }

  /** Ends the stream: gracefully (close) or by cutting the connection (drop). */
  end(cut: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.end(cut);
  }
}

export class LiveHub {
  private readonly opts: Required<Omit<LiveHubOptions, 'now'>>;
  private readonly now: () => number;
  private readonly clients = new Set<Client>();
  private lastId: number;
  private scheduled = false;
  private lastBroadcastAt = -Infinity;
  private closed = false;
  private dropped = 0;
  private batches = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private readonly prune: NodeJS.Timeout;
  private readonly retryFrame: Buffer;
  private readonly store: LiveMessageStore;

  constructor(private readonly db: Db, options: LiveHubOptions = {}) {
    const opts = { ...DEFAULTS, ...stripUndefined(options) };
    for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      const v = opts[key];
      if (key === 'batchMs' && Number.isFinite(v) && v >= 0) continue;
      if (!Number.isFinite(v) || v <= 0) throw new Error(`LiveHub option ${key} must be a positive number, got ${v}`);
    }
    if (!Number.isInteger(opts.replayLimit)) throw new Error(`LiveHub option replayLimit must be an integer, got ${opts.replayLimit}`);
    this.opts = opts;
    this.now = options.now ?? Date.now;
    this.store = new LiveMessageStore(db);
    this.lastId = this.store.newestEverId();
    this.retryFrame = Buffer.from(`retry: ${Math.round(opts.retryMs)}\n\n`);
    this.prune = setInterval(() => this.safely(() => this.pruneOld()), opts.pruneEveryMs).unref();
  }

  /** Post-commit wake-up: reads rows after the last broadcast id and pushes them to every client. Cheap; callable often. */
  notify(): void {
    // Nobody listening: nothing to read or format. A client that connects later starts at the newest stored id or
    // replays from its Last-Event-ID, and the broadcast cursor is moved up to the newest id when the first connects.
    if (this.scheduled || this.closed || this.clients.size === 0) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.lastBroadcastAt = performance.now();
      this.safely(() => this.broadcast());
    };
    const wait = this.lastBroadcastAt + this.opts.batchMs - performance.now();
    if (wait >= 1) setTimeout(run, wait);
    else setImmediate(run);
  }

  /** Opens a client's stream: replay after `lastEventId` (or a reset when it is outside the window), then live. */
  subscribe(options: SubscribeOptions = {}): LiveSubscription {
    let stream!: ReadableStream<Uint8Array>;
    const close = this.open(options, (cancel) => {
      const s = new StreamSink(cancel, options.abort);
      stream = s.stream;
      return s;
    });
    return { stream, close };
  }

  /**
   * The same, written straight to a Node response whose head (200, text/event-stream) is already sent. Returns
   * the subscription's close; the caller calls it when the socket closes.
   */
  subscribeSocket(socket: LiveSocket, options: Omit<SubscribeOptions, 'abort'> = {}): () => void {
    return this.open(options, () => new SocketSink(socket));
  }

  private open(options: SubscribeOptions, sink: (cancel: () => void) => Sink): () => void {
    if (this.closed) throw new Error('LiveHub is closed');
    const maxEver = this.store.newestEverId();
    // The first client after an idle spell: rows written meanwhile were never broadcast and need not be (this
    // client starts at maxEver or replays them from the table), so the broadcast continues after the newest.
    if (this.clients.size === 0 && maxEver > this.lastId) this.lastId = maxEver;
    const from = options.lastEventId;
    const client: Client = new Client(from ?? maxEver, options.types ?? null, sink(() => this.remove(client)));
    this.clients.add(client);
    this.ensureTimers();
    client.write(this.retryFrame, Infinity);

    let reset: string | null = null;
    if (from !== undefined) {
      const minId = this.store.oldestId();
      const floor = minId === null ? maxEver : minId - 1; // ids at or below floor are gone
      if (from > maxEver) reset = 'Last-Event-ID is ahead of this server’s stream (the database was replaced)';
      else if (from < floor) reset = `messages after ${from} are no longer retained (kept from ${floor + 1})`;
    }
    if (reset !== null) {
      client.cursor = maxEver;
      const data = JSON.stringify({ reason: reset, lastEventId: from, resumeFrom: maxEver, at: toIso(this.now()) });
      client.write(Buffer.from(`id: ${maxEver}\nevent: reset\n${dataLines(data)}\n`), Infinity);
      client.live = true;
    } else if (from === undefined) {
      // Tell the client where it starts, so a reconnect before the first message still resumes without a gap.
      client.write(Buffer.from(`id: ${maxEver}\n\n`), Infinity);
      client.live = true;
    } else {
      void this.replay(client);
    }
    return () => this.remove(client);
  }

  status(): LiveHubStatus {
    let replaying = 0;
    for (const c of this.clients) if (!c.live) replaying++;
    return {
      clients: this.clients.size,
      replaying,
      lastId: this.clients.size === 0 ? Math.max(this.lastId, this.store.newestEverId()) : this.lastId,
      dropped: this.dropped,
      batches: this.batches,
      retainedFromId: this.store.oldestId(),
    };
  }

  /** Deletes messages older than the retention window, in slices; returns how many. */
  pruneOld(): number {
    return this.store.pruneBefore(this.now() - this.opts.retentionDays * 86_400_000);
  }

  /** Ends every stream (clients see a normal end and reconnect elsewhere/later) and stops the timers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients) c.end(false);
    this.clients.clear();
    this.stopTimers();
    clearInterval(this.prune);
  }

  /** Sends stored rows after the client's cursor page by page, then switches it to live in the same step. */
  private async replay(client: Client): Promise<void> {
    const { replayLimit, maxQueuedBytes } = this.opts;
    const pageBytes = Math.max(1, maxQueuedBytes >> 1);
    while (!client.closed && !this.closed) {
      const rows = this.store.after(client.cursor, replayLimit);
      let i = 0;
      while (i < rows.length) {
        const row = rows[i++];
        client.cursor = row.id;
        if (client.types && !client.types.has(row.type)) continue;
        client.write(Buffer.from(sseFrame(row)), Infinity);
        if (client.queued >= pageBytes) break;
      }
      if (rows.length < replayLimit && i === rows.length) {
        // Caught up: everything up to the newest committed row is queued. No await since the read above, so
        // the broadcast (which skips ids ≤ cursor) continues exactly after it.
        client.live = true;
        return;
      }
      await client.whenDrained();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private broadcast(): void {
    if (this.closed || this.clients.size === 0) return;
    if (this.db.inTransaction) {
      // A writer's transaction is still open on this connection: read after it commits.
      this.notify();
      return;
    }
    const rows = this.store.after(this.lastId, this.opts.replayLimit);
    if (rows.length === 0) return;
    this.batches++;
    const frames = rows.map((r) => Buffer.from(sseFrame(r)));
    const first = rows[0].id;
    const last = rows[rows.length - 1].id;
    let all: Buffer | null = null;
    for (const client of this.clients) {
      if (!client.live || client.cursor >= last) continue;
      let bytes: Buffer;
      if (!client.types && client.cursor < first) {
        bytes = all ??= Buffer.concat(frames);
      } else {
        const parts: Buffer[] = [];
        for (let i = 0; i < rows.length; i++) {
          if (rows[i].id > client.cursor && (!client.types || client.types.has(rows[i].type))) parts.push(frames[i]);
        }
        bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      }
      client.cursor = last;
      if (bytes.byteLength > 0 && !client.write(bytes, this.opts.maxQueuedBytes)) this.drop(client);
    }
    this.lastId = last;
    if (rows.length === this.opts.replayLimit) this.notify(); // more waiting: next turn, so I/O is not starved
  }

  private drop(client: Client): void {
    this.dropped++;
    this.clients.delete(client);
    client.end(true);
    if (this.clients.size === 0) this.stopTimers();
  }

  private remove(client: Client): void {
    if (!this.clients.delete(client)) return;
    client.end(false);
    if (this.clients.size === 0) this.stopTimers();
  }

  private ensureTimers(): void {
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) if (!c.write(HEARTBEAT, this.opts.maxQueuedBytes)) this.drop(c);
    }, this.opts.heartbeatMs).unref();
    this.poll ??= setInterval(() => this.notify(), this.opts.pollMs).unref();
  }

  private stopTimers(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.poll) clearInterval(this.poll);
    this.heartbeat = this.poll = null;
  }

  /** Timer work must not crash the process: a closed database ends the hub, anything else is logged. */
  private safely(fn: () => void): void {
    try {
      if (!this.db.open) return this.close();
      fn();
    } catch (err) {
      console.error('live hub:', err);
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
