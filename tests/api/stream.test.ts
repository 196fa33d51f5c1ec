import { copyFileSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { closedOnTime } from '../../server/domain/on-time.ts';
import { LiveHub } from '../../server/live/hub.ts';
import { startKpiTicker } from '../../server/live/kpi.ts';
import { appendRawLiveMessage } from '../../server/live/messages.ts';
import { FrameParser, type Frame } from '../helpers/sse-frames.ts';
import { readProblem } from './fixture.ts';
import { signedIn } from '../helpers/signed-in.ts';

/**
 * The live stream over real HTTP (@hono/node-server on a free port) on a copy of the seeded Yuhu database: order,
 * resume by Last-Event-ID, 100 reconnects while messages are written, slow-client drop, heartbeat, reset, filters;
 * plus the position endpoint and today's KPIs.
 */

/** The token of the calls below: an integration's (it reads the stream, reports, and feeds any staff's position). */
let token = '';
const fetchAs = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });

/** An EventSource-like reader over fetch: whole frames only; `lastId` follows every `id:` line. */
class SseClient {
  frames: Frame[] = [];
  lastId: number | undefined;
  ended = false;
  status = 0;
  private readonly parser = new FrameParser();
  private readonly ac = new AbortController();
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new SseClient();
    const res = await fetchAs(url, { headers, signal: c.ac.signal });
    c.status = res.status;
    if (res.status !== 200) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
    c.reader = res.body!.getReader();
    return c;
  }

  /** Reads until `pred` holds (or the stream ends / the time is up: then throws). */
  async until(pred: (c: SseClient) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this)) {
      if (this.ended) throw new Error(`stream ended after ${this.frames.length} frames`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${this.frames.length} frames (last id ${this.lastId})`);
      await this.readOnce(left);
    }
  }

  /** Reads for up to `ms`, then returns (keeping what arrived). */
  async readFor(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await this.readOnce(deadline - Date.now());
  }

  private pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  private async readOnce(ms: number): Promise<void> {
    this.pending ??= this.reader!.read();
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.pending,
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms))),
    ]).finally(() => clearTimeout(timer));
    if (r === null) return;
    this.pending = null;
    if (r.done) this.ended = true;
    else this.push(Buffer.from(r.value).toString('utf8'));
  }

  private push(text: string): void {
    for (const f of this.parser.push(text)) {
      if (f.id !== undefined) this.lastId = f.id;
      this.frames.push(f);
    }
  }


  messages(): Frame[] {
    return this.frames.filter((f) => f.event !== undefined);
  }

  close(): void {
    this.ac.abort();
    this.pending?.catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('GET /api/stream over real HTTP', () => {
  let db: Db;
  let hub: LiveHub;
  let server: Server;
  let base: string;
  let center: [number, number];
  let eventsPost = false;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gezhi-stream-')), 'gezhi.db');
    copyFileSync(inject('seededDb'), file);
    db = openDatabase(file);
    token = signedIn({ url: '', db }, 'integration').token;
    hub = new LiveHub(db, { heartbeatMs: 300, maxQueuedBytes: 256 * 1024, replayLimit: 100 });
    const app = createApp({ db, live: hub });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A building's position lies inside its block.
    const b = db.prepare('SELECT lon, lat FROM buildings ORDER BY id LIMIT 1').get() as { lon: number; lat: number };
    center = [b.lon, b.lat];
    // The real report endpoint: the reconnect property runs through it too.
    const probe = await fetchAs(`${base}/api/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ category: '0102', text: '测试：路边暴露垃圾', lon: center[0], lat: center[1], channel: 'patrol', kind: 'incident' }),
    });
    eventsPost = probe.status === 201;
    await probe.arrayBuffer();
  });

  afterAll(async () => {
    hub?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    db?.close();
  });

  const write = (n: number, type = 'event.created', pad = 0): number[] => {
    const ids = db.transaction(() =>
      Array.from({ length: n }, (_, i) => appendRawLiveMessage(db, type, { n: i, pad: pad ? 'x'.repeat(pad) : undefined }, Date.now())),
    )();
    hub.notify();
    return ids;
  };

  it('sends messages in id order with event type, JSON data with at, a retry hint, and no compression', async () => {
    const c = await SseClient.open(`${base}/api/stream`, { 'Accept-Encoding': 'gzip, br' });
    await c.until((x) => x.lastId !== undefined);
    const ids = [...write(3), ...write(2, 'route.dispatched')];
    await c.until((x) => x.messages().length === 5);
    expect(c.frames[0].retry).toBe(3000);
    expect(c.messages().map((f) => f.id)).toEqual(ids);
    expect(c.messages().map((f) => f.event)).toEqual(['event.created', 'event.created', 'event.created', 'route.dispatched', 'route.dispatched']);
    const data = JSON.parse(c.messages()[0].data!);
    expect(data).toMatchObject({ n: 0 });
    expect(data.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    c.close();
  });

  it('resumes after a disconnect with exactly the missed messages (header or ?lastEventId=), then live', async () => {
    const first = await SseClient.open(`${base}/api/stream`);
    await first.until((x) => x.lastId !== undefined);
    write(4);
    await first.until((x) => x.messages().length === 4);
    const seen = first.lastId!;
    first.close();

    const missed = [...write(3), ...write(2, 'kpi.tick')];
    const resumed = await SseClient.open(`${base}/api/stream`, { 'Last-Event-ID': String(seen) });
    await resumed.until((x) => x.messages().length === 5);
    const live = write(2);
    await resumed.until((x) => x.messages().length === 7);
    expect(resumed.messages().map((f) => f.id)).toEqual([...missed, ...live]);
    resumed.close();

    // The query form, for clients without EventSource; the header (sent by EventSource on reconnect) wins.
    const byQuery = await SseClient.open(`${base}/api/stream?lastEventId=${seen}&types=kpi.tick`);
    await byQuery.until((x) => x.messages().length === 2);
    expect(byQuery.messages().map((f) => f.id)).toEqual(missed.slice(3));
    byQuery.close();
    const both = await SseClient.open(`${base}/api/stream?lastEventId=0`, { 'Last-Event-ID': String(live[0]) });
    await both.until((x) => x.messages().length === 1);
    expect(both.messages()[0].id).toBe(live[1]);
    both.close();
  });

  it('100 reconnects while messages are written: every message after the start arrives exactly once, in order', async () => {
    let writing = true;
    let posts = 0;
    let staff = 1;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        if (i % 3 === 0) {
          // Real HTTP writes: a position update (and a report, where POST /api/events exists).
          const lon = center[0] + (i % 7) * 1e-4;
          const res = await fetchAs(`${base}/api/staff/${staff}/position`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ lon, lat: center[1] }),
          });
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          staff = (staff % 50) + 1;
          posts++;
          if (eventsPost) {
            const ev = await fetchAs(`${base}/api/events`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ category: '0102', text: `测试${i}`, lon: center[0], lat: center[1], channel: 'patrol', kind: 'incident' }),
            });
            expect(ev.status).toBe(201);
            await ev.arrayBuffer();
          }
        } else {
          write(1 + (i % 3));
          await sleep(1);
        }
      }
    })();

    const first = await SseClient.open(`${base}/api/stream`);
    await first.until((x) => x.lastId !== undefined);
    const start = first.lastId!;
    const received: number[] = first.messages().map((f) => f.id!);
    let last = start;
    first.close();
    for (let k = 0; k < 100; k++) {
      const c = k % 2
        ? await SseClient.open(`${base}/api/stream`, { 'Last-Event-ID': String(last) })
        : await SseClient.open(`${base}/api/stream?lastEventId=${last}`);
      await c.readFor(k % 10 === 0 ? 0 : (k * 7) % 23); // some cut before anything arrives, some mid-batch
      received.push(...c.messages().map((f) => f.id!));
      if (c.lastId !== undefined) last = c.lastId;
      c.close();
    }
    writing = false;
    await writer;
    const max = (db.prepare('SELECT max(id) AS m FROM live_messages').get() as { m: number }).m;
    const final = await SseClient.open(`${base}/api/stream`, { 'Last-Event-ID': String(last) });
    await final.until((x) => (x.lastId ?? last) === max, 10_000).catch((err) => {
      throw new Error(`${err.message}; resumed after ${last}, expected up to ${max}; hub ${JSON.stringify(hub.status())}`);
    });
    received.push(...final.messages().map((f) => f.id!));

    expect(eventsPost).toBe(true);
    expect(posts).toBeGreaterThan(10);
    expect(max - start).toBeGreaterThan(200);
    expect(received.length).toBe(max - start);
    expect(received).toEqual(Array.from({ length: max - start }, (_, i) => start + 1 + i));
    // Every disconnected client left the hub.
    await sleep(50);
    expect(hub.status().clients).toBe(1);
    final.close();
  });

  it('replays many small messages page by page without stalling between pages', async () => {
    // Pages of small frames stay under the socket's high-water mark, so no 'drain' ever comes: the replay must
    // carry on without waiting for one.
    const before = (db.prepare('SELECT max(id) AS m FROM live_messages').get() as { m: number }).m;
    const ids = write(450, 'kpi.tick');
    const c = await SseClient.open(`${base}/api/stream?types=kpi.tick`, { 'Last-Event-ID': String(before) });
    await c.until((x) => x.messages().length === 450, 5000);
    expect(c.messages().map((f) => f.id)).toEqual(ids);
    c.close();
  });

  it('drops a client that never reads once its queue passes the bound; a reading client gets everything', async () => {
    const fast = await SseClient.open(`${base}/api/stream`);
    await fast.until((x) => x.lastId !== undefined);
    const droppedBefore = hub.status().dropped;

    // A raw socket that asks for the stream and then never reads.
    const slow = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    let slowClosed = false;
    slow.on('close', () => (slowClosed = true));
    slow.on('error', () => undefined);
    slow.write(`GET /api/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
    slow.pause();
    await sleep(50);
    expect(hub.status().clients).toBe(2);

    const ids: number[] = [];
    const t0 = Date.now();
    // 16 KB messages until the slow client is cut (kernel socket buffers absorb a few MB first); bounded in time.
    while (hub.status().dropped === droppedBefore && Date.now() - t0 < 15_000) {
      ids.push(...write(16, 'event.created', 16_000));
      await fast.until((x) => x.lastId === ids[ids.length - 1], 5000);
    }
    expect(hub.status().dropped).toBe(droppedBefore + 1);
    expect(hub.status().clients).toBe(1);
    ids.push(...write(3));
    await fast.until((x) => x.lastId === ids[ids.length - 1]);
    expect(fast.messages().map((f) => f.id)).toEqual(ids);
    slow.resume();
    for (let i = 0; i < 100 && !slowClosed; i++) await sleep(20);
    expect(slowClosed).toBe(true);
    fast.close();
  });

  it('sends heartbeats while idle', async () => {
    const c = await SseClient.open(`${base}/api/stream?types=kpi.tick`);
    await c.until((x) => x.frames.some((f) => f.comment === 'hb'), 2000);
    c.close();
  });

  it('answers an unknown (future) Last-Event-ID with a reset naming where to resume', async () => {
    const max = (db.prepare('SELECT max(id) AS m FROM live_messages').get() as { m: number }).m;
    const c = await SseClient.open(`${base}/api/stream`, { 'Last-Event-ID': '999999999' });
    await c.until((x) => x.messages().length === 1);
    expect(c.messages()[0]).toMatchObject({ event: 'reset', id: max });
    expect(JSON.parse(c.messages()[0].data!)).toMatchObject({ lastEventId: 999999999, resumeFrom: max });
    const next = write(1);
    await c.until((x) => x.lastId === next[0]);
    c.close();
  });

  it('rejects a malformed Last-Event-ID, types or unknown parameters as problems', async () => {
    for (const [path, headers, name] of [
      ['/api/stream', { 'Last-Event-ID': 'abc' }, 'Last-Event-ID'],
      ['/api/stream?lastEventId=-1', {}, 'lastEventId'],
      ['/api/stream?types=Event,,', {}, 'types'],
      ['/api/stream?since=1', {}, 'since'],
    ] as const) {
      const res = await fetchAs(base + path, { headers });
      expect(res.status, path).toBe(400);
      const p = await readProblem(res);
      expect(p.errors?.[0].name).toBe(name);
    }
  });

  it('reports connected clients and the last id on /api/stream/status', async () => {
    const c = await SseClient.open(`${base}/api/stream`);
    await c.until((x) => x.lastId !== undefined);
    const [id] = write(1);
    await c.until((x) => x.lastId === id);
    const res = await fetchAs(`${base}/api/stream/status`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ clients: 1, replaying: 0, lastId: id });
    c.close();
  });
});

describe('positions and KPIs', () => {
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let hub: LiveHub;
  const now = () => inject('seedNow');
  beforeAll(() => {
    const file = join(mkdtempSync(join(tmpdir(), 'gezhi-kpi-')), 'gezhi.db');
    copyFileSync(inject('seededDb'), file);
    db = openDatabase(file);
    hub = new LiveHub(db);
    app = createApp({ db, now, live: hub });
  });
  afterAll(() => {
    hub?.close();
    db?.close();
  });

  /** As a position feed (an integration): any staff member's position. */
  const post = (path: string, body: unknown, type = 'application/json') =>
    signedIn({ app, db }, 'integration')(path, { method: 'POST', headers: { 'Content-Type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('POST /api/staff/:id/position stores the position and announces it; bad input is a problem', async () => {
    const sub = hub.subscribe();
    const res = await post('/api/staff/3/position', { lon: 112.9, lat: 27.87 });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ staffId: 3, lon: 112.9, lat: 27.87, at: '2026-11-25T10:00:00.000+08:00' });
    expect(db.prepare('SELECT lon, lat, at FROM staff_positions WHERE staff_id = 3').get()).toEqual({ lon: 112.9, lat: 27.87, at: now() });
    const msg = db.prepare('SELECT type, payload FROM live_messages WHERE id = ?').get(body.messageId);
    expect(msg).toEqual({ type: 'staff.position', payload: JSON.stringify({ staffId: 3, lon: 112.9, lat: 27.87 }) });
    sub.close();

    expect((await post('/api/staff/999999/position', { lon: 112.9, lat: 27.87 })).status).toBe(404);
    // A staff member reports only their own position.
    expect((await signedIn({ app, db }, { staffId: 4 }).post('/api/staff/3/position', { lon: 112.9, lat: 27.87 })).status).toBe(403);
    expect((await post('/api/staff/3/position', { lon: 116.4, lat: 39.9 })).status).toBe(422);
    expect((await post('/api/staff/3/position', { lon: '112.9', lat: 27.87 })).status).toBe(400);
    expect((await post('/api/staff/3/position', { lon: 112.9, lat: 27.87, speed: 3 })).status).toBe(400);
    expect((await post('/api/staff/3/position', '{"lon":')).status).toBe(400);
    expect((await post('/api/staff/x/position', { lon: 112.9, lat: 27.87 })).status).toBe(400);
    // An older fix than the stored one does not move the person back.
    const stale = await post('/api/staff/3/position', { lon: 112.91, lat: 27.87, at: '2026-11-25T09:00:00+08:00' });
    expect(stale.status).toBe(409);
    await readProblem(stale);
  });

  it('GET /api/kpi: today in Shanghai, counted by SQL the long way round', async () => {
    const res = await signedIn({ app, db }, 'wall')('/api/kpi');
    expect(res.status).toBe(200);
    const k = await res.json();
    const t = now();
    const day = Date.parse('2026-11-25T00:00:00+08:00');
    const rows = db.prepare('SELECT reported_at, dispatched_at, accepted_at, resolved_at, closed_at, verify_due_at, due_at, status FROM events').all() as {
      reported_at: number; dispatched_at: number | null; accepted_at: number | null; resolved_at: number | null; closed_at: number | null;
      verify_due_at: number | null; due_at: number; status: string;
    }[];
    const today = (x: number | null) => x !== null && x >= day && x <= t;
    const closed = rows.filter((r) => today(r.closed_at));
    const open = rows.filter((r) => !['rejected', 'closed', 'evaluated'].includes(r.status));
    const responses = rows.filter((r) => today(r.accepted_at)).map((r) => r.accepted_at! - r.reported_at).sort((a, b) => a - b);
    // 按期结案率 by the pure definition (domain/on-time.ts) over the cases due today, row by row.
    const dueToday = rows.filter((r) => r.due_at >= day && r.due_at < day + 86_400_000).map((r) => closedOnTime(r, t));
    const decided = dueToday.filter((x) => x !== null).length;
    const dueOnTime = dueToday.filter((x) => x === true).length;
    const m = responses.length >> 1;
    const median = responses.length % 2 ? responses[m] : (responses[m - 1] + responses[m]) / 2;
    expect(k).toEqual({
      day: '2026-11-25',
      asOf: '2026-11-25T10:00:00.000+08:00',
      reports: rows.filter((r) => today(r.reported_at)).length,
      dispatched: rows.filter((r) => today(r.dispatched_at)).length,
      accepted: responses.length,
      closed: closed.length,
      dueDecided: decided,
      dueOnTime,
      onTimeClosureRate: Math.round((dueOnTime / decided) * 10_000) / 10_000,
      overdue: open.filter((r) => r.due_at < t).length,
      open: open.length,
      medianResponseS: Math.round(median / 100) / 10,
    });
    expect(k.reports).toBeGreaterThan(0);
    expect(k.closed).toBeGreaterThan(0);
    expect(k.dueDecided).toBeGreaterThan(0);
  });

  it('the KPI ticker appends kpi.tick messages with the same figures', async () => {
    const ticker = startKpiTicker(db, hub, { intervalMs: 3_600_000, now });
    const view = ticker.tick();
    ticker.stop();
    const row = db.prepare(`SELECT at, payload FROM live_messages WHERE type = 'kpi.tick' ORDER BY id DESC LIMIT 1`).get() as { at: number; payload: string };
    expect(row.at).toBe(now());
    const { asOf: _asOf, ...rest } = view;
    expect(JSON.parse(row.payload)).toEqual(rest);
    expect(await (await signedIn({ app, db }, 'wall')('/api/kpi')).json()).toEqual(view);
  });
});
