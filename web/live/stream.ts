import { createSignal, type Accessor } from 'solid-js';

/**
 * A small client of the live stream (GET /api/stream, Server-Sent Events).
 *
 * - The browser's EventSource resumes by itself after a dropped connection and sends Last-Event-ID, so the server
 *   replays what was missed. When the EventSource gives up (closed), a new one is opened after a short backoff with
 *   `?lastEventId=` set to the last id seen, so nothing is lost then either.
 * - Messages are dispatched by their SSE `event:` type to typed handlers; the payload is parsed JSON.
 * - `status`: 'connecting' until the stream is open (and while it reconnects), 'live' while open, 'stale' once it
 *   has been down longer than `staleAfterMs` (what the screen shows may be out of date).
 * - `reset` (sent when the last id is no longer retained): reload state from the API, then carry on.
 */

export type StreamStatus = 'live' | 'connecting' | 'stale';

/** Payloads of the message types the app reads (each has `at`, the message time, ISO 8601). */
export interface LiveMessages {
  'event.created': {
    id: number;
    caseNo: string;
    status: string;
    kind: string;
    channel: string;
    category: string;
    tier: string;
    priority: string;
    lon: number;
    lat: number;
    blockCode: string;
    subdistrictCode: string;
    reportedAt: string;
    dueAt: string;
    at: string;
  };
  'event.transitioned': {
    id: number;
    caseNo: string;
    transition: string;
    from: string;
    to: string;
    actorId: number | null;
    assigneeId: number | null;
    tier: string;
    blockCode: string;
    subdistrictCode: string;
    lon: number;
    lat: number;
    dueAt: string;
    at: string;
  };
  'route.dispatched': {
    id?: number;
    eventId: number;
    staffId?: number;
    staffName?: string;
    etaSeconds?: number | null;
    distanceMetres?: number | null;
    coordinates?: [number, number][];
    times?: number[];
    at: string;
    [key: string]: unknown;
  };
  'staff.position': { staffId: number; lon: number; lat: number; at: string };
  'kpi.tick': { at: string; [key: string]: unknown };
  /** The stream could not resume from the last id: reload state, then carry on. */
  reset: { at?: string; [key: string]: unknown };
}

export type StreamHandlers = {
  [K in keyof LiveMessages]?: (message: LiveMessages[K], id: string) => void;
};

export interface StreamConnection {
  status: Accessor<StreamStatus>;
  close(): void;
}

export interface StreamOptions {
  /** How long the stream may be down before the status says 'stale' (default 10 s). */
  staleAfterMs?: number;
  /** Backoff before a closed EventSource is replaced (default 2 s, doubling to 30 s). */
  retryMs?: number;
}

/** Connects to `url` (e.g. '/api/stream?types=event.created,event.transitioned'); call `close()` when done. */
export function connectStream(url: string, handlers: StreamHandlers, options: StreamOptions = {}): StreamConnection {
  const staleAfterMs = options.staleAfterMs ?? 10_000;
  const baseRetry = options.retryMs ?? 2_000;
  const [status, setStatus] = createSignal<StreamStatus>('connecting');
  let source: EventSource | null = null;
  let lastId: string | null = null;
  let closed = false;
  let retry = baseRetry;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const down = () => {
    if (status() === 'live') setStatus('connecting');
    if (staleTimer === undefined) {
      staleTimer = setTimeout(() => {
        staleTimer = undefined;
        if (!closed && status() !== 'live') setStatus('stale');
      }, staleAfterMs);
    }
  };
  const up = () => {
    clearTimeout(staleTimer);
    staleTimer = undefined;
    retry = baseRetry;
    setStatus('live');
  };

  const withLastId = (): string => {
    if (lastId === null) return url;
    const u = new URL(url, location.href);
    u.searchParams.set('lastEventId', lastId);
    return u.pathname + u.search;
  };

  const open = () => {
    if (closed) return;
    const es = new EventSource(withLastId());
    source = es;
    es.onopen = up;
    es.onerror = () => {
      down();
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up: open a new one after a backoff, resuming from the last id seen.
        es.close();
        if (source === es) source = null;
        clearTimeout(retryTimer);
        retryTimer = setTimeout(open, retry);
        retry = Math.min(retry * 2, 30_000);
      }
    };
    for (const type of Object.keys(handlers) as (keyof LiveMessages)[]) {
      es.addEventListener(type, (e) => {
        const message = e as MessageEvent<string>;
        if (message.lastEventId) lastId = message.lastEventId;
        if (status() !== 'live') up();
        let data: unknown;
        try {
          data = message.data ? JSON.parse(message.data) : {};
        } catch {
          console.warn(`live stream: ${type} message ${message.lastEventId} is not JSON`);
          return;
        }
        (handlers[type] as ((m: unknown, id: string) => void) | undefined)?.(data, message.lastEventId);
      });
    }
  };

  open();

  return {
    status,
    close() {
      closed = true;
      clearTimeout(staleTimer);
      clearTimeout(retryTimer);
      source?.close();
      source = null;
    },
  };
}
