import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DispatchRoute } from '../../server/contract/api.ts';
import type { LiveMessage, LiveType } from '../../server/contract/live.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { sweepEscalations } from '../../server/services/escalation-sweeper.ts';
import { toIso } from '../../server/time.ts';
import { createWallStore } from '../../web/views/wall/store.ts';
import { seededCopy } from '../helpers/seeded.ts';

/**
 * The wall's store reads live messages exactly as the server writes them: the payload stored in live_messages
 * with the message time added, as the stream delivers it.
 */
let db: Db;
beforeAll(() => {
  db = openDatabase(seededCopy('wall-live'));
});
afterAll(() => db.close());

function messagesAfter(id: number): { id: number; type: string; data: unknown }[] {
  const rows = db.prepare('SELECT id, at, type, payload FROM live_messages WHERE id > ? ORDER BY id').all(id) as {
    id: number; at: number; type: string; payload: string;
  }[];
  return rows.map((r) => ({ id: r.id, type: r.type, data: { ...JSON.parse(r.payload), at: toIso(r.at) } }));
}
const lastMessageId = () => (db.prepare('SELECT coalesce(max(id), 0) AS id FROM live_messages').get() as { id: number }).id;

function transitioned(over: Partial<LiveMessage<'event.transitioned'>> & { id: number; to: LiveMessage<'event.transitioned'>['to'] }): LiveMessage<'event.transitioned'> {
  return {
    caseNo: 'C1', transition: 'resolve', from: 'arrived', actorId: 1, assigneeId: 1, tier: 'block',
    blockCode: '430302001001001', subdistrictCode: '430302001', lon: 112.9, lat: 27.85,
    dueAt: toIso(Date.now() + 3_600_000), at: toIso(Date.now()), ...over,
  };
}

describe('wall store and live messages', () => {
  it("a breach message written by the escalation sweeper moves its block's overdue count", () => {
    // An open case whose due time has come and that the sweeper has not breached yet.
    const c = db
      .prepare(`SELECT id, block_code, due_at, lon, lat FROM events WHERE breached_at IS NULL
                  AND status IN ('filed', 'dispatched', 'accepted', 'arrived') ORDER BY due_at DESC LIMIT 1`)
      .get() as { id: number; block_code: string; due_at: number; lon: number; lat: number };
    const store = createWallStore({ hotspotDays: 30 });
    store.blockCounts.set(c.block_code, { open: 1, overdue: 0 });
    store.cases.set(c.id, { id: c.id, lon: c.lon, lat: c.lat, dueAt: c.due_at, warningAt: null });

    const from = lastMessageId();
    const swept = sweepEscalations(db, c.due_at + 1000, undefined, undefined, 0);
    expect(swept.breached).toBeGreaterThan(0);
    const breach = messagesAfter(from).find(
      (m) => m.type === 'event.transitioned' && (m.data as { id: number; transition: string }).id === c.id && (m.data as { transition: string }).transition === 'breach',
    );
    expect(breach, 'the sweeper wrote a breach message for the case').toBeDefined();
    const before = store.blockVersion();
    store.onMessage(breach!.type as LiveType, breach!.data);
    expect(store.blockCounts.get(c.block_code)).toEqual({ open: 1, overdue: 1 });
    expect(store.blockVersion()).toBeGreaterThan(before);
  });

  it('a case resolved live stays on the wall (and in its block) until it is closed', () => {
    const store = createWallStore({ hotspotDays: 30 });
    const block = '430302001001001';
    store.blockCounts.set(block, { open: 1, overdue: 0 });
    store.cases.set(7, { id: 7, lon: 112.9, lat: 27.85, dueAt: Date.now() + 3_600_000, warningAt: null });

    store.onMessage('event.transitioned', transitioned({ id: 7, transition: 'resolve', from: 'arrived', to: 'resolved', blockCode: block }));
    expect(store.cases.has(7)).toBe(true);
    expect(store.blockCounts.get(block)).toEqual({ open: 1, overdue: 0 });

    store.onMessage('event.transitioned', transitioned({ id: 7, transition: 'close', from: 'resolved', to: 'closed', blockCode: block }));
    expect(store.cases.has(7)).toBe(false);
    expect(store.blockCounts.get(block)).toEqual({ open: 0, overdue: 0 });
  });

  it('a dispatched route is drawn from the live message alone (no resync)', () => {
    const store = createWallStore({ hotspotDays: 30 });
    const route: DispatchRoute = {
      id: 41, eventId: 9, staffId: 3, staffName: '王芳', createdAt: toIso(Date.now()), etaSeconds: 300, distanceMetres: 1200,
      coordinates: [[112.9, 27.85], [112.91, 27.86], [112.92, 27.86]], times: [0, 150, 300], status: 'active',
    };
    const before = store.routesVersion();
    store.onMessage('route.dispatched', { ...route, at: toIso(Date.now()) });
    expect(store.routesVersion()).toBeGreaterThan(before);
    expect(store.routes.get(41)?.coordinates).toEqual(route.coordinates);
    expect(store.routes.get(41)?.staffName).toBe('王芳');
  });
});
