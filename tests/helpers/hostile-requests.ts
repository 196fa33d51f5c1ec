/**
 * A seeded generator of malformed requests for every route of the app. Each request carries at least one fault the
 * server must refuse (a bad parameter value, an unknown parameter, a bad path segment, a wrong method, a broken or
 * wrongly shaped body, a wrong media type, an oversized body with or without Content-Length), so no generated
 * request may write anything; decorations (odd headers) come on top. The same seed gives the same requests.
 */
import type { Rng } from '../../server/domain/prng.ts';

export interface RouteInfo {
  method: string;
  path: string;
}

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A string or bytes (sent with Content-Length), or chunks sent chunked (no Content-Length). */
  body?: string | Buffer | { chunks: Buffer[] };
  /** What is wrong with it, for the test's report. */
  fault: string;
}

/** Values no parameter of the API accepts (numbers out of range, wrong syntax, injections, huge strings). */
export const HOSTILE_VALUES: readonly string[] = [
  '', ' ', '-1', '-0', '1e309', 'NaN', 'Infinity', '0x1f', '1.5.5', '9'.repeat(40), 'abc', 'null', 'undefined', '[]',
  '{}', '__proto__', 'constructor', "' OR 1=1 --", '"; DROP TABLE events; --', '<script>alert(1)</script>',
  '../../../../etc/passwd', '%00', '\u0000', '\u202e', '🙂🙂', '１２３', 'x'.repeat(3000), '2024-02-30', '2024-13-01',
  '2024-06-01T25:00', '10000-01-01', '1,2,3', ',,,', '112.9,27.8', '999,999,999,999', '-180,-90,-180,-90', 'true',
  'a\r\nX-Injected: 1', '%zz', '%E0%A4%A', '\ud800', '0000000000000000000000000000',
];

/** Every query parameter name the app knows, so faults hit real parsers, not only the unknown-name check. */
const PARAM_NAMES = [
  'from', 'to', 'status', 'category', 'block', 'bbox', 'limit', 'cursor', 'include', 'types', 'lastEventId', 'format',
  'by', 'month', 'day', 'days', 'unit', 'res', 'normalise', 'fdr', 'subdistrict', 'community', 'centre', 'department',
  'channel', 'kind', 'priority', 'person', 'offset', 'measure', 'alpha', 'eps', 'minPoints', 'role', 'step', 'steps',
  'table', 'lang', 'locale', 'jurisdiction_id', 'service_request_id', 'service_code', 'start_date', 'end_date',
  'page', 'page_size', 'api_key', 'overdue',
];

/** Open311 parameters whose hostile values it must refuse (it ignores names it does not know, by its spec). */
const OPEN311_STRICT = ['jurisdiction_id', 'page', 'page_size', 'start_date', 'end_date', 'status'];

const JUNK_HEADERS: [string, string[]][] = [
  ['Accept-Encoding', ['br;q=abc', 'gzip;q=-1, *;q=2', 'x'.repeat(500), 'identity;q=0, *;q=0']],
  ['If-None-Match', ['"x', '*', 'W/"', '"a", "b", '.repeat(50)]],
  ['Accept-Language', ['en;q=x', 'zz-ZZ', '*', 'x'.repeat(300)]],
  ['Authorization', ['Bearer', 'Bearer ' + 'x'.repeat(900), 'Basic !!!', 'Digest']],
  ['Last-Event-ID', ['-5', 'abc', '99999999999999999999']],
  ['Range', ['bytes=9-1', 'bytes=abc']],
  ['X-Forwarded-For', ['not-an-ip', '1.2.3.4, 5.6.7.8']],
];

const OTHER_METHODS = ['PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A body that holds together until one field is wrong: the shape each write route expects. */
function plausibleBody(path: string): Record<string, unknown> {
  if (path.endsWith('/position')) return { lon: 112.9, lat: 27.85 };
  if (path.endsWith('/locate')) return { lon: 112.9, lat: 27.85 };
  if (path.endsWith('/transitions')) return { to: 'file', actor: 1, note: 'n' };
  if (path.endsWith('/dispatch')) return { actor: 1 };
  if (path.endsWith('/batch')) return { events: [] };
  // No point and no address: an Open311 request that can never be accepted, whatever else is wrong with it.
  if (path.startsWith('/open311')) return { service_code: '0101', description: 'd' };
  return { category: '0101', text: 't', lon: 112.9, lat: 27.85, channel: 'patrol', kind: 'incident' };
}

/** Fields whose absence the route must refuse (dropping an optional one would leave a valid request). */
function requiredFields(path: string): string[] {
  if (path.endsWith('/position') || path.endsWith('/locate')) return ['lon', 'lat'];
  if (path.endsWith('/transitions')) return ['to', 'actor'];
  if (path.endsWith('/dispatch')) return ['actor'];
  if (path.startsWith('/open311')) return ['service_code', 'description'];
  return ['text', 'lon', 'lat', 'channel', 'kind'];
}

/** The body size past which each write route answers 413 (server/app.ts, server/open311/submission.ts). */
function bodyLimitOf(path: string): number {
  if (path.startsWith('/open311')) return 64 * 1024;
  if (path === '/api/events/batch') return 8 * 1024 * 1024;
  return 1024 * 1024;
}

/** Escapes sent as they are: undecodable percent sequences, which the server must refuse rather than choke on. */
const RAW = new Set(['%zz', '%00', '%E0%A4%A']);

/** Percent-encodes a value; undecodable ones go raw, a lone surrogate as its (invalid UTF-8) bytes. */
function enc(v: string): string {
  if (RAW.has(v)) return v;
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80';
  }
}

function encodeQuery(pairs: [string, string][]): string {
  return pairs.length ? `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : '';
}

/** A path segment: hostile text, raw (undecodable) percent escapes now and then. */
function hostileSegment(rng: Rng): string {
  const raw = rng.pick(['%zz', '%', '..%2F..%2F', '%E0%A4%A', '%00']);
  return rng.chance(0.2) ? raw : enc(rng.pick(HOSTILE_VALUES)) || '%20';
}

/** Fills a route's :params; `valid` gives each a real-looking value so the fault lies elsewhere. */
function fillPath(path: string, rng: Rng, ids: { event: number; staff: number; block: string }, valid: boolean): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    if (!valid) return hostileSegment(rng);
    if (name === 'code') return ids.block;
    if (name === 'name') return rng.pick(['district', 'roads', 'water']);
    if (name === 'file') return rng.pick(['0101.json', '1.xml', 'U1.json']);
    return String(name === 'id' && path.includes('staff') ? ids.staff : ids.event);
  });
}

/** Breaks a JSON body in one of several ways; returns the text/bytes and what was done. */
function brokenJson(rng: Rng, route: RouteInfo): { body: string | Buffer; fault: string } {
  const base = plausibleBody(route.path);
  const keys = requiredFields(route.path);
  switch (rng.int(0, 11)) {
    case 0: return { body: JSON.stringify(base).slice(0, -1 - rng.int(0, 5)), fault: 'truncated JSON' };
    case 1: return { body: '', fault: 'empty body' };
    case 2: return { body: rng.pick(['[]', '"x"', '42', 'null', 'true', '[{}]']), fault: 'not an object' };
    case 3: return { body: '['.repeat(rng.int(1000, 200_000)), fault: 'deep nesting (unclosed)' };
    case 4: return { body: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000), fault: 'deep nesting' };
    case 5: return { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), fault: 'invalid UTF-8' };
    case 6: return { body: JSON.stringify({ ...base, [rng.pick(['zzz', '__proto__', 'constructor', 'id', 'actorId'])]: 1 }).replace('"zzz"', '"__proto__"'), fault: 'unknown field' };
    case 7: {
      const k = rng.pick(keys);
      return { body: JSON.stringify({ ...base, [k]: rng.pick<unknown>([{}, [], true, 1e308, 'x'.repeat(5000), { $gt: 1 }]) }), fault: `wrong type of ${k}` };
    }
    case 8: {
      const k = rng.pick(keys);
      const { [k]: _dropped, ...rest } = base;
      return { body: JSON.stringify(rest), fault: `missing ${k}` };
    }
    case 9: return { body: '{"a":1,}', fault: 'trailing comma' };
    case 10: return { body: `{"text":"${'\\ud800'.repeat(10)}","lon":NaN}`, fault: 'NaN literal' };
    default: return { body: JSON.stringify({ ...base, lon: rng.pick([1e309, 181, -91, 'Infinity']), lat: rng.pick([91, -1e9, '27']) }).replace('null', '1e999'), fault: 'coordinates out of range' };
  }
}

/** A batch body that the route must refuse as a whole (per-row faults would keep the valid rows). */
function brokenBatch(rng: Rng): string {
  return rng.pick([
    '{}', '{"events":{}}', '{"events":[]}', '{"events":"x"}', '{"events":[],"extra":1}', '[]', '{"events":null}',
    JSON.stringify({ events: new Array(10_001).fill(0) }),
  ]);
}

export interface GeneratorContext {
  routes: readonly RouteInfo[];
  ids: { event: number; staff: number; block: string };
}

/** The `n`th request of the sequence: every call of `next` draws from the same seeded generator. */
export function hostileRequests(rng: Rng, ctx: GeneratorContext): () => HostileRequest {
  return () => {
    const route = rng.pick(ctx.routes);
    const isWrite = route.method === 'POST';
    const open311 = route.path.startsWith('/open311');
    const headers: Record<string, string> = {};
    if (rng.chance(0.3)) {
      const [name, values] = rng.pick(JUNK_HEADERS);
      headers[name] = rng.pick(values);
    }
    const query: [string, string][] = [];
    let fault: string;
    let method = route.method;
    let path: string;
    let body: HostileRequest['body'];

    const faults = ['param', 'segment', 'method', ...(isWrite ? ['body', 'body', 'body', 'type', 'size'] : [])];
    if (!route.path.includes(':')) faults.splice(faults.indexOf('segment'), 1);
    const kind = rng.pick(faults);
    path = fillPath(route.path, rng, ctx.ids, kind !== 'segment');
    if (kind === 'segment') fault = 'hostile path segment';
    else if (kind === 'method') {
      method = rng.pick(OTHER_METHODS);
      fault = `method ${method}`;
    } else if (kind === 'param') {
      // Open311 ignores names it does not know, by its spec; on a POST only jurisdiction_id is read.
      const name = open311 ? (isWrite ? 'jurisdiction_id' : rng.pick(OPEN311_STRICT)) : rng.pick(PARAM_NAMES);
      const value = rng.pick(HOSTILE_VALUES.filter((v) => !open311 || v.trim() !== ''));
      query.push([name, value]);
      if (!open311 && rng.chance(0.3)) query.push([name, value]); // repeated
      fault = `query ${name}=${JSON.stringify(value.slice(0, 20))}`;
    } else fault = '';
    // Extra real-looking parameters beside the fault (the stream must never open: it would not end).
    if (rng.chance(0.4)) query.push([rng.pick(PARAM_NAMES), rng.pick(['1', '2024-06-01', 'open', '0101', 'block'])]);
    if (route.path === '/api/stream') query.push(['lastEventId', 'not-a-number']);

    if (isWrite && method === 'POST') {
      const limit = bodyLimitOf(route.path);
      headers['Content-Type'] = open311 && rng.chance(0.5) ? 'application/x-www-form-urlencoded' : 'application/json';
      if (kind === 'type') {
        headers['Content-Type'] = rng.pick(['text/plain', 'application/xml', 'multipart/form-data', 'application/json-seq', 'image/png', '*/*']);
        body = open311 ? 'service_code=%zz&lat=abc' : JSON.stringify(plausibleBody(route.path)).replace(/\d/g, 'x');
        fault = `Content-Type ${headers['Content-Type']}`;
      } else if (kind === 'size') {
        const size = limit + rng.int(1, 64 * 1024);
        const chunk = Buffer.alloc(size, 0x20);
        if (rng.chance(0.5)) {
          body = chunk;
          fault = `oversized body (${size} bytes, Content-Length)`;
        } else {
          const chunks: Buffer[] = [];
          for (let at = 0; at < size; at += 256 * 1024) chunks.push(chunk.subarray(at, at + 256 * 1024));
          body = { chunks };
          fault = `oversized body (${size} bytes, chunked)`;
        }
      } else if (open311) {
        // Without a valid key every POST is refused; with it, the body is what is wrong.
        if (kind === 'body' && rng.chance(0.7)) query.push(['api_key', 'fuzz-key']);
        const forms: [string, string][] = [
          ['lat=abc&long=112.9&service_code=0101', 'lat not a number'],
          ['service_code=&lat=&long=', 'all empty'],
          ['service_code=zz&lat=27.85&long=112.9', 'bad service_code'],
          ['lat=91&long=181&service_code=0101', 'out of range'],
          ['media_url=javascript:alert(1)&service_code=0101&lat=27.85&long=112.9', 'bad media_url'],
          ['service_code=0101', 'no location'],
        ];
        if (headers['Content-Type'] === 'application/json') {
          const b = brokenJson(rng, route);
          body = b.body;
          fault ||= `open311 JSON: ${b.fault}`;
        } else {
          const [form, what] = rng.pick(forms);
          body = form;
          fault ||= `open311 form: ${what}`;
        }
        if (kind === 'body' && headers['Content-Type'] === 'application/json' && !query.some(([k]) => k === 'api_key')) fault += ' (no api_key)';
      } else if (route.path === '/api/events/batch' && kind === 'body') {
        body = brokenBatch(rng);
        fault = `batch ${body.slice(0, 30)}`;
      } else if (kind === 'body') {
        const b = brokenJson(rng, route);
        body = b.body;
        fault = b.fault;
        if (route.path === '/api/events/batch') body = brokenBatch(rng);
      } else {
        // The fault is in the path, the query or the method: a well-formed body rides along.
        body = route.path === '/api/events/batch' ? brokenBatch(rng) : JSON.stringify(plausibleBody(route.path));
      }
    } else if (isWrite) {
      body = JSON.stringify(plausibleBody(route.path));
      headers['Content-Type'] = 'application/json';
    }
    return { method, path: path + encodeQuery(query), headers, body, fault: `${route.method} ${route.path}: ${fault}` };
  };
}
