/**
 * Sustained mixed load on the real server over loopback (`npm run bench -- load`): autocannon drives
 * `CONNECTIONS` keep-alive connections through a cycle of API reads (event pages, one case, the overdue board, KPIs,
 * areas, health) and writes (reports, staff positions), while `LISTENERS` clients hold the live stream open.
 * Runs GEZHI_LOAD_SECONDS (default 600) after a short warm-up.
 *
 * Records: requests per second, latency percentiles (p50, p99), responses by status and connection errors; live
 * messages delivered against sent (every acknowledged report is one event.created message per listener; goal: all
 * of them); and the server's resident memory after the warm-up and at the end (goal: growth under 20 %), sampled
 * every 10 s into the details. The server's rate limit is off for the run (GEZHI_RATE_LIMIT_RPS=0): every request
 * comes from one address, and the figure measured is the server's capacity, not the limiter's.
 *
 * Uses GEZHI_BENCH_DB (a seeded database, copied) when given, else seeds the Yuhu demo first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openDatabase } from '../../server/db/database.ts';
import { benchToken } from './auth.ts';
import { createSseFrameReader } from '../../web/live/sse-frames.ts';
import { type BenchResult, prng, round } from './util.ts';

const CONNECTIONS = 16;
const LISTENERS = 100;
/**
 * Load before the first memory figure: V8 sizes its heap to the work over the first tens of seconds (a 5 s warm-up
 * put the start 15–20 % below where the heap settles, with no leak behind it), and the statements, caches and the
 * live stream's buffers fill.
 */
const WARMUP_MS = 30_000;
const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');
const RSS_GROWTH_GOAL = 0.2;
const TEXTS = ['路边有暴露垃圾，影响通行', '小区门口垃圾堆放', '人行道上有垃圾袋', '垃圾桶满溢无人清理'];

function loadSeconds(): number {
  const raw = process.env.GEZHI_LOAD_SECONDS;
  if (raw === undefined || raw === '') return 600;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 5) throw new Error(`GEZHI_LOAD_SECONDS must be a number of seconds ≥ 5, got ${JSON.stringify(raw)}`);
  return n;
}

/** Resident set size of a process (bytes), from /proc (Linux); NaN elsewhere. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function startServer(dbFile: string): Promise<{ child: ChildProcess; port: number }> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/main.ts')], {
    env: { ...process.env, PORT: '0', GEZHI_DB: dbFile, GEZHI_SIMULATE: '0', GEZHI_RATE_LIMIT_RPS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 120 s:\n${out}`)), 120_000);
    child.stderr!.on('data', (d) => (out += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`server exited with ${code}:\n${out}`))));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => (clearTimeout(kill), resolve()));
    child.kill('SIGTERM');
  });
}

/** A live-stream client counting the event.created ids it received. */
class Listener {
  readonly ids = new Set<number>();
  duplicates = 0;
  ended = false;
  private res: IncomingMessage | null = null;
  private readonly reader = createSseFrameReader((f) => {
    if (f.event !== 'event.created' || f.data === undefined) return;
    const m = /"id":(\d+)/.exec(f.data);
    if (!m) return;
    const id = Number(m[1]);
    if (this.ids.has(id)) this.duplicates++;
    else this.ids.add(id);
  });

  static open(port: number, token: string): Promise<Listener> {
    const l = new Listener();
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/stream', agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        l.res = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => l.reader.feed(chunk));
        res.on('end', () => (l.ended = true));
        res.on('error', () => (l.ended = true));
        resolve(l);
      });
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.res?.destroy();
  }
}

interface Inputs {
  points: { lon: number; lat: number }[];
  eventIds: number[];
  staffIds: number[];
}

function inputs(dbFile: string): Inputs {
  const db = openDatabase(dbFile, { readonly: true });
  try {
    return {
      points: db.prepare('SELECT lon, lat FROM buildings ORDER BY id').all() as { lon: number; lat: number }[],
      eventIds: db.prepare('SELECT id FROM events ORDER BY id DESC LIMIT 2000').pluck().all() as number[],
      staffIds: db.prepare('SELECT id FROM staff ORDER BY id LIMIT 500').pluck().all() as number[],
    };
  } finally {
    db.close();
  }
}

export async function runLoadBench(): Promise<BenchResult> {
  const seconds = loadSeconds();
  const dir = mkdtempSync(join(tmpdir(), 'gezhi-bench-load-'));
  const dbFile = join(dir, 'load.db');
  const given = process.env.GEZHI_BENCH_DB;
  if (given) copyFileSync(given, dbFile);
  else {
    const db = openDatabase(dbFile);
    const { seedDemo } = await import('../../server/db/seed/index.ts');
    await seedDemo(db, { now: SEED_NOW });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
  const { points, eventIds, staffIds } = inputs(dbFile);
  // Every request signs in with a real token, made on the bench's database before the server opens it.
  const tokenDb = openDatabase(dbFile);
  const token = benchToken(tokenDb, { role: 'admin' });
  tokenDb.close();
  const auth = { Authorization: `Bearer ${token}` };
  const rnd = prng(20261204);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const acked = new Set<number>();
  let positionAt = Date.now();

  const { child, port } = await startServer(dbFile);
  const listeners: Listener[] = [];
  try {
    for (let i = 0; i < LISTENERS; i++) listeners.push(await Listener.open(port, token));
    const json = { 'Content-Type': 'application/json', ...auth };
    const requests: autocannon.Request[] = [
      { method: 'GET', path: '/api/events?limit=50' },
      { method: 'GET', path: '/api/kpi' },
      {
        method: 'POST', path: '/api/events', headers: json,
        setupRequest: (req) => {
          const p = pick(points);
          return { ...req, body: JSON.stringify({ category: '0102', text: pick(TEXTS), lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' }) };
        },
        onResponse: (status, body) => {
          if (status === 201) acked.add((JSON.parse(body) as { id: number }).id);
        },
      },
      { method: 'GET', path: '/api/events/1', setupRequest: (req) => ({ ...req, path: `/api/events/${pick(eventIds)}` }) },
      { method: 'GET', path: '/api/events/overdue?limit=100' },
      {
        method: 'POST', path: '/api/staff/1/position', headers: json,
        setupRequest: (req) => {
          const p = pick(points);
          // Positions must be newer than the stored one: a clock of their own, always ahead.
          positionAt += 1000;
          return { ...req, path: `/api/staff/${pick(staffIds)}/position`, body: JSON.stringify({ lon: p.lon, lat: p.lat, at: new Date(positionAt).toISOString() }) };
        },
      },
      { method: 'GET', path: '/api/areas' },
      { method: 'GET', path: '/api/health' },
    ];
    const run = (ms: number) => autocannon({
      url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: ms / 1000, requests, timeout: 30, headers: auth,
    });

    await run(WARMUP_MS);
    acked.clear();
    for (const l of listeners) l.ids.clear();
    const rssStart = rssOf(child.pid!);
    const samples: { s: number; rssMiB: number; load1: number }[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      samples.push({ s: Math.round((Date.now() - started) / 1000), rssMiB: round(rssOf(child.pid!) / 1048576, 1), load1: round(loadavg()[0], 2) });
    }, 10_000);
    const result = await run(seconds * 1000);
    clearInterval(sampler);
    const rssEnd = rssOf(child.pid!);

    // Let the stream catch up with the last reports before counting.
    const expected = acked.size * LISTENERS;
    const delivered = () => listeners.reduce((n, l) => n + [...acked].filter((id) => l.ids.has(id)).length, 0);
    const deadline = Date.now() + 10_000;
    let got = delivered();
    while (got < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = delivered();
    }
    const dropped = listeners.filter((l) => l.ended).length;
    const duplicates = listeners.reduce((n, l) => n + l.duplicates, 0);
    const growth = (rssEnd - rssStart) / rssStart;
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, (v as { count: number }).count]));
    const serverErrors = Object.entries(statuses).filter(([k]) => Number(k) >= 500).reduce((n, [, c]) => n + c, 0);

    return {
      name: 'load',
      description: `${seconds} s of mixed API load (${CONNECTIONS} autocannon connections: reads, reports, positions) with ${LISTENERS} live-stream clients, on ${given ? 'GEZHI_BENCH_DB' : 'the freshly seeded Yuhu demo'} over loopback`,
      metrics: {
        seconds,
        requestsPerSecond: round(result.requests.average, 1),
        latencyP50: result.latency.p50,
        latencyP99: result.latency.p99,
        latencyMax: result.latency.max,
        requests: result.requests.total,
        reportsAcknowledged: acked.size,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        sseSent: expected,
        sseDelivered: got,
        sseDuplicates: duplicates,
        listenersDropped: dropped,
        rssStartMiB: round(rssStart / 1048576, 1),
        rssEndMiB: round(rssEnd / 1048576, 1),
        rssPeakMiB: round(Math.max(rssEnd, ...samples.map((x) => x.rssMiB * 1048576)) / 1048576, 1),
        rssGrowthPct: round(growth * 100, 1),
      },
      checks: [
        { name: 'every live message delivered', pass: got === expected && dropped === 0, detail: `${got} of ${expected} (${LISTENERS} listeners × ${acked.size} reports), ${dropped} dropped` },
        { name: 'RSS growth < 20 %', pass: growth < RSS_GROWTH_GOAL, detail: `${round(rssStart / 1048576, 1)} → ${round(rssEnd / 1048576, 1)} MiB (${round(growth * 100, 1)} %)` },
        { name: 'no server errors or connection errors', pass: serverErrors === 0 && result.errors === 0, detail: `${serverErrors} 5xx, ${result.errors} errors (${result.timeouts} timeouts)` },
      ],
      details: { statuses, rssSamples: samples, connections: CONNECTIONS, listeners: LISTENERS, warmupMs: WARMUP_MS },
    };
  } finally {
    for (const l of listeners) l.close();
    await stopServer(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
