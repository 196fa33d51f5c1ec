/**
 * The app-wide middleware, tuned for @hono/node-server's lightweight request and response objects:
 *
 * - `bodySizeLimit`: a request with a Content-Length header (and no Transfer-Encoding) is judged by that header
 *   alone; Node's HTTP parser never delivers more body bytes than it announces. Only a chunked body (or a Request
 *   built without the header, as in `app.request`) is counted while it streams, by hono's bodyLimit. GET and HEAD
 *   pass untouched. Touching `c.req.raw.body` would make node-server build a full WHATWG Request with a web stream
 *   over the socket for every request, and the body could then no longer be read by its direct fast path.
 * - `closeUnreadBodies`: an answer ready before the request's body has fully arrived (a 413 judged by
 *   Content-Length, a 415, a 404, a 429) waits until the rest of the body is read and dropped, then goes out on a
 *   connection that can carry the client's next request. Sent at once, it would either announce keep-alive and then
 *   lose the socket when node-server's drain gives up (500 ms or 64 MB) — a pooled client's next request on it then
 *   fails with "other side closed" — or, with `Connection: close`, cut the client off while it is still sending
 *   (EPIPE). Only a body past `maxDrainBytes` (declared or counted) or slower than `drainTimeoutMs` gets its answer
 *   at once with `Connection: close`.
 * - `compressReads`: hono's compress() for GET (and HEAD) only. Write responses are small (an event is 1–2 KB), are
 *   never cached, and compressing them (or even adding `Vary`, which turns the lightweight response into a full
 *   one that is then streamed) costs more CPU per request than the bytes it saves on the wire.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';

export interface BodySizeLimitOptions {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}

export function bodySizeLimit(options: BodySizeLimitOptions): MiddlewareHandler {
  const streaming = bodyLimit(options);
  const { maxSize, onError } = options;
  return async function bodySizeLimit(c: Context, next: Next) {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('Content-Length');
    if (length !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      return parseInt(length, 10) > maxSize ? onError(c) : next();
    }
    return streaming(c, next);
  };
}

interface Incoming {
  complete: boolean;
  destroyed: boolean;
  readableEnded: boolean;
  resume(): void;
  on(event: 'data', listener: (chunk: Buffer) => void): void;
  on(event: 'end' | 'close' | 'error', listener: () => void): void;
  off(event: string, listener: (...args: never[]) => void): void;
}

export interface CloseUnreadBodiesOptions {
  /** Largest rest of a body read and dropped so the connection lives on (default 32 MiB). */
  maxDrainBytes?: number;
  /** Longest wait for that rest (default 5 s). */
  drainTimeoutMs?: number;
}

/** Reads the rest of `incoming` and drops it; true when it ended within the byte and time limits. */
function drain(incoming: Incoming, maxBytes: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (ended: boolean) => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('close', onClose);
      incoming.off('error', onClose);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) done(false);
    };
    const onEnd = () => done(true);
    const onClose = () => done(incoming.readableEnded);
    const timer = setTimeout(() => done(false), timeoutMs);
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('close', onClose);
    incoming.on('error', onClose);
    incoming.resume();
  });
}

export function closeUnreadBodies(options: CloseUnreadBodiesOptions = {}): MiddlewareHandler {
  const maxDrainBytes = options.maxDrainBytes ?? 32 * 1024 * 1024;
  const drainTimeoutMs = options.drainTimeoutMs ?? 5000;
  return async function closeUnreadBodies(c: Context, next: Next) {
    await next();
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return;
    const incoming = (c.env as { incoming?: Incoming } | undefined)?.incoming;
    if (!incoming || incoming.readableEnded) return;
    const declared = c.req.header('Transfer-Encoding') === undefined ? Number(c.req.header('Content-Length') ?? 0) : NaN;
    const drained = !incoming.destroyed && !(declared > maxDrainBytes) && (await drain(incoming, maxDrainBytes, drainTimeoutMs));
    if (!drained) c.res.headers.set('Connection', 'close');
  };
}

export function compressReads(): MiddlewareHandler {
  const gzip = compress();
  return async function compressReads(c: Context, next: Next) {
    const method = c.req.method;
    return method === 'GET' || method === 'HEAD' ? gzip(c, next) : next();
  };
}
