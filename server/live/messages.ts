/**
 * The live stream's message log. A change and the message announcing it are written in one transaction, so a
 * message exists exactly when its change does; the hub (hub.ts) reads the table after each commit and pushes new
 * rows to connected clients, and a reconnecting client replays what it missed from the same table. The message
 * types, their payloads and the wire format are the contract's (server/contract/live.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { LivePayload, LiveType } from '../contract/live.ts';
import type { Db } from '../db/database.ts';
import { toIso } from '../time.ts';

/** What a type may look like: lowercase dotted words (it becomes an SSE `event:` line and a filter value). */
export const LIVE_TYPE_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;

export interface LiveMessageRow {
  id: number;
  at: number;
  type: string;
  payload: string;
}

const inserts = new WeakMap<Db, Statement>();

/** Inserts a message of the contract into live_messages inside the caller's transaction; returns its id. */
export function appendLiveMessage<T extends LiveType>(db: Db, type: T, payload: LivePayload[T], at: number): number {
  return appendRawLiveMessage(db, type, payload, at);
}

/**
 * The same for any well-formed type and payload (tests, and message types a deployment adds before the contract
 * names them): readers of the stream skip types they do not know.
 */
export function appendRawLiveMessage(db: Db, type: string, payload: unknown, at: number): number {
  if (!LIVE_TYPE_PATTERN.test(type) || type.length > 64) {
    throw new Error(`live message type must be lowercase dotted words of at most 64 characters, got ${JSON.stringify(type)}`);
  }
  if (!Number.isSafeInteger(at)) throw new Error(`live message time must be epoch milliseconds, got ${at}`);
  const json = JSON.stringify(payload ?? null);
  let insert = inserts.get(db);
  if (!insert) {
    insert = db.prepare('INSERT INTO live_messages (at, type, payload) VALUES (?, ?, ?)');
    inserts.set(db, insert);
  }
  return Number(insert.run(at, type, json).lastInsertRowid);
}

/** One message as an SSE frame (`id`, `event`, `data` lines and the blank line that ends it). */
export function sseFrame(row: LiveMessageRow): string {
  return `id: ${row.id}\nevent: ${row.type}\n${dataLines(withAt(row.payload, row.at))}\n`;
}

/** `data:` lines for a text (one per line of it; JSON.stringify output is always one line). */
export function dataLines(text: string): string {
  if (!/[\r\n]/.test(text)) return `data: ${text}\n`;
  return text.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');
}

/** The payload JSON with the message time added as "at", without parsing it: objects get a last key, anything else is wrapped. */
function withAt(payload: string, at: number): string {
  const iso = `"at":"${toIso(at)}"`;
  const p = payload.trim();
  if (p.startsWith('{') && p.endsWith('}')) {
    const inner = p.slice(1, -1).trim();
    return inner ? `{${inner},${iso}}` : `{${iso}}`;
  }
  return `{"value":${p},${iso}}`;
}
