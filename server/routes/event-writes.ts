/**
 * Helpers of the event write routes: reading a JSON body strictly (400 for malformed JSON, 415 for another media
 * type) and the overdue board's item shape.
 */
import type { Context } from 'hono';
import { invalidParam, ProblemError } from '../http/problem.ts';
import type { DueItem } from '../services/overdue.ts';
import { toIso } from '../time.ts';
import { toEventSummary } from './present.ts';

/** The request body as parsed JSON. */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('Content-Type');
  if (type !== undefined && !/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new ProblemError(415, `Send the body as application/json, not ${type.slice(0, 60)}`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw invalidParam('body', 'is empty; send a JSON object', 'body');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidParam('body', `is not valid JSON (${(err as Error).message.slice(0, 120)})`, 'body');
  }
}

/** The Idempotency-Key header (1–200 visible ASCII characters), or undefined. */
export function idempotencyHeader(c: Context): string | undefined {
  const v = c.req.header('Idempotency-Key');
  if (v === undefined) return undefined;
  const key = v.trim().replace(/^"(.*)"$/, '$1'); // the IETF draft sends it as a quoted string
  if (key.length === 0 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalidParam('Idempotency-Key', 'must be 1–200 visible ASCII characters', 'header');
  }
  return key;
}

export function toDueItem(d: DueItem, now: number) {
  return {
    ...toEventSummary(d.row, now),
    level: d.level,
    overdueMs: d.overdueMs,
    warningAt: toIso(d.warningAt),
    escalationLevel: d.row.escalation_level,
    extensionPending: d.row.extension_pending === 1,
  };
}
