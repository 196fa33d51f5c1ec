/**
 * Strict parameter parsers. Each takes the parameter's name and its raw text, and returns a typed value or throws
 * a 400 problem naming the parameter. No parser trusts its input: numbers must be finite and in range, codes must
 * be digits of the exact length, enums must be listed, so nothing a client sends can reach SQL or become a 500.
 *
 * Hand-written rather than zod: the rules are few and flat, the messages name the allowed values exactly, and the
 * server keeps one dependency fewer.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import { SHANGHAI_OFFSET_MS as SHANGHAI } from '../time.ts';
import { invalidParam, ProblemError } from './problem.ts';

export type Bbox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

/**
 * The query string as a flat record. Unknown names, repeated names and names without a value are 400s, so a typo
 * (`?stauts=open`) is reported instead of silently ignored.
 */
export function readQuery<K extends string>(c: Context, allowed: readonly K[]): Partial<Record<K, string>> {
  const all = c.req.queries();
  const unknown = Object.keys(all).filter((k) => !(allowed as readonly string[]).includes(k));
  if (unknown.length > 0) {
    const list = allowed.length ? allowed.join(', ') : 'none';
    throw new ProblemError(400, `Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: ${list}`, {
      type: '/problems/invalid-parameter',
      title: 'Invalid parameter',
      errors: unknown.map((name) => ({ in: 'query' as const, name, detail: `unknown parameter; allowed: ${list}` })),
    });
  }
  const out: Partial<Record<K, string>> = {};
  for (const [name, values] of Object.entries(all) as [K, string[]][]) {
    if (values.length > 1) throw invalidParam(name, 'given more than once');
    out[name] = values[0];
  }
  return out;
}

/** Shows a client's value in a message without echoing a huge or multi-line string back. */
function show(raw: string): string {
  const s = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(s);
}

/** Exactly `length` ASCII digits (area codes: 6, 9, 12, 15; categories 2 or 4). */
export function parseCode(name: string, raw: string, length: number | readonly number[], where: 'query' | 'path' = 'query'): string {
  const lengths = typeof length === 'number' ? [length] : length;
  if (!/^[0-9]+$/.test(raw) || !lengths.includes(raw.length)) {
    throw invalidParam(name, `must be ${lengths.join(' or ')} digits, got ${show(raw)}`, where);
  }
  return raw;
}

/** A decimal integer (no sign, no exponent, no fraction) within [min, max]. */
export function parseIntInRange(name: string, raw: string, min: number, max: number, where: 'query' | 'path' = 'query'): number {
  if (!/^[0-9]{1,16}$/.test(raw)) throw invalidParam(name, `must be an integer from ${min} to ${max}, got ${show(raw)}`, where);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalidParam(name, `must be an integer from ${min} to ${max}, got ${show(raw)}`, where);
  }
  return n;
}

/** A positive row id (1 … 2^53−1). */
export function parseId(name: string, raw: string, where: 'query' | 'path' = 'path'): number {
  return parseIntInRange(name, raw, 1, Number.MAX_SAFE_INTEGER, where);
}

/** One of the listed values, exactly. */
export function parseEnum<T extends string>(name: string, raw: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(raw)) {
    throw invalidParam(name, `must be one of ${values.join(', ')}, got ${show(raw)}`);
  }
  return raw as T;
}

/** A comma list of listed values (at least one, duplicates dropped). */
export function parseEnumList<T extends string>(name: string, raw: string, values: readonly T[]): T[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw invalidParam(name, `must be a comma list of ${values.join(', ')}, got ${show(raw)}`);
  const bad = items.filter((s) => !(values as readonly string[]).includes(s));
  if (bad.length > 0) throw invalidParam(name, `unknown value${bad.length > 1 ? 's' : ''} ${bad.map(show).join(', ')}; allowed: ${values.join(', ')}`);
  return [...new Set(items)] as T[];
}

/** minLon,minLat,maxLon,maxLat in WGS-84 degrees; finite, lon in −180…180, lat in −90…90, min < max. */
export function parseBbox(name: string, raw: string): Bbox {
  const parts = raw.split(',');
  const expect = 'must be minLon,minLat,maxLon,maxLat (4 numbers, lon −180…180, lat −90…90, min < max)';
  if (parts.length !== 4) throw invalidParam(name, `${expect}, got ${show(raw)}`);
  const nums = parts.map((p) => (/^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(p) ? Number(p) : NaN));
  if (nums.some((n) => !Number.isFinite(n))) throw invalidParam(name, `${expect}, got ${show(raw)}`);
  const [minLon, minLat, maxLon, maxLat] = nums;
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) throw invalidParam(name, `${expect}; out of range in ${show(raw)}`);
  if (!(minLon < maxLon) || !(minLat < maxLat)) throw invalidParam(name, `${expect}; min must be less than max in ${show(raw)}`);
  return [minLon, minLat, maxLon, maxLat];
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+\- ]\d{2}:\d{2})?$/;

/**
 * An ISO 8601 date (`2024-06-01`) or date-time (`2024-06-01T09:30`, `…:00+08:00`, `…Z`) → epoch ms.
 * Without an offset the time is Asia/Shanghai. A bare date is that day's 00:00 in Shanghai, or, with
 * `{ endOfDay: true }` (for an exclusive upper bound such as `to`), the next day's 00:00 — so `to=2024-06-01`
 * includes all of 1 June. Fractions finer than a millisecond are truncated. Impossible dates (2024-02-30, 25:00) are rejected, not rolled over.
 */
export function parseIsoDate(name: string, raw: string, options: { endOfDay?: boolean } = {}): number {
  const expect = 'must be an ISO 8601 date (2024-06-01) or date-time (2024-06-01T09:30:00+08:00)';
  let y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0, offsetMs = SHANGHAI;
  let dateOnly = false;
  const dm = DATE_RE.exec(raw);
  const tm = dm ? null : DATETIME_RE.exec(raw);
  if (dm) {
    [y, mo, d] = [Number(dm[1]), Number(dm[2]), Number(dm[3])];
    dateOnly = true;
  } else if (tm) {
    [y, mo, d, h, mi] = [Number(tm[1]), Number(tm[2]), Number(tm[3]), Number(tm[4]), Number(tm[5])];
    s = tm[6] ? Number(tm[6]) : 0;
    ms = tm[7] ? Number(tm[7].slice(0, 3).padEnd(3, '0')) : 0; // finer than ms is truncated
    // An unencoded '+' in a query string arrives as a space: read ' 08:00' as '+08:00'.
    const off = tm[8];
    if (off === 'Z') offsetMs = 0;
    else if (off) {
      const oh = Number(off.slice(1, 3));
      const om = Number(off.slice(4, 6));
      if (oh > 14 || om > 59) throw invalidParam(name, `${expect}; bad offset in ${show(raw)}`);
      offsetMs = (off[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
  } else {
    throw invalidParam(name, `${expect}, got ${show(raw)}`);
  }
  const daysInMonth = mo >= 1 && mo <= 12 ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 0;
  if (y < 1970 || y > 9999 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) {
    throw invalidParam(name, `${expect}; no such date or time: ${show(raw)}`);
  }
  const utc = Date.UTC(y, mo - 1, d + (dateOnly && options.endOfDay ? 1 : 0), h, mi, s, ms) - offsetMs;
  return utc;
}

/** Opaque keyset cursor: base64url of a JSON object of safe integers. */
export function encodeCursor(value: Record<string, number>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with exactly these integer keys; anything else is a 400. */
export function parseCursor<K extends string>(name: string, raw: string, keys: readonly K[]): Record<K, number> {
  const bad = () => invalidParam(name, 'is not a cursor this API returned (pass nextCursor back unchanged)');
  if (raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad();
  const obj = parsed as Record<string, unknown>;
  if (Object.keys(obj).length !== keys.length) throw bad();
  const out = {} as Record<K, number>;
  for (const k of keys) {
    const v = obj[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad();
    out[k] = v;
  }
  return out;
}

/**
 * Query-string middleware for a route: rejects unknown and repeated names, then runs `parse` on the flat record.
 * Declares the raw inputs (every name optional, a string) for `hc<AppType>` clients and the parsed value for
 * `c.req.valid('query')`.
 *
 * @example
 * app.get('/', queryValidator(['limit'] as const, (raw) => ({ limit: raw.limit ? parseIntInRange('limit', raw.limit, 1, 10) : 5 })), (c) => …)
 */
export function queryValidator<const K extends string, Out>(
  keys: readonly K[],
  parse: (raw: Partial<Record<K, string>>, c: Context) => Out,
): MiddlewareHandler<Env, string, { in: { query: { [P in K]?: string } }; out: { query: Out } }> {
  return validator('query', (_value, c) => parse(readQuery(c, keys), c)) as unknown as MiddlewareHandler<
    Env,
    string,
    { in: { query: { [P in K]?: string } }; out: { query: Out } }
  >;
}

/** A route that takes no query parameters: any name is a 400, so a typo or a stray filter never passes unnoticed. */
export const noQuery = () => queryValidator([], () => ({}));
