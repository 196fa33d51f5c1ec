/**
 * Crash safety: the real server is killed with SIGKILL at a random instant during sustained ingest (single reports
 * and batches from concurrent clients), 20 times over one database file. After each kill, every report the server
 * acknowledged (201 for a report, 200 with its ids for a batch) is in the file, and PRAGMA integrity_check is ok.
 */
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../server/domain/prng.ts';
import { startServer } from '../helpers/server.ts';
import { signedIn } from '../helpers/signed-in.ts';
import { createFixture } from './fixture.ts';

const TRIALS = 20;
/** Points inside the fixture's blocks (lon 112.80 + 0.01·i … + 0.01, lat 27.85 … 27.86). */
const POINTS = [0, 1, 2, 3, 4, 5].map((i) => ({ lon: 112.805 + 0.01 * i, lat: 27.855 }));

interface Acked {
  id: number;
  text: string;
}

describe('kill -9 during ingest', () => {
  it(`keeps every acknowledged report through ${TRIALS} kills, with integrity ok`, async () => {
    const fx = createFixture();
    const auth = `Bearer ${signedIn({ url: '', db: fx.db }, 'admin').token}`;
    fx.db.close();
    const rng = createRng(9);
    const acked: Acked[] = [];
    let sent = 0;
    const report = (trial: number) => {
      const p = POINTS[sent % POINTS.length];
      return { category: '0102', text: `crash-${trial}-${sent++}`, lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' };
    };
    const started = performance.now();
    for (let trial = 0; trial < TRIALS; trial++) {
      const server = await startServer({ GEZHI_DB: fx.file, GEZHI_RATE_LIMIT_RPS: '0' });
      const agent = new Agent({ connections: 4 });
      let stop = false;
      const post = (path: string, body: unknown) =>
        request(`${server.url}${path}`, { dispatcher: agent, method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: auth }, body: JSON.stringify(body) });
      const single = async () => {
        while (!stop) {
          const body = report(trial);
          try {
            const res = await post('/api/events', body);
            const out = (await res.body.json()) as { id: number };
            if (res.statusCode === 201) acked.push({ id: out.id, text: body.text });
          } catch {
            return; // the server is gone: what it had not answered was never acknowledged
          }
        }
      };
      const batch = async () => {
        while (!stop) {
          const events = Array.from({ length: 25 }, () => report(trial));
          try {
            const res = await post('/api/events/batch', { events });
            const out = (await res.body.json()) as { items: { index: number; id: number }[] };
            if (res.statusCode === 200) for (const it of out.items) acked.push({ id: it.id, text: events[it.index].text });
          } catch {
            return;
          }
        }
      };
      const clients = [single(), single(), single(), batch()];
      // Kill at a random instant once reports are flowing (a busy machine can take seconds to serve the first).
      const flowing = acked.length;
      for (let waited = 0; acked.length === flowing && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, rng.int(50, 700)));
      process.kill(server.pid, 'SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      stop = true;
      await Promise.all(clients);
      await agent.destroy();

      // Opening the file replays the write-ahead log, as the next server start would.
      const db = new Database(fx.file);
      try {
        expect(db.pragma('integrity_check', { simple: true }), `trial ${trial}`).toBe('ok');
        const byId = db.prepare('SELECT text FROM events WHERE id = ?').pluck();
        const missing = acked.filter((a) => byId.get(a.id) !== a.text);
        expect(missing.slice(0, 5), `trial ${trial}: acknowledged but lost`).toEqual([]);
      } finally {
        db.close();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`${TRIALS} kills in ${seconds.toFixed(1)} s: ${acked.length} acknowledged reports of ${sent} sent, all present`);
    expect(acked.length).toBeGreaterThan(TRIALS * 10); // the kills did land during ingest
  }, 300_000); // 20 server starts: about a minute on a quiet machine, more on a busy one
});
