/**
 * Idempotent reports: a retried POST with the same key returns the original event (200, Idempotent-Replay: true)
 * and never writes a duplicate — sequentially and when the retries race — while the same key with another report
 * is a 409. Batches honour a key per row.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { readProblem } from './fixture.ts';
import { signedIn } from '../helpers/signed-in.ts';

let db: Db;
let app: ReturnType<typeof createApp>;
let spot: { lon: number; lat: number };

beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'gezhi-idem-')), 'seeded.db');
  copyFileSync(inject('seededDb'), file);
  db = openDatabase(file);
  const now = inject('seedNow') + 3_600_000;
  app = createApp({ db, now: () => now });
  spot = db
    .prepare(`SELECT bd.lon, bd.lat FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id ORDER BY bb.building_id LIMIT 1 OFFSET 500`)
    .get() as { lon: number; lat: number };
});
afterAll(() => db?.close());

const counts = () =>
  db.prepare(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM event_log) AS log, (SELECT count(*) FROM live_messages) AS live`).get() as {
    events: number; log: number; live: number;
  };

const body = (text = '路边有暴露垃圾', extra: Record<string, unknown> = {}) => ({ category: '0102', text, lon: spot.lon, lat: spot.lat, channel: 'wechat', kind: 'demand', ...extra });

/** Reports come in through an integration (the 12345 platform, the app). */
const post = (b: unknown, key?: string, path = '/api/events') =>
  signedIn({ app, db }, 'integration')(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
    body: JSON.stringify(b),
  });

describe('idempotent POST /api/events', () => {
  it('a sequential retry replays the original: 200, Idempotent-Replay, same event, nothing written', async () => {
    const before = counts();
    const first = await post(body(), 'seq-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replay')).toBeNull();
    const created = await first.json();
    const after = counts();
    expect(after).toEqual({ events: before.events + 1, log: before.log + 1, live: before.live + 1 });
    for (let i = 0; i < 3; i++) {
      const again = await post(body(), 'seq-1');
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replay')).toBe('true');
      const replay = await again.json();
      expect(replay.id).toBe(created.id);
      expect(replay.caseNo).toBe(created.caseNo);
    }
    expect(counts()).toEqual(after);
  });

  it('the key may travel in the body; header and body must agree', async () => {
    const first = await post(body('树叶堆积', { idempotencyKey: 'body-1' }));
    expect(first.status).toBe(201);
    const id = (await first.json()).id;
    const viaHeader = await post(body('树叶堆积'), 'body-1');
    expect(viaHeader.status).toBe(200);
    expect((await viaHeader.json()).id).toBe(id);
    const before = counts();
    expect((await readProblem(await post(body('树叶堆积', { idempotencyKey: 'body-1' }), 'other'))).status).toBe(400);
    expect(counts()).toEqual(before);
  });

  it('the same key with a different report is a 409 and writes nothing', async () => {
    expect((await post(body('垃圾一'), 'diff-1')).status).toBe(201);
    const before = counts();
    for (const other of [body('垃圾二'), body('垃圾一', { priority: 'urgent' }), body('垃圾一', { category: '0104' }), body('垃圾一', { lon: spot.lon + 1e-6 })]) {
      const p = await readProblem(await post(other, 'diff-1'));
      expect(p.status).toBe(409);
      expect(p.type).toBe('/problems/idempotency-conflict');
    }
    expect(counts()).toEqual(before);
  });

  it('concurrent retries create exactly one event', async () => {
    const before = counts();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(body('并发上报'), 'race-1')));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    const ids = new Set(await Promise.all(responses.map(async (r) => (await r.json()).id)));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replay') === 'true')).toHaveLength(19);
    expect(counts()).toEqual({ events: before.events + 1, log: before.log + 1, live: before.live + 1 });
  });

  it('concurrent different reports under one key: one wins, the rest are 409', async () => {
    const before = counts();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(body(`不同内容${i}`), 'race-2')));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    expect(counts().events).toBe(before.events + 1);
  });

  it('without a key, two identical posts are two events', async () => {
    const before = counts();
    const [a, b] = await Promise.all([post(body('无键')), post(body('无键'))]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await a.json()).id).not.toBe((await b.json()).id);
    expect(counts().events).toBe(before.events + 2);
  });
});

describe('idempotent batches', () => {
  it('a re-sent batch replays every keyed row; keys repeat inside a batch safely', async () => {
    const rows = [
      body('批量一', { idempotencyKey: 'b-1' }),
      body('批量二', { idempotencyKey: 'b-2' }),
      body('批量一', { idempotencyKey: 'b-1' }), // the same row again in the same batch: a replay
      body('批量三', { idempotencyKey: 'b-1' }), // the key with another report: a row error
      body('批量四'),
    ];
    const before = counts();
    const first = await (await post({ events: rows }, undefined, '/api/events/batch')).json();
    expect(first).toMatchObject({ created: 3, replayed: 1, failed: 1 });
    expect(first.items[2]).toMatchObject({ index: 2, id: first.items[0].id, replayed: true });
    expect(first.errors).toEqual([{ index: 3, status: 409, errors: [expect.objectContaining({ name: 'idempotencyKey' })] }]);
    expect(counts().events).toBe(before.events + 3);

    const mid = counts();
    const again = await (await post({ events: rows.slice(0, 2) }, undefined, '/api/events/batch')).json();
    expect(again).toMatchObject({ created: 0, replayed: 2, failed: 0 });
    expect(again.items.map((i: { id: number }) => i.id)).toEqual([first.items[0].id, first.items[1].id]);
    expect(counts()).toEqual(mid);
  });

  it('a single POST replays a row a batch created', async () => {
    await post({ events: [body('批量五', { idempotencyKey: 'b-5' })] }, undefined, '/api/events/batch');
    const res = await post(body('批量五'), 'b-5');
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replay')).toBe('true');
  });
});
