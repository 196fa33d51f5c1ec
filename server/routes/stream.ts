import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { invalidParam } from '../http/problem.ts';
import { queryValidator } from '../http/validate.ts';
import type { LiveHub } from '../live/hub.ts';
import { LIVE_TYPE_PATTERN } from '../live/messages.ts';

const STREAM_QUERY = ['types', 'lastEventId'] as const;

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no', // reverse proxies must not buffer the stream
};

/** A message id as sent by the client: a non-negative decimal integer. */
function parseEventId(name: string, raw: string, where: 'query' | 'header'): number {
  const n = /^[0-9]{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw invalidParam(name, `must be a message id (a non-negative integer), got ${JSON.stringify(raw.slice(0, 40))}`, where);
  }
  return n;
}

function parseTypes(raw: string): Set<string> {
  const items = raw.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !LIVE_TYPE_PATTERN.test(s));
  if (items.length === 0 || bad.length > 0) {
    throw invalidParam('types', `must be a comma list of message types such as event.created,kpi.tick; bad: ${bad.map((s) => JSON.stringify(s)).join(', ') || '(empty)'}`);
  }
  return new Set(items);
}

/**
 * GET /api/stream[?types=a,b&lastEventId=n]: the live stream as Server-Sent Events. Each message carries
 * `id:` (monotonic), `event:` (its type) and `data:` (JSON with `at`). With a Last-Event-ID header (what an
 * EventSource sends on reconnect; it wins over the query) or `?lastEventId=`, every stored message after that id
 * comes first, then live ones, with nothing lost or repeated at the seam; an id outside the retained window gets
 * `event: reset` (reload state, then carry on). `: hb` comments arrive every heartbeat; a client that falls too far
 * behind is cut and resumes by reconnecting. GET /api/stream/status: connected clients and the last id sent.
 */
export function streamRoutes(live: LiveHub) {
  return new Hono()
    .get(
      '/', permit('map:read'),
      queryValidator(STREAM_QUERY, (raw, c) => {
        const header = c.req.header('Last-Event-ID');
        let lastEventId: number | undefined;
        if (header !== undefined && header.trim() !== '') lastEventId = parseEventId('Last-Event-ID', header, 'header');
        else if (raw.lastEventId !== undefined) lastEventId = parseEventId('lastEventId', raw.lastEventId, 'query');
        return { lastEventId, types: raw.types === undefined ? undefined : parseTypes(raw.types) };
      }),
      (c) => {
        const { lastEventId, types } = c.req.valid('query');
        // Under @hono/node-server the raw response is at hand: the hub writes to it directly (and cutting a slow
        // client closes its socket at once). Elsewhere (app.request) the stream goes out as the response body.
        const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
        if (outgoing) {
          outgoing.writeHead(200, SSE_HEADERS);
          outgoing.flushHeaders();
          const close = live.subscribeSocket(outgoing, { lastEventId, types });
          outgoing.once('close', close);
          return RESPONSE_ALREADY_SENT;
        }
        const sub = live.subscribe({ lastEventId, types });
        c.req.raw.signal.addEventListener('abort', sub.close, { once: true });
        return c.body(sub.stream, 200, SSE_HEADERS);
      },
    )
    .get(
      '/status', permit('map:read'),
      queryValidator([], () => ({})),
      (c) => c.json(live.status(), 200, { 'Cache-Control': 'no-store' }),
    );
}
