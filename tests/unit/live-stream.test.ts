import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { LiveHub } from '../../server/live/hub.ts';
import { appendLiveMessage } from '../../server/live/messages.ts';
import { openStream } from '../../web/live/stream.ts';
import { seededCopy } from '../helpers/seeded.ts';
import { signedIn } from '../helpers/signed-in.ts';

/**
 * The web app's stream client (web/live/stream.ts) against the real server over HTTP: resume after a silent
 * connection, headers on every connect.
 */
let db: Db;
let hub: LiveHub;
let server: Server;
let base: string;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

beforeAll(async () => {
  db = openDatabase(seededCopy('live-stream'));
  // No heartbeat within the test: the client's silence watchdog is what cuts the first connection.
  hub = new LiveHub(db, { heartbeatMs: 600_000 });
  const app = createApp({ db, live: hub });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  hub?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  db?.close();
});

describe('the live stream client', () => {
  it('resumes from the id-only frame: a message written while it was away arrives after the reconnect', async () => {
    const staff = db.prepare('SELECT id FROM staff ORDER BY id LIMIT 1').get() as { id: number };
    const received: { type: string; data: unknown; id: string }[] = [];
    // A wall screen's display token, made on this database.
    const display = signedIn({ url: base, db }, 'wall').token;
    const stream = openStream(`${base}/api/stream?types=staff.position`, {
      headers: () => ({ Authorization: `Bearer ${display}` }),
      silenceMs: 500,
      retryMs: 600,
      maxRetryMs: 600,
      onMessage: (type, data, id) => received.push({ type, data, id }),
    });
    try {
      // The server's first frame has an id and no data: where this client starts.
      await until(() => stream.lastId() !== '', 'the id-only frame');
      const startId = Number(stream.lastId());
      expect(startId).toBe(hub.status().lastId);
      expect(received).toEqual([]);

      // Silence: the watchdog cuts the connection; while the client waits to reconnect, a message is written.
      await until(() => hub.status().clients === 0, 'the silent connection to be cut');
      const messageId = db.transaction(() => appendLiveMessage(db, 'staff.position', { staffId: staff.id, lon: 112.9, lat: 27.85 }, Date.now()))();
      hub.notify();
      expect(messageId).toBeGreaterThan(startId);

      await until(() => received.length > 0, 'the message written while away', 5000);
      expect(stream.connects()).toBe(2);
      expect(received[0]).toMatchObject({ type: 'staff.position', id: String(messageId), data: { staffId: staff.id, lon: 112.9, lat: 27.85 } });
      expect(stream.status()).toBe('live');
    } finally {
      stream.close();
    }
  });

  it('sends its headers (a display token) on every connect', async () => {
    const seen: (string | null)[] = [];
    const display = signedIn({ url: '', db }, 'wall').token;
    const app = createApp({ db, live: hub });
    const tokenServer = await new Promise<Server>((resolve) => {
      const s = serve({
        fetch: (req: Request) => {
          seen.push(req.headers.get('authorization'));
          return app.fetch(req);
        },
        port: 0,
        hostname: '127.0.0.1',
      }, () => resolve(s as Server));
    });
    const url = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/api/stream`;
    const stream = openStream(url, { silenceMs: 300, retryMs: 50, maxRetryMs: 50, headers: () => ({ Authorization: `Bearer ${display}` }) });
    try {
      await until(() => stream.connects() >= 2 && seen.length >= 2, 'a reconnect');
      expect(seen.slice(0, 2)).toEqual([`Bearer ${display}`, `Bearer ${display}`]);
    } finally {
      stream.close();
      tokenServer.closeAllConnections();
      await new Promise((r) => tokenServer.close(r));
    }
  });
});
