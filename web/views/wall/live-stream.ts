import { createSignal, type Accessor } from 'solid-js';
import { authHeaders } from './api';

/**
 * The wall's live-stream client: GET /api/stream read with fetch() and a small Server-Sent Events parser.
 *
 * Why not EventSource (as web/live/stream.ts uses): a wall runs unattended for days, and
 * - EventSource hides the server's `: hb` heartbeat comments, so a connection that dies silently (a switch, a
 *   sleeping NAT, a frozen proxy) looks healthy until TCP gives up, possibly hours later. Here every byte —
 *   heartbeats included — resets a watchdog; silence longer than `silenceMs` cuts and reopens the connection.
 * - EventSource cannot send headers: the display token travels as `Authorization: Bearer` like every other call.
 *
 * Reconnects back off from `retryMs` doubling to `maxRetryMs` (with jitter) and resume with a `Last-Event-ID`
 * header, so the server replays what was missed. `status` is 'connecting' (opening or briefly down), 'live', or
 * 'stale' once the stream has been down longer than `staleAfterMs`.
 */
export type WallStreamStatus = 'connecting' | 'live' | 'stale';

export interface StreamMessage {
  id: string;
  type: string;
  data: unknown;
}

export interface WallStreamOptions {
  onMessage: (m: StreamMessage) => void;
  /** Called when the stream is (re)opened after having been stale: the screen should resync. */
  onRecovered?: () => void;
  staleAfterMs?: number;
  silenceMs?: number;
  retryMs?: number;
  maxRetryMs?: number;
}

export interface WallStream {
  status: Accessor<WallStreamStatus>;
  /** Last message id received ('' before any). */
  lastId: Accessor<string>;
  /** When the last message (not heartbeat) arrived, epoch ms; null before any. */
  lastMessageAt: Accessor<number | null>;
  reconnects: () => number;
  close(): void;
}

export function openWallStream(url: string, options: WallStreamOptions): WallStream {
  const staleAfterMs = options.staleAfterMs ?? 4_000;
  const silenceMs = options.silenceMs ?? 40_000; // the server sends a heartbeat every 15 s
  const baseRetry = options.retryMs ?? 1_000;
  const maxRetry = options.maxRetryMs ?? 8_000;
  const [status, setStatus] = createSignal<WallStreamStatus>('connecting');
  const [lastId, setLastId] = createSignal('');
  const [lastMessageAt, setLastMessageAt] = createSignal<number | null>(null);
  let closed = false;
  let retry = baseRetry;
  let reconnects = 0;
  let wasStale = false;
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;

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
    reconnects++;
    const ctrl = new AbortController();
    controller = ctrl;
    feedWatchdog();
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (lastId()) headers['Last-Event-ID'] = lastId();
      const res = await fetch(url, { headers: authHeaders(headers), signal: ctrl.signal, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`stream ${res.status}`);
      markUp();
      feedWatchdog();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let id = '';
      let type = 'message';
      let data: string[] = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feedWatchdog();
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          let line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.endsWith('\r')) line = line.slice(0, -1);
          if (line === '') {
            if (data.length) {
              if (id) setLastId(id);
              setLastMessageAt(Date.now());
              let parsed: unknown = null;
              try {
                parsed = JSON.parse(data.join('\n'));
              } catch {
                parsed = null;
              }
              try {
                options.onMessage({ id, type, data: parsed });
              } catch (err) {
                console.warn('wall: message handler failed', err);
              }
            }
            type = 'message';
            data = [];
            continue;
          }
          if (line.startsWith(':')) continue; // heartbeat comment: only feeds the watchdog
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') id = val;
          else if (field === 'event') type = val;
          else if (field === 'data') data.push(val);
        }
        if (buffer.length > 4_000_000) throw new Error('stream line too long');
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
    reconnects: () => reconnects,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(staleTimer);
      clearTimeout(watchdog);
      controller?.abort();
    },
  };
}
