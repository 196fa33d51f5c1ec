import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { shanghaiDayStart } from '../../server/db/queries/kpi.ts';
import { LiveHub } from '../../server/live/hub.ts';
import { appendRawLiveMessage, sseFrame } from '../../server/live/messages.ts';
import { FrameParser, type Frame } from '../helpers/sse-frames.ts';

const T0 = Date.parse('2024-06-15T12:00:00+08:00');

/** Reads whole SSE frames off a stream (server side: the hub's own stream, no HTTP). */
class Reader {
  frames: Frame[] = [];
  private readonly parser = new FrameParser();
  private readonly dec = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  done = false;
  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }
  async until(pred: (frames: Frame[]) => boolean, timeoutMs = 5000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.frames)) {
      if (this.done) throw new Error(`stream ended; got ${JSON.stringify(this.frames.slice(-3))}`);
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.frames.length} frames`);
      const { done, value } = await this.reader.read();
      if (done) this.done = true;
      else this.push(this.dec.decode(value, { stream: true }));
    }
    return this.frames;
  }
  private push(text: string): void {
    this.frames.push(...this.parser.push(text));
  }

  messages(): Frame[] {
    return this.frames.filter((f) => f.event !== undefined);
  }
  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

let db: Db;
let hub: LiveHub | null = null;
afterEach(() => {
  hub?.close();
  hub = null;
  db?.close();
});

function append(n: number, type = 'event.created', at = T0, pad = 0): number[] {
  const ids: number[] = [];
  db.transaction(() => {
    for (let i = 0; i < n; i++) ids.push(appendRawLiveMessage(db, type, { n: i, pad: 'x'.repeat(pad) }, at));
  })();
  return ids;
}

describe('live messages', () => {
  it('frames carry id, event and the payload with the message time added', () => {
    db = openDatabase(':memory:');
    const id = appendRawLiveMessage(db, 'event.created', { id: 7, text: '第一行\n第二行' }, T0);
    expect(id).toBe(1);
    const row = db.prepare('SELECT * FROM live_messages WHERE id = ?').get(id) as { id: number; at: number; type: string; payload: string };
    const frame = sseFrame(row);
    expect(frame).toBe(`id: 1\nevent: event.created\ndata: {"id":7,"text":"第一行\\n第二行","at":"2024-06-15T12:00:00.000+08:00"}\n\n`);
    expect(sseFrame({ id: 2, at: T0, type: 'x', payload: '{}' })).toContain('data: {"at":"2024-06-15T12:00:00.000+08:00"}\n');
    expect(sseFrame({ id: 3, at: T0, type: 'x', payload: '[1,2]' })).toContain('data: {"value":[1,2],"at":');
    // A multi-line payload written by someone else still makes valid data lines.
    expect(sseFrame({ id: 4, at: T0, type: 'x', payload: '{\n"a": 1\n}' })).toBe('id: 4\nevent: x\ndata: {"a": 1,"at":"2024-06-15T12:00:00.000+08:00"}\n\n');
  });

  it('rejects types that cannot be an SSE event name or a filter value', () => {
    db = openDatabase(':memory:');
    for (const bad of ['', 'Event', 'a b', 'a\nb', 'a..b', '.a', 'x'.repeat(65)]) {
      expect(() => appendRawLiveMessage(db, bad, {}, T0), bad).toThrow(/lowercase dotted/);
    }
    expect(() => appendRawLiveMessage(db, 'a.b', {}, 1.5)).toThrow(/epoch milliseconds/);
  });
});

describe('LiveHub', () => {
  it('delivers in order; 1,000 commits with a notify each cost a few reads, one serialization per batch', async () => {
    db = openDatabase(':memory:');
    hub = new LiveHub(db, { replayLimit: 500 });
    const a = new Reader(hub.subscribe().stream);
    const b = new Reader(hub.subscribe({ types: new Set(['kpi.tick']) }).stream);
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) {
      ids.push(...append(1, i % 10 === 0 ? 'kpi.tick' : 'event.created'));
      hub.notify();
    }
    await a.until((f) => f.filter((x) => x.event).length === 1000);
    await b.until((f) => f.filter((x) => x.event).length === 100);
    expect(a.messages().map((f) => f.id)).toEqual(ids);
    expect(b.messages().map((f) => f.id)).toEqual(ids.filter((_, i) => i % 10 === 0));
    expect(a.frames[0].retry).toBe(3000);
    expect(a.frames[1]).toEqual({ id: 0 }); // where a fresh client starts
    expect(hub.status().batches).toBe(2); // 1,000 rows in pages of 500
    expect(hub.status()).toMatchObject({ clients: 2, replaying: 0, lastId: 1000, dropped: 0 });
  });

  it('replays a long gap in pages and joins live with no gap and no duplicate while writes continue', async () => {
    db = openDatabase(':memory:');
    hub = new LiveHub(db, { replayLimit: 50 });
    append(1234);
    let writing = true;
    const writer = (async () => {
      while (writing) {
        append(1 + (Math.random() * 3) | 0);
        hub!.notify();
        await tick();
      }
    })();
    const r = new Reader(hub.subscribe({ lastEventId: 17 }).stream);
    await r.until((f) => (f.at(-1)?.id ?? 0) >= 2000);
    writing = false;
    await writer;
    const max = (db.prepare('SELECT max(id) AS m FROM live_messages').get() as { m: number }).m;
    await r.until((f) => f.at(-1)?.id === max);
    const got = r.messages().map((f) => f.id);
    expect(got).toEqual(Array.from({ length: max - 17 }, (_, i) => 18 + i));
  });

  it('drops a client that stops reading once its queue passes the bound; others keep receiving', async () => {
    db = openDatabase(':memory:');
    hub = new LiveHub(db, { maxQueuedBytes: 64 * 1024 });
    let aborted = 0;
    const slow = hub.subscribe({ abort: () => aborted++ });
    const errored = hub.subscribe(); // no socket to cut: its stream errors
    const fast = new Reader(hub.subscribe().stream);
    const slowReader = errored.stream.getReader();
    await slowReader.read(); // take the retry frame, then never read again
    for (let i = 0; i < 40; i++) {
      append(1, 'event.created', T0, 4000);
      hub.notify();
      await fast.until((f) => f.filter((x) => x.event).length === i + 1);
    }
    expect(hub.status()).toMatchObject({ clients: 1, dropped: 2 });
    expect(aborted).toBe(1);
    await expect(async () => {
      for (;;) if ((await slowReader.read()).done) break;
    }).rejects.toThrow(/fell too far behind/);
    void slow;
  });

  it('sends reset for an id outside the retained window or ahead of the stream, then continues live', async () => {
    db = openDatabase(':memory:');
    const DAY = 86_400_000;
    append(10, 'event.created', T0 - 10 * DAY);
    append(5, 'event.created', T0);
    hub = new LiveHub(db, { now: () => T0, retentionDays: 7 });
    expect(hub.pruneOld()).toBe(10);
    expect(hub.status().retainedFromId).toBe(11);

    const old = new Reader(hub.subscribe({ lastEventId: 3 }).stream);
    const [, reset] = await old.until((f) => f.length >= 2);
    expect(reset).toMatchObject({ id: 15, event: 'reset' });
    expect(JSON.parse(reset.data!)).toMatchObject({ lastEventId: 3, resumeFrom: 15 });

    const edge = new Reader(hub.subscribe({ lastEventId: 10 }).stream); // everything after 10 is still kept
    await edge.until((f) => f.filter((x) => x.event).length === 5);
    expect(edge.messages().map((f) => f.id)).toEqual([11, 12, 13, 14, 15]);

    const ahead = new Reader(hub.subscribe({ lastEventId: 99 }).stream);
    await ahead.until((f) => f.some((x) => x.event === 'reset'));

    append(1);
    hub.notify();
    for (const r of [old, edge, ahead]) await r.until((f) => f.at(-1)?.id === 16);

    // Everything pruned: the window starts after the highest id ever used.
    db.prepare('DELETE FROM live_messages').run();
    const gone = new Reader(hub.subscribe({ lastEventId: 12 }).stream);
    await gone.until((f) => f.some((x) => x.event === 'reset'));
    const fine = new Reader(hub.subscribe({ lastEventId: 16 }).stream);
    await fine.until((f) => f.length >= 1);
    await tick();
    expect(fine.frames.some((x) => x.event === 'reset')).toBe(false);
  });

  it('sends heartbeats, ends every stream on close, and stops once its database is closed', async () => {
    db = openDatabase(':memory:');
    hub = new LiveHub(db, { heartbeatMs: 30 });
    const r = new Reader(hub.subscribe().stream);
    await r.until((f) => f.some((x) => x.comment === 'hb'), 2000);
    hub.close();
    await r.until(() => false).catch(() => undefined);
    expect(r.done).toBe(true);
    expect(() => hub!.subscribe()).toThrow(/closed/);
    hub.notify(); // harmless after close
  });

  it('a cancelled stream leaves the hub', async () => {
    db = openDatabase(':memory:');
    hub = new LiveHub(db);
    const r = new Reader(hub.subscribe().stream);
    await r.until((f) => f.length >= 1);
    expect(hub.status().clients).toBe(1);
    await r.cancel();
    expect(hub.status().clients).toBe(0);
  });

  it('with no client connected, notify() reads nothing; a later client starts at the newest id (or replays) and misses nothing', async () => {
    db = openDatabase(':memory:');
    hub = new LiveHub(db, { replayLimit: 500 });
    const first = append(1200);
    for (let i = 0; i < 50; i++) hub.notify();
    await tick();
    await tick();
    expect(hub.status()).toMatchObject({ clients: 0, batches: 0, lastId: first[first.length - 1] }); // nothing read
    // Joined after an idle spell: starts at the newest stored id, then receives what follows, once each.
    const fresh = new Reader(hub.subscribe().stream);
    const resumed = new Reader(hub.subscribe({ lastEventId: first[999] }).stream);
    await fresh.until((f) => f.length >= 2);
    expect(fresh.frames[1]).toEqual({ id: first[first.length - 1] });
    const next = append(3);
    hub.notify();
    await fresh.until((f) => f.filter((x) => x.event).length === 3);
    await resumed.until((f) => f.filter((x) => x.event).length === 203);
    expect(fresh.messages().map((f) => f.id)).toEqual(next);
    expect(resumed.messages().map((f) => f.id)).toEqual([...first.slice(1000), ...next]);
    expect(hub.status().batches).toBe(1); // only the 3 new rows were read for broadcast
    // Everyone gone: idle again.
    await fresh.cancel();
    await resumed.cancel();
    const before = hub.status().batches;
    const later = append(5);
    hub.notify();
    await tick();
    expect(hub.status()).toMatchObject({ clients: 0, batches: before, lastId: later[4] });
  });

  it('checks its options', () => {
    db = openDatabase(':memory:');
    expect(() => new LiveHub(db, { heartbeatMs: 0 })).toThrow(/heartbeatMs must be a positive number, got 0/);
    expect(() => new LiveHub(db, { replayLimit: 1.5 })).toThrow(/replayLimit must be an integer/);
  });
});

describe('shanghaiDayStart', () => {
  it('is 00:00 in Shanghai (16:00 UTC the day before)', () => {
    expect(shanghaiDayStart(Date.parse('2024-06-15T00:00:00+08:00'))).toBe(Date.parse('2024-06-15T00:00:00+08:00'));
    expect(shanghaiDayStart(Date.parse('2024-06-15T23:59:59.999+08:00'))).toBe(Date.parse('2024-06-15T00:00:00+08:00'));
    expect(shanghaiDayStart(Date.parse('2024-06-14T16:00:00Z'))).toBe(Date.parse('2024-06-15T00:00:00+08:00'));
    expect(shanghaiDayStart(Date.parse('2024-06-14T15:59:59Z'))).toBe(Date.parse('2024-06-14T00:00:00+08:00'));
  });
});
