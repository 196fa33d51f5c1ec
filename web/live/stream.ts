import { createSignal, type Accessor } from 'solid-js';
import type { StreamMessages, StreamType } from '../../server/contract/live';
import { createSseFrameReader } from './sse-frames';

/**
 * The web app's one client of the live stream (GET /api/stream, Server-Sent Events), read with fetch() and the
 * shared frame reader (sse-frames.ts). Why not EventSource: screens run unattended for days, and
 * - EventSource cannot send headers: a display token travels as `Authorization: Bearer` like every other call;
 * - EventSource hides the server's `: hb` heartbeats, so a connection that dies silently (a switch, a sleeping NAT,
 *   a frozen proxy) looks healthy until TCP gives up, possibly hours later. Here every byte resets a watchdog;
 *   silence longer than `silenceMs` cuts the connection and opens a new one.
 *
 * Reconnects back off from `retryMs` doubling to `maxRetryMs` (with jitter) and send `Last-Event-ID`: the id of the
 * last frame that carried one, including the id-only frame the server sends first, so the server replays exactly
 * what was missed. `status` is 'connecting' (opening or briefly down), 'live', or 'stale' once the stream has been
 * down longer than `staleAfterMs` (what the screen shows may be out of date); `onRecovered` is called when a stale
 * stream is back, so the screen can resync. A `reset` frame (the last id is no longer retained) is a message like
 * any other: reload state from the API, then carry on.
 */
export type StreamStatus = 'connecting' | 'live' | 'stale';

export type StreamHandlers = {
  [K in StreamType]?: (message: StreamMessages[K], id: string) => void;
};

export interface StreamOptions {
  /** Handlers by message type; types without one are skipped. */
  handlers?: StreamHandlers;
  /** Every message, whatever its type (after its handler). */
  onMessage?: (type: string, data: unknown, id: string) => void;
  /** The stream is back after having been stale. */
  onRecovered?: () => void;
  /** Extra request headers, read at each (re)connect (e.g. the display token's Authorization). */
  headers?: () => Record<string, string>;
  /** Down this long → 'stale' (default 4 s). */
  staleAfterMs?: number;
  /** No byte for this long → reconnect (default 40 s; the server sends a heartbeat every 15 s). */
  silenceMs?: number;
  /** First reconnect delay (default 1 s), doubling up to maxRetryMs (default 8 s). */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface LiveStream {
  status: Accessor<StreamStatus>;
  /** The id to resume from ('' before any). */
  lastId: Accessor<string>;
  /** When the last message (not heartbeat) arrived, epoch ms; null before any. */
  lastMessageAt: Accessor<number | null>;
  /** Connections opened so far (the first included). */
  connects: () => number;
  close(): void;
}

/** Connects to `url` (e.g. '/api/stream?types=event.created,event.transitioned'); call `close()` when done. */
export function openStream(url: string, options: StreamOptions = {}): LiveStream {
  const staleAfterMs = options.staleAfterMs ?? 4_000;
  const silenceMs = options.silenceMs ?? 40_000;
  const baseRetry = options.retryMs ?? 1_000;
  const maxRetry = options.maxRetryMs ?? 8_000;
  const handlers = (options.handlers ?? {}) as Record<string, ((m: unknown, id: string) => void) | undefined>;
  const [status, setStatus] = createSignal<StreamStatus>('connecting');
  const [lastId, setLastId] = createSignal('');
  const [lastMessageAt, setLastMessageAt] = createSignal<number | null>(null);
  let closed = false;
  let retry = baseRetry;
  let connects = 0;
  let wasStale = false;
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;

  const deliver = (type: string, text: string, id: string) => {
    setLastMessageAt(Date.now());
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      console.warn(`live stream: ${type} message ${id} is not JSON`);
      return;
    }
    try {
      handlers[type]?.(data, id);
      options.onMessage?.(type, data, id);
    } catch (err) {
      console.warn(`live stream: ${type} handler failed`, err);
    }
  };
  const reader = createSseFrameReader((f) => {
    if (f.id !== undefined) setLastId(f.id);
    if (f.data !== undefined) deliver(f.event ?? 'message', f.data, f.id ?? lastId());
  });

  const markDown = () => {
    if (status() === 'live') setStatus('connecting');
    staleTimer ??= setTimeout(() => {
      staleTimer = undefined;
      if (!closed && status() !== 'live') {
        wasStale = true;
        setStatus('stale');
      }
    }, staleAfterMs);
  };
  const markUp = () => {
    clearTimeout(staleTimer);
    staleTimer = undefined;
    retry = baseRetry;
    if (status() !== 'live') setStatus('live');
    if (wasStale) {
      wasStale = false;
      options.onRecovered?.();
    }
  };
  const feedWatchdog = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => controller?.abort(), silenceMs);
  };
  const scheduleReconnect = () => {
    if (closed) return;
    markDown();
    clearTimeout(retryTimer);
    const delay = retry * (0.8 + Math.random() * 0.4);
    retry = Math.min(retry * 2, maxRetry);
    retryTimer = setTimeout(connect, delay);
  };

  async function connect(): Promise<void> {
    if (closed) return;
    connects++;
    const ctrl = new AbortController();
    controller = ctrl;
    reader.reset();
    feedWatchdog();
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers?.() };
      if (lastId()) headers['Last-Event-ID'] = lastId();
      const res = await fetch(url, { headers, signal: ctrl.signal, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`stream ${res.status}`);
      markUp();
      feedWatchdog();
      const body = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await body.read();
        if (done) break;
        feedWatchdog();
        reader.feed(value);
      }
    } catch {
      // Connection refused, cut, aborted by the watchdog: all handled alike below.
    } finally {
      clearTimeout(watchdog);
      if (controller === ctrl) controller = null;
    }
    scheduleReconnect();
  }

  void connect();

  return {
    status,
    lastId,
    lastMessageAt,
    connects: () => connects,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(staleTimer);
      clearTimeout(watchdog);
      controller?.abort();
    },
  };
}
