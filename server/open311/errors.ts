/**
 * Open311 errors. GeoReport v2 clients parse failures as an array of `{ code, description }` objects sent with the
 * HTTP status (400 bad request, 403 bad api_key, 404 unknown resource), so under /open311 errors take that shape
 * instead of the API's application/problem+json: a client written against the spec can read every refusal.
 *
 * Refusals and problems thrown by shared code (the report service, the parameter parsers) are translated here, after
 * the API's own mapping of a refusal reason to its status (server/http/refusal-problem.ts): each named
 * parameter becomes one `{ code, description }` entry; field names of the report (text, lon, lat, category,
 * reporter) are given back under their Open311 names (description, long, lat, service_code, first_name/last_name).
 * A 422 (well formed but invalid, e.g. a point outside the district) and a 415 become 400, the nearest status the
 * spec knows; 409 (an Idempotency-Key reused with another report), 413 and 5xx keep their status.
 */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../domain/refusal.ts';
import { ProblemError } from '../http/problem.ts';
import { problemOfRefusal } from '../http/refusal-problem.ts';

export interface Open311ErrorItem {
  code: number;
  description: string;
}

/** An error that becomes one Open311 error response. */
export class Open311Error extends Error {
  readonly status: number;
  readonly items: Open311ErrorItem[];
  constructor(status: number, descriptions: string | readonly string[]) {
    const list = typeof descriptions === 'string' ? [descriptions] : [...descriptions];
    super(list.join('; '));
    this.name = 'Open311Error';
    this.status = status;
    this.items = list.map((description) => ({ code: status, description }));
  }
}

export const badRequest = (d: string | readonly string[]) => new Open311Error(400, d);
export const forbidden = (d: string) => new Open311Error(403, d);
export const notFound311 = (d: string) => new Open311Error(404, d);

/** Report field → Open311 parameter. */
const FIELD_NAMES: Record<string, string> = {
  text: 'description',
  lon: 'long',
  lat: 'lat',
  category: 'service_code',
  reporter: 'first_name/last_name',
  idempotencyKey: 'Idempotency-Key',
  channel: 'channel',
};

function fromProblem(p: { status: number; detail: string; errors?: { name: string; detail: string }[] }): { status: number; items: Open311ErrorItem[] } {
  const status = p.status === 422 || p.status === 415 ? 400 : p.status;
  const errors = p.errors ?? [];
  const items = errors.length
    ? errors.map((e) => {
        const name = FIELD_NAMES[e.name] ?? e.name;
        return { code: status, description: name ? `${name}: ${e.detail}` : e.detail };
      })
    : [{ code: status, description: p.detail }];
  return { status, items };
}

export function open311ErrorResponse(c: Context, status: number, items: Open311ErrorItem[]): Response {
  return c.body(JSON.stringify(items), status as ContentfulStatusCode, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
}

/** The error handler of the /open311 sub-app. */
export const onOpen311Error: ErrorHandler = (err, c) => {
  if (err instanceof Open311Error) return open311ErrorResponse(c, err.status, err.items);
  if (err instanceof ProblemError || err instanceof DomainError) {
    const { status, items } = fromProblem(err instanceof ProblemError ? err.problem : problemOfRefusal(err.refusal));
    return open311ErrorResponse(c, status, items);
  }
  if (err instanceof HTTPException) {
    return open311ErrorResponse(c, err.status, [{ code: err.status, description: err.message || 'Request refused' }]);
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, err);
  return open311ErrorResponse(c, 500, [{ code: 500, description: 'The server failed to handle this request; the error has been logged.' }]);
};
