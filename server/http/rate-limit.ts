/**
 * Rate limiting: one token bucket per caller, in memory (one process serves everything, so there is nothing to share).
 *
 * A caller is its bearer token when it sends one (keyed by a hash, so tokens never sit in memory as they came),
 * otherwise its IP address. Each request takes a token; a bucket holds `burst` tokens and refills at `perSecond`.
 * An empty bucket answers 429 problem+json with `Retry-After` (whole seconds until a token is back).
 *
 * Loopback callers are not limited unless `limitLoopback`: they are this machine's own programs — the demo
 * simulator `npm start` runs beside the server, `gezhi simulate`, benches, tests — and a reverse proxy on this machine
 * (whose callers are told apart with GEZHI_TRUST_PROXY=1, by X-Forwarded-For; else every caller would share one
 * bucket and the whole site would be throttled as one client).
 *
 * The defaults are generous on purpose: the wall and the console open a dozen resources at once and then live on
 * the stream, and a dispatcher's browser sits behind the same address as its colleagues' in a command centre; the
 * limit is there to stop a runaway client or a flood, not to meter people.
 *
 * @example
 * app.use(rateLimit({ perSecond: 200, burst: 2000, clientIp: (c) => peerAddress(c) }))
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { problemResponse } from './problem.ts';

export interface RateLimitOptions {
  /** Tokens added per second to each bucket (the sustained rate); 0 turns limiting off. */
  perSecond: number;
  /** Bucket size: the requests a caller may make at once after being idle. */
  burst: number;
  /**
   * The caller's address; undefined for a request that came through no socket (`app.request`: the server's own
   * warm-up, tests), which is not limited.
   */
  clientIp: (c: Context) => string | undefined;
  /** The clock (ms); tests pin it. */
  now?: () => number;
  /** Most buckets kept; past it, the longest-idle ones are forgotten (a forgotten bucket starts full). */
  maxKeys?: number;
  /** Limit loopback callers too (default false). */
  limitLoopback?: boolean;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./.test(ip);
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The defaults and their environment variables (GEZHI_RATE_LIMIT_RPS, GEZHI_RATE_LIMIT_BURST, GEZHI_RATE_LIMIT_LOOPBACK). */
export const RATE_LIMIT_DEFAULTS = { perSecond: 200, burst: 2000 } as const;

/** Reads GEZHI_RATE_LIMIT_RPS / GEZHI_RATE_LIMIT_BURST; a bad value stops start-up with the variable's name. */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): { perSecond: number; burst: number; limitLoopback: boolean } {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > 1e9) throw new Error(`${name} must be a number from 0 to 1e9, got ${JSON.stringify(raw)}`);
    return n;
  };
  const perSecond = read('GEZHI_RATE_LIMIT_RPS', RATE_LIMIT_DEFAULTS.perSecond);
  const burst = read('GEZHI_RATE_LIMIT_BURST', Math.max(RATE_LIMIT_DEFAULTS.burst, perSecond));
  if (perSecond > 0 && burst < 1) throw new Error('GEZHI_RATE_LIMIT_BURST must be at least 1 while GEZHI_RATE_LIMIT_RPS is above 0');
  return { perSecond, burst, limitLoopback: env.GEZHI_RATE_LIMIT_LOOPBACK === '1' };
}

/**
 * The address of the peer under @hono/node-server. Behind a reverse proxy every request comes from the proxy, so
 * with `trustProxy` the address the proxy appended last to X-Forwarded-For is taken instead (the earlier entries
 * are the client's to write and prove nothing).
 */
export function peerAddress(c: Context, trustProxy = false): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  if (!incoming) return undefined;
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For');
    const last = forwarded?.split(',').pop()?.trim();
    if (last) return last.slice(0, 64);
  }
  return incoming.socket?.remoteAddress ?? 'unknown';
}

/** The bucket key of a request: a hash of its Authorization header, else `ip:` and the address. */
export function callerKey(c: Context, ip: string): string {
  const auth = c.req.header('Authorization');
  if (auth) return `auth:${createHash('sha256').update(auth).digest('base64url').slice(0, 22)}`;
  return `ip:${ip}`;
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { perSecond, burst, clientIp } = options;
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  /** Drops buckets that have refilled (the same as no bucket), then the oldest while still over the cap. */
  const prune = (t: number) => {
    for (const [key, b] of buckets) if (b.tokens + ((t - b.at) / 1000) * perSecond >= burst) buckets.delete(key);
    for (const key of buckets.keys()) {
      if (buckets.size <= maxKeys) break;
      buckets.delete(key);
    }
  };

  return async function rateLimit(c: Context, next: Next) {
    if (perSecond <= 0) return next();
    const ip = clientIp(c);
    if (ip === undefined || (!options.limitLoopback && isLoopback(ip))) return next();
    const t = now();
    const key = callerKey(c, ip);
    let b = buckets.get(key);
    if (b) {
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
      b.at = t;
      // Most recently used last, so pruning by insertion order forgets the longest-idle callers first.
      buckets.delete(key);
    } else {
      if (buckets.size >= maxKeys) prune(t);
      b = { tokens: burst, at: t };
    }
    buckets.set(key, b);
    if (b.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
      c.header('Retry-After', String(retryAfter));
      return problemResponse(c, {
        type: '/problems/too-many-requests',
        title: 'Too many requests',
        status: 429,
        detail: `More than ${burst} requests at once or ${perSecond} a second from this ${key.startsWith('auth:') ? 'token' : 'address'}; retry after ${retryAfter} s`,
        instance: c.req.path,
        retryAfter,
      });
    }
    b.tokens -= 1;
    return next();
  };
}
