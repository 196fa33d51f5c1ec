/**
 * GET /api/events/columns: a window of events as binary event columns (GZEV v1, see server/domain/event-columns.ts),
 * for the map to draw 10⁵–10⁶ points without JSON.
 *
 * Query: `from`, `to` (ISO 8601, as for /api/events; default the 30 days up to now), `status` (comma list of
 * statuses, `open`, `overdue`), `bbox` (minLon,minLat,maxLon,maxLat). A window of more than MAX_WINDOW_EVENTS events
 * is a 422 problem (narrow it by time, status or bbox) rather than a response of unbounded size.
 *
 * The body is `application/vnd.gezhi.events+octet-stream; version=1`, compressed with brotli or gzip when the client
 * accepts it, at fast settings because the body is built per request (10⁶ events: 15 MB raw, ~5 MB compressed).
 * The ETag hashes the uncompressed bytes, with an encoding suffix as elsewhere, so an unchanged window is a 304
 * without compressing. The response's `X-Event-Count` header gives the count without decoding.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import type { EventWindowQueries } from '../db/queries/event-window.ts';
import { encodeEventColumns, EVENT_COLUMNS_MEDIA_TYPE, EVENT_COLUMNS_VERSION } from '../contract/event-columns.ts';
import { ProblemError } from '../http/problem.ts';
import { chooseEncoding, matchesIfNoneMatch } from '../http/representation.ts';
import { parseBbox, queryValidator, type Bbox } from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { parseSpanAndStatus, type StatusFilter } from './event-filter.ts';

export const EVENT_COLUMNS_QUERY = ['from', 'to', 'status', 'bbox'] as const;
/** The window when neither `from` nor `to` is given: the 30 days up to now. */
export const DEFAULT_WINDOW_MS = 30 * 86_400_000;
/** The most events one response carries (≈ 30 MB of columns); a larger window is a 422. */
export const MAX_WINDOW_EVENTS = 2_000_000;
export const CONTENT_TYPE = `${EVENT_COLUMNS_MEDIA_TYPE}; version=${EVENT_COLUMNS_VERSION}`;

/** gzip level 1 and brotli quality 1: fast, and within a few per cent of gzip 6 on these columns (see the bench). */
const GZIP_LEVEL = 1;
const BROTLI_QUALITY = 1;
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export interface ColumnsQuery {
  from?: number;
  to?: number;
  status?: StatusFilter;
  bbox?: Bbox;
}

export function parseColumnsQuery(raw: Partial<Record<(typeof EVENT_COLUMNS_QUERY)[number], string>>): ColumnsQuery {
  const f: ColumnsQuery = parseSpanAndStatus(raw);
  if (raw.bbox !== undefined) f.bbox = parseBbox('bbox', raw.bbox);
  return f;
}

/** [from, to) with the defaults: both missing → the 30 days up to now; one missing → 30 days from/to the other. */
export function resolveWindow(f: ColumnsQuery, now: number): [from: number, to: number] {
  const to = f.to ?? (f.from !== undefined ? Math.max(now, f.from + 1) : now);
  const from = f.from ?? to - DEFAULT_WINDOW_MS;
  return [from, to];
}

/**
 * The route module. `window` is the bulk window read (server/db/queries/event-window.ts), passed in until the
 * named-query module carries it; `maxEvents` (default MAX_WINDOW_EVENTS) is there for tests.
 */
export function eventColumnRoutes({ now }: RouteDeps, window: EventWindowQueries, options: { maxEvents?: number } = {}) {
  const maxEvents = options.maxEvents ?? MAX_WINDOW_EVENTS;
  return new Hono().get('/', permit('map:read'), queryValidator(EVENT_COLUMNS_QUERY, parseColumnsQuery), async (c) => {
    const t = now();
    const f = c.req.valid('query');
    const [from, to] = resolveWindow(f, t);
    const rows = window.read({ from, to, status: f.status, bbox: f.bbox, now: t, limit: maxEvents });
    if (rows.truncated) {
      throw new ProblemError(
        422,
        `The window holds more than ${maxEvents} events, the most one response carries; narrow it with from/to, status or bbox`,
        { type: '/problems/window-too-large', title: 'Window too large', maxEvents },
      );
    }
    const body = new Uint8Array(encodeEventColumns({ ...rows, timeOrigin: from, timeEnd: to, asOf: t }));
    const hash = createHash('sha1').update(body).digest('base64url').slice(0, 22);
    const encoding = chooseEncoding(c.req.header('Accept-Encoding'));
    const headers: Record<string, string> = {
      ETag: `"${hash}${encoding === 'br' ? '.br' : encoding === 'gzip' ? '.gz' : ''}"`,
      Vary: 'Accept-Encoding',
      'Cache-Control': 'no-cache',
      'X-Event-Count': String(rows.count),
    };
    if (matchesIfNoneMatch(c.req.header('If-None-Match'), hash)) return c.body(null, 304, headers);
    let bytes: Uint8Array<ArrayBuffer> = body;
    if (encoding === 'gzip') bytes = new Uint8Array(await gzipAsync(body, { level: GZIP_LEVEL }));
    else if (encoding === 'br') {
      bytes = new Uint8Array(
        await brotliAsync(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
      );
    }
    headers['Content-Type'] = CONTENT_TYPE;
    headers['Content-Length'] = String(bytes.length);
    if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
    return c.body(bytes, 200, headers);
  });
}
