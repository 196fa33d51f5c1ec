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

/** The problem of a bare status: its registered type and title, with what happened. */
function statusProblem(status: number, detail: string): Problem {
  const [type, title] = TITLES[status] ?? ['about:blank', 'Error'];
  return { type, title, status, detail };
}

/** An error that becomes one problem+json response. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(status: number, detail: string, extra: Partial<Problem> = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.problem = { ...statusProblem(status, detail), ...extra };
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

/** Seconds a client is asked to wait after the database was busy. */
const BUSY_RETRY_SECONDS = 5;

/** SQLite's "database is locked" (SQLITE_BUSY and its extended codes), as better-sqlite3 reports it. */
const isBusy = (err: unknown): boolean => {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

/** The problem answered for the request's own path. */
const answer = (c: Context, problem: Problem): Response => problemResponse(c, { ...problem, instance: c.req.path });

/** The app's single error renderer. Client mistakes keep their 4xx status; anything unexpected is a logged 500. */
export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ProblemError) return answer(c, err.problem);
  if (err instanceof DomainError) return answer(c, problemOfRefusal(err.refusal));
  if (err instanceof HTTPException) {
    const problem = statusProblem(err.status, err.message);
    return answer(c, { ...problem, detail: err.message || problem.title });
  }
  if (isBusy(err)) {
    // Another connection held the write lock past the busy timeout (a large import, a restore): the write was rolled
    // back whole, and the same request will go through once that writer is done.
    c.header('Retry-After', String(BUSY_RETRY_SECONDS));
    return answer(c, statusProblem(503, 'The database is busy with a long write (such as a large import); nothing was written. Try again shortly.'));
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, err);
  return answer(c, statusProblem(500, 'The server failed to handle this request; the error has been logged.'));
};

/** 404 for every path no route matched. */
export const onNotFound: NotFoundHandler = (c) => answer(c, statusProblem(404, `No resource at ${c.req.method} ${c.req.path}`));
