/** The body of POST /api/events/:id/transitions: its shape checked here (400), its values judged by the lifecycle. */
import { MAX_PHOTOS, PHOTO_KINDS, type Photo } from '../domain/lifecycle.ts';
import { invalidParam } from '../http/problem.ts';
import type { TransitionBody } from '../services/transitions.ts';

const BODY_FIELDS = ['to', 'note', 'assignee', 'reason', 'hours', 'satisfaction', 'reviewAt', 'result', 'photos'];
/**
 * Photo evidence is stored as links: the photos live in the staff's work-chat file store, which already keeps,
 * sizes and serves them; the console shows them from there. http(s) only, at most this long.
 */
const MAX_URL = 1000;

function parsePhotos(v: unknown): Photo[] {
  if (!Array.isArray(v)) throw invalidParam('photos', 'must be an array of { kind: before | after, url }', 'body');
  if (v.length > MAX_PHOTOS) throw invalidParam('photos', `at most ${MAX_PHOTOS} photos per step, got ${v.length}`, 'body');
  return v.map((p, i) => {
    const where = `photos[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw invalidParam(where, 'must be an object { kind, url }', 'body');
    const o = p as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'kind' && k !== 'url') throw invalidParam(`${where}.${k}`, 'unknown field; allowed: kind, url', 'body');
    if (!(PHOTO_KINDS as readonly unknown[]).includes(o.kind)) throw invalidParam(`${where}.kind`, `must be one of ${PHOTO_KINDS.join(', ')}`, 'body');
    if (typeof o.url !== 'string' || o.url.length > MAX_URL || !/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(o.url)) {
      throw invalidParam(`${where}.url`, `must be an http(s) URL of at most ${MAX_URL} characters`, 'body');
    }
    return { kind: o.kind as Photo['kind'], url: o.url };
  });
}

/** An ISO 8601 instant with an offset, or a date (YYYY-MM-DD: 00:00 Asia/Shanghai). */
function parseInstant(name: string, v: unknown): number {
  if (typeof v !== 'string' || v.length > 40) throw invalidParam(name, 'must be an ISO 8601 date or date-time with offset', 'body');
  const date = /^\d{4}-\d{2}-\d{2}$/.test(v);
  if (!date && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    throw invalidParam(name, 'must be an ISO 8601 date (2026-12-01) or date-time with offset (2026-12-01T09:00:00+08:00)', 'body');
  }
  const t = Date.parse(date ? `${v}T00:00:00+08:00` : v);
  if (!Number.isFinite(t)) throw invalidParam(name, 'is not a real date', 'body');
  return t;
}

/** The actor of a write is the signed-in user or the token's account; a body that names one is refused. */
export const ACTOR_GONE = 'is not accepted: the actor is the signed-in user (or the token’s account)';

/** Checks the body's shape (400 on anything malformed). Values are the lifecycle's to judge. */
export function parseTransitionBody(raw: unknown): TransitionBody {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParam('body', 'must be a JSON object', 'body');
  const r = raw as Record<string, unknown>;
  if ('actor' in r) throw invalidParam('actor', ACTOR_GONE, 'body');
  for (const k of Object.keys(r)) if (!BODY_FIELDS.includes(k)) throw invalidParam(k, `unknown field; allowed: ${BODY_FIELDS.join(', ')}`, 'body');
  if (typeof r.to !== 'string' || r.to.length === 0 || r.to.length > 40) throw invalidParam('to', 'must be a status or a transition name', 'body');
  const id = (name: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalidParam(name, 'must be a staff id (a positive integer)', 'body');
    return v;
  };
  const text = (name: string, v: unknown, max: number): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.length > max) throw invalidParam(name, `must be a string of at most ${max} characters`, 'body');
    return v;
  };
  const num = (name: string, v: unknown): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParam(name, 'must be a number', 'body');
    return v;
  };
  const body: TransitionBody = { to: r.to };
  const note = text('note', r.note, 500);
  const reason = text('reason', r.reason, 500);
  const hours = num('hours', r.hours);
  const satisfaction = num('satisfaction', r.satisfaction);
  if (note !== undefined) body.note = note;
  if (reason !== undefined) body.reason = reason;
  if (hours !== undefined) body.hours = hours;
  if (satisfaction !== undefined) body.satisfaction = satisfaction;
  if (r.assignee !== undefined && r.assignee !== null) body.assignee = id('assignee', r.assignee);
  if (r.reviewAt !== undefined && r.reviewAt !== null) body.reviewAt = parseInstant('reviewAt', r.reviewAt);
  const result = text('result', r.result, 40);
  if (result !== undefined) body.result = result;
  if (r.photos !== undefined && r.photos !== null) body.photos = parsePhotos(r.photos);
  return body;
}
