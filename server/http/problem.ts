/**
 * Problem details (RFC 9457) for every error the API returns: `type`, `title`, `status`, `detail`, and for
 * validation errors `errors: [{ in, name, detail }]` naming each offending parameter. Routes throw `ProblemError`,
 * services a `DomainError` (a refusal reason, mapped to its status in refusal-problem.ts); the one `onError` handler
 * renders both (and anything else) as application/problem+json.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../domain/refusal.ts';
import { problemOfRefusal } from './refusal-problem.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface InvalidParam {
  /** Where the parameter was: the query string, the path or the body. */
  in: 'query' | 'path' | 'body' | 'header';
  name: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: InvalidParam[];
  [extension: string]: unknown;
}

const TITLES: Record<number, [type: string, title: string]> = {
  400: ['/problems/bad-request', 'Bad request'],
  401: ['/problems/unauthorized', 'Unauthorized'],
  403: ['/problems/forbidden', 'Forbidden'],
  404: ['/problems/not-found', 'Not found'],
  405: ['/problems/method-not-allowed', 'Method not allowed'],
  409: ['/problems/conflict', 'Conflict'],
  413: ['/problems/payload-too-large', 'Payload too large'],
  415: ['/problems/unsupported-media-type', 'Unsupported media type'],
  422: ['/problems/unprocessable', 'Unprocessable content'],
  429: ['/problems/too-many-requests', 'Too many requests'],
  500: ['/problems/internal', 'Internal server error'],
  503: ['/problems/unavailable', 'Service unavailable'],
};

/** An error that becomes one problem+json response. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(status: number, detail: string, extra: Partial<Problem> = {}) {
    super(detail);
    this.name = 'ProblemError';
    const [type, title] = TITLES[status] ?? ['about:blank', 'Error'];
    this.problem = { type, title, status, detail, ...extra };
  }
  get status(): number {
    return this.problem.status;
  }
}

/** 400 naming the parameter: `invalidParam('limit', 'must be an integer from 1 to 5000', 'query')`. */
export function invalidParam(name: string, detail: string, where: InvalidParam['in'] = 'query'): ProblemError {
  return new ProblemError(400, `Invalid ${where} parameter '${name}': ${detail}`, {
    type: '/problems/invalid-parameter',
    title: 'Invalid parameter',
    errors: [{ in: where, name, detail }],
  });
}

export function notFound(detail: string, extra: Partial<Problem> = {}): ProblemError {
  return new ProblemError(404, detail, extra);
}

export function problemResponse(c: Context, problem: Problem): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
  });
}

/** The app's single error renderer. Client mistakes keep their 4xx status; anything unexpected is a logged 500. */
/** Seconds a client is asked to wait after the database was busy. */
const BUSY_RETRY_SECONDS = 5;

/** SQLite's "database is locked" (SQLITE_BUSY and its extended codes), as better-sqlite3 reports it. */
const isBusy = (err: unknown): boolean => {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ProblemError) return problemResponse(c, { ...err.problem, instance: c.req.path });
  if (err instanceof DomainError) return problemResponse(c, { ...problemOfRefusal(err.refusal), instance: c.req.path });
  if (err instanceof HTTPException) {
    const status = err.status;
    const [type, title] = TITLES[status] ?? ['about:blank', 'Error'];
    return problemResponse(c, { type, title, status, detail: err.message || title, instance: c.req.path });
  }
  if (isBusy(err)) {
    // Another connection held the write lock past the busy timeout (a large import, a restore): the write was rolled
    // back whole, and the same request will go through once that writer is done.
    c.header('Retry-After', String(BUSY_RETRY_SECONDS));
    return problemResponse(c, {
      type: TITLES[503][0],
      title: TITLES[503][1],
      status: 503,
      detail: 'The database is busy with a long write (such as a large import); nothing was written. Try again shortly.',
      instance: c.req.path,
    });
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, err);
  return problemResponse(c, {
    type: TITLES[500][0],
    title: TITLES[500][1],
    status: 500,
    detail: 'The server failed to handle this request; the error has been logged.',
    instance: c.req.path,
  });
};

/** 404 for every path no route matched. */
export const onNotFound: NotFoundHandler = (c) =>
  problemResponse(c, {
    type: TITLES[404][0],
    title: TITLES[404][1],
    status: 404,
    detail: `No resource at ${c.req.method} ${c.req.path}`,
    instance: c.req.path,
  });
