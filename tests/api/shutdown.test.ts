/**
 * Graceful shutdown of the real server on SIGTERM and SIGINT: it stops accepting connections at once, lets the
 * requests in flight finish (a report still uploading is committed and answered), ends the live streams cleanly,
 * checkpoints the write-ahead log into the database file and exits 0.
 */
import { existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';
import { signedIn } from '../helpers/signed-in.ts';
import { createFixture } from './fixture.ts';

const REPORT = { category: '0102', text: 'shutdown', lon: 112.805, lat: 27.855, channel: 'patrol', kind: 'incident' };

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}: refuses new connections, finishes requests in flight, ends live streams, checkpoints, exits 0`, async () => {
      const fx = createFixture();
      const before = (fx.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      const auth = `Bearer ${signedIn({ url: '', db: fx.db }, 'admin').token}`;
      fx.db.close();
      const server = await startServer({ GEZHI_DB: fx.file });
      const agent = new Agent({ connections: 8 });

      // Two live streams, read to their end.
      const streams = await Promise.all([0, 1].map(() => request(`${server.url}/api/stream`, { dispatcher: agent, bodyTimeout: 0, headers: { Authorization: auth } })));
      const streamEnds = streams.map((s) => new Promise<string>((resolve) => {
        let text = '';
        s.body.on('data', (d: Buffer) => (text += d));
        s.body.on('end', () => resolve(`end after ${text.length} bytes`));
        s.body.on('error', (err: Error) => resolve(`error: ${err.message}`));
      }));

      // A report whose body trickles in over ~1.2 s: in flight when the signal comes.
      const json = Buffer.from(JSON.stringify({ ...REPORT, text: `${signal} in flight` }));
      const slow = Readable.from((async function* () {
        for (let at = 0; at < json.length; at += 8) {
          yield json.subarray(at, at + 8);
          await new Promise((r) => setTimeout(r, 1200 / Math.ceil(json.length / 8)));
        }
      })());
      const inFlight = request(`${server.url}/api/events`, {
        dispatcher: agent, method: 'POST', body: slow,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(json.length), Authorization: auth },
      }).then(async (res) => ({ status: res.statusCode, body: (await res.body.json()) as { id: number } }));

      await new Promise((r) => setTimeout(r, 300));
      const signalled = performance.now();
      process.kill(server.pid, signal);
      await new Promise((r) => setTimeout(r, 300));
      // A new connection now is refused: the listening socket is closed.
      const late = await request(`${server.url}/api/health`, { dispatcher: new Agent() }).then((r) => `status ${r.statusCode}`, (err: Error & { code?: string }) => err.code);
      expect(late).toBe('ECONNREFUSED');

      const answered = await inFlight;
      expect(answered.status).toBe(201);
      for (const end of await Promise.all(streamEnds)) expect(end).toMatch(/^end after \d+ bytes$/);
      expect(await server.exited).toEqual({ code: 0, signal: null });
      console.log(`${signal}: exited ${(performance.now() - signalled).toFixed(0)} ms after the signal`);
      // Nothing had to be cut: every connection closed once its work was done.
      expect(server.output()).not.toMatch(/Cut \d+ request/);
      expect(server.output()).toContain(`${signal}: shutting down`);
      expect(server.stderr()).toBe('');
      await agent.close();

      // Checkpointed: the file alone holds everything; no holder is left behind.
      expect(!existsSync(`${fx.file}-wal`) || statSync(`${fx.file}-wal`).size === 0).toBe(true);
      expect(existsSync(`${fx.file}.holder`)).toBe(false);
      const db = new Database(fx.file, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT text FROM events WHERE id = ?').pluck().get(answered.body.id)).toBe(`${signal} in flight`);
      expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(before + 1);
      db.close();
    });
  }
});
