/**
 * The app-wide middleware, tuned for @hono/node-server's lightweight request and response objects:
 *
 * - `bodySizeLimit`: a request with a Content-Length header (and no Transfer-Encoding) is judged by that header
 *   alone; Node's HTTP parser never delivers more body bytes than it announces. Only a chunked body (or a Request
 *   built without the header, as in `app.request`) is counted while it streams, by hono's bodyLimit. GET and HEAD
 *   pass untouched. Touching `c.req.raw.body` would make node-server build a full WHATWG Request with a web stream
 *   over the socket for every request, and the body could then no longer be read by its direct fast path.
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

export function compressReads(): MiddlewareHandler {
  const gzip = compress();
  return async function compressReads(c: Context, next: Next) {
    const method = c.req.method;
    return method === 'GET' || method === 'HEAD' ? gzip(c, next) : next();
  };
}
