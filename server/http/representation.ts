/**
 * Precompressed, validator-tagged responses for large read-mostly resources (the block map, basemap layers).
 *
 * A representation is built once — JSON text, its gzip and brotli bytes and a content hash — and reused by every
 * request until its key changes (the caller's cheap "what changed" marker) or its `validUntil` instant passes (for
 * content that changes with the clock alone, e.g. a case becoming overdue). A warm request then costs one marker
 * query, an Accept-Encoding choice and a buffer write.
 *
 * ETags are strong and per encoding (`"h"`, `"h.gz"`, `"h.br"`: byte-different representations must not share a
 * strong tag), where `h` hashes the uncompressed body, so a tag can never outlive the content it names. A request
 * whose If-None-Match carries any encoding's tag of the current content gets 304.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context, TypedResponse } from 'hono';

export interface Representation {
  hash: string;
  contentType: string;
  identity: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  br: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

export interface BuiltBody {
  body: string;
  /** Instant (epoch ms) from which the body is stale even if nothing was written, or null. */
  validUntil: number | null;
  /** Extra response headers (e.g. where the data came from). */
  headers?: Record<string, string>;
}

/**
 * Levels chosen for rebuilds that follow every event write. On the 823 KB Yuhu block collection: gzip 6 → 142 KB in
 * 12 ms (level 9: 140 KB, 45 ms); brotli 5 → 136 KB in 14 ms (9: 133 KB, 59 ms; 11: 99 KB but 1.45 s, too slow to
 * redo on each write).
 */
const BROTLI_QUALITY = 5;
const GZIP_LEVEL = 6;

export function buildRepresentation(built: BuiltBody, contentType: string): Representation {
  const identity = Buffer.from(built.body, 'utf8');
  return {
    hash: createHash('sha1').update(identity).digest('base64url').slice(0, 22),
    contentType,
    identity: own(identity),
    gzip: own(gzipSync(identity, { level: GZIP_LEVEL })),
    br: own(brotliCompressSync(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    })),
    headers: built.headers ?? {},
  };
}

/** A copy in its own ArrayBuffer (Node buffers may share a pooled one). */
function own(buf: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buf);
}

/**
 * One cached representation, rebuilt when `key()` changes or its validity ends.
 * `key` must be cheap (it runs on every request); `build` may be expensive.
 */
export class CachedRepresentation {
  private entry: { key: string; validUntil: number | null; rep: Representation } | null = null;
  constructor(
    private readonly key: (now: number) => string,
    private readonly build: (now: number) => BuiltBody,
    private readonly contentType = 'application/json; charset=utf-8',
  ) {}

  get(now: number): Representation {
    const key = this.key(now);
    const e = this.entry;
    if (e && e.key === key && (e.validUntil === null || now < e.validUntil)) return e.rep;
    const built = this.build(now);
    const rep = buildRepresentation(built, this.contentType);
    this.entry = { key, validUntil: built.validUntil, rep };
    return rep;
  }

  /** Drops the cached body (after an import that the key cannot see). */
  invalidate(): void {
    this.entry = null;
  }
}

type Encoding = 'br' | 'gzip' | 'identity';

/** Picks br, then gzip, then identity, honouring q-values (q=0 refuses) and `*`. */
export function chooseEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    let value = 1;
    for (const p of params) {
      const m = /^\s*q=([0-9.]+)\s*$/.exec(p);
      if (m) value = Number(m[1]);
    }
    q.set(token, Number.isFinite(value) ? value : 0);
  }
  const qOf = (enc: string) => q.get(enc) ?? q.get('*') ?? 0;
  const br = qOf('br');
  const gz = Math.max(qOf('gzip'), q.get('x-gzip') ?? 0);
  if (br > 0 && br >= gz) return 'br';
  if (gz > 0) return 'gzip';
  return 'identity';
}

const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz', identity: '' };

/** True when If-None-Match names this content (any encoding's tag, weak or strong) or is `*`. */
export function matchesIfNoneMatch(header: string | undefined, hash: string): boolean {
  if (!header) return false;
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    if (tag === '*') return true;
    const opaque = tag.replace(/^W\//, '').replace(/^"|"$/g, '');
    return opaque === hash || opaque === `${hash}.gz` || opaque === `${hash}.br`;
  });
}

/**
 * Sends a representation: 304 when the client's tag is current, else the bytes in the best accepted encoding.
 * `Cache-Control: no-cache` lets clients keep the body but makes them revalidate each time.
 */
export function sendRepresentation<T>(
  c: Context,
  rep: Representation,
  cacheControl = 'no-cache',
): Response & TypedResponse<T, 200, 'json'> {
  return send(c, rep, cacheControl) as Response & TypedResponse<T, 200, 'json'>;
}

function send(c: Context, rep: Representation, cacheControl: string): Response {
  const encoding = chooseEncoding(c.req.header('Accept-Encoding'));
  const headers: Record<string, string> = {
    ...rep.headers,
    ETag: `"${rep.hash}${SUFFIX[encoding]}"`,
    Vary: 'Accept-Encoding',
    'Cache-Control': cacheControl,
  };
  if (matchesIfNoneMatch(c.req.header('If-None-Match'), rep.hash)) return c.body(null, 304, headers);
  const bytes = encoding === 'br' ? rep.br : encoding === 'gzip' ? rep.gzip : rep.identity;
  headers['Content-Type'] = rep.contentType;
  headers['Content-Length'] = String(bytes.length);
  if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
  if (c.req.method === 'HEAD') return c.body(null, 200, headers);
  return c.body(bytes, 200, headers);
}
