/**
 * The closed loop under load, against really started servers (child processes, loopback HTTP):
 *
 * (a) Report throughput: 50 concurrent clients POST /api/events (one report each, keep-alive) while 20 SSE
 *     clients listen to /api/stream; the rate is compared with a bare Hono "hello" endpoint served by
 *     @hono/node-server in another child process and driven by the same client code. Rounds alternate
 *     hello/report so background load hits both alike; medians are reported. Goal: ratio ≥ 0.25.
 * (b) Delivery latency: reports at a steady 200/s for 10 s; for every (report, listener) pair, the time from
 *     starting the POST to the listener parsing its event.created frame. Goal: p99 < 50 ms.
 *
 * The report rate is also measured before the listeners connect, which separates the write path's own cost from
 * the stream's. Each round also records the CPU share of the load generator and of the server's main thread
 * (details.clientBusy / serverBusy, 1 = a core): whichever is near 1 limited that round. Also checked: every listener received every report exactly once, and no listener was dropped.
 * Run alone: `npx tsx scripts/bench/live.ts`; as a server of the hello endpoint: `… live.ts --hello-server`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDatabase } from '../../server/db/database.ts';
import { benchToken } from './auth.ts';
import { createSseFrameReader } from '../../web/live/sse-frames.ts';
import { type BenchResult, median, now, prng, round } from './util.ts';

const CONCURRENCY = 50;
const LISTENERS = 20;
const WARMUP_MS = 1000;
const ROUNDS = 3;
const ROUND_MS = 2000;
const STEADY_RATE = 200; // reports per second
const STEADY_MS = 10_000;
const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');
const TEXTS = ['路边有暴露垃圾，影响通行', '小区门口垃圾堆放', '人行道上有垃圾袋', '垃圾桶满溢无人清理'];

interface Target {
  host: string;
  port: number;
  /** Bearer token sent with every request (the app's; the bare hello server ignores it). */
  token?: string;
}

function quantile(xs: number[], q: number): number {
  const s = Float64Array.from(xs).sort();
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}

/** Spawns a server (tsx) and resolves with its port once it prints `… listening on http://…:port`. */
function startChild(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
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

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(kill), resolve()));
    child.kill('SIGTERM');
  });
}

/** CPU time (ms) of a process's main thread so far, from /proc (Linux); NaN elsewhere. */
function mainThreadCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** One HTTP request on a keep-alive agent; resolves with the status and the body. */
function send(agent: Agent, t: Target, method: string, path: string, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent, host: t.host, port: t.port, method, path,
        headers: {
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {}),
          ...(t.token ? { Authorization: `Bearer ${t.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `concurrency` closed loops sending requests back to back for `ms`; returns completed requests per second. */
async function closedLoop(
  agent: Agent, t: Target, method: string, path: string, bodies: Buffer[] | null, expect: number, concurrency: number, ms: number,
): Promise<{ rps: number; count: number }> {
  let count = 0;
  let i = 0;
  const start = now();
  const end = start + ms;
  const worker = async () => {
    while (now() < end) {
      const res = await send(agent, t, method, path, bodies ? bodies[i++ % bodies.length] : undefined);
      if (res.status !== expect) throw new Error(`${method} ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: count / ((now() - start) / 1000), count };
}

/** An SSE listener that records, per event id, when its event.created frame was parsed. */
class Listener {
  readonly arrivals = new Map<number, number>();
  duplicates = 0;
  ended = false;
  private res: IncomingMessage | null = null;
  private t = 0;
  // The web app's frame reader (eventsource-parser): frames are split as the screens split them.
  private readonly reader = createSseFrameReader((f) => {
    if (f.event !== 'event.created' || f.data === undefined) return;
    const m = /"id":(\d+)/.exec(f.data);
    if (!m) return;
    const id = Number(m[1]);
    if (this.arrivals.has(id)) this.duplicates++;
    else this.arrivals.set(id, this.t);
  });

  static open(t: Target): Promise<Listener> {
    const l = new Listener();
    return new Promise((resolve, reject) => {
      const headers = t.token ? { Authorization: `Bearer ${t.token}` } : {};
      const req = request({ host: t.host, port: t.port, path: '/api/stream?types=event.created', agent: false, headers }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        l.res = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => l.push(chunk, now()));
        res.on('end', () => (l.ended = true));
        res.on('error', () => (l.ended = true));
        resolve(l);
      });
      req.on('error', reject);
      req.end();
    });
  }

  private push(chunk: string, t: number): void {
    this.t = t;
    this.reader.feed(chunk);
  }

  close(): void {
    this.res?.destroy();
  }
}

/** Points inside blocks (building positions), so every report locates. */
function reportBodies(dbFile: string, n: number): Buffer[] {
  const db = openDatabase(dbFile, { readonly: true });
  try {
    const pts = db.prepare('SELECT lon, lat FROM buildings ORDER BY id').all() as { lon: number; lat: number }[];
    const rnd = prng(20261125);
    return Array.from({ length: n }, (_, i) => {
      const p = pts[Math.floor(rnd() * pts.length)];
      return Buffer.from(JSON.stringify({
        category: '0102', text: TEXTS[i % TEXTS.length], lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident',
      }));
    });
  } finally {
    db.close();
  }
}

/** The steady phase: one POST every 1000/rate ms (open loop), returns each report's send time by event id. */
async function steady(agent: Agent, t: Target, bodies: Buffer[], rate: number, ms: number) {
  const sent = new Map<number, number>();
  const postMs: number[] = [];
  const inflight: Promise<void>[] = [];
  const start = now();
  const total = Math.round((rate * ms) / 1000);
  let failed = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = now();
    inflight.push(
      send(agent, t, 'POST', '/api/events', bodies[i % bodies.length]).then((res) => {
        if (res.status !== 201) {
          failed++;
          return;
        }
        postMs.push(now() - t0);
        sent.set((JSON.parse(res.body) as { id: number }).id, t0);
      }),
    );
  }
  await Promise.all(inflight);
  return { sent, postMs, failed, achievedRate: total / ((now() - start) / 1000) };
}

async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const end = now() + ms;
  while (!pred()) {
    if (now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export async function runLiveBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gezhi-bench-live-'));
  const dbFile = join(dir, 'bench.db');
  const given = process.env.GEZHI_BENCH_DB;
  if (given) copyFileSync(given, dbFile);
  else {
    const db = openDatabase(dbFile);
    const { seedDemo } = await import('../../server/db/seed/index.ts');
    await seedDemo(db, { now: SEED_NOW });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
  // One integration token for the reporting clients and the listeners (made before the server opens the file).
  const tokenDb = openDatabase(dbFile);
  const token = benchToken(tokenDb, { role: 'integration' });
  tokenDb.close();
  const children: ChildProcess[] = [];
  const listeners: Listener[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    // The demo simulator stays off: its own reports and staff moves would be measured with ours.
    const app = await startChild([join(root, 'server/main.ts')], { PORT: '0', GEZHI_DB: dbFile, GEZHI_SIMULATE: '0' });
    children.push(app.child);
    const helloChild = await startChild([fileURLToPath(import.meta.url), '--hello-server'], {});
    children.push(helloChild.child);
    const appT: Target = { host: '127.0.0.1', port: app.port, token };
    const helloT: Target = { host: '127.0.0.1', port: helloChild.port };
    const bodies = reportBodies(dbFile, 1000);

    const probe = await send(agent, appT, 'POST', '/api/events', bodies[0]);
    if (probe.status !== 201) throw new Error(`POST /api/events answered ${probe.status}: ${probe.body.slice(0, 300)}`);

    // (a) throughput, hello vs report, alternating rounds after a warm-up of each: first with nobody listening
    // (the write path alone), then with the listeners (the goal's setting).
    await closedLoop(agent, helloT, 'GET', '/', null, 200, CONCURRENCY, WARMUP_MS);
    await closedLoop(agent, appT, 'POST', '/api/events', bodies, 201, CONCURRENCY, WARMUP_MS);
    // CPU shares per round (1 = one core busy) of the load generator and of the server's main thread: whichever
    // is near 1 limited the rate.
    const busy = async <T>(fn: () => Promise<T>, pid?: number): Promise<[T, number, number]> => {
      const c0 = process.cpuUsage();
      const s0 = pid ? mainThreadCpuMs(pid) : NaN;
      const t0 = now();
      const out = await fn();
      const c = process.cpuUsage(c0);
      const ms = now() - t0;
      return [out, (c.user + c.system) / 1000 / ms, pid ? (mainThreadCpuMs(pid) - s0) / ms : NaN];
    };
    const rounds = async () => {
      const hello: number[] = [];
      const report: number[] = [];
      const clientBusy = { hello: [] as number[], report: [] as number[] };
      const serverBusy = { hello: [] as number[], report: [] as number[] };
      for (let r = 0; r < ROUNDS; r++) {
        const [h, hc, hs] = await busy(() => closedLoop(agent, helloT, 'GET', '/', null, 200, CONCURRENCY, ROUND_MS), helloChild.child.pid);
        const [p, pc, ps] = await busy(() => closedLoop(agent, appT, 'POST', '/api/events', bodies, 201, CONCURRENCY, ROUND_MS), app.child.pid);
        hello.push(h.rps);
        report.push(p.rps);
        clientBusy.hello.push(round(hc, 2));
        clientBusy.report.push(round(pc, 2));
        serverBusy.hello.push(round(hs, 2));
        serverBusy.report.push(round(ps, 2));
      }
      return { hello, report, clientBusy, serverBusy };
    };
    const quiet = await rounds();
    for (let i = 0; i < LISTENERS; i++) listeners.push(await Listener.open(appT));
    await new Promise((r) => setTimeout(r, 200));
    const { hello: helloRps, report: reportRps, clientBusy, serverBusy } = await rounds();
    const maxId = (JSON.parse((await send(agent, appT, 'POST', '/api/events', bodies[1])).body) as { id: number }).id;
    const caughtUp = await waitFor(() => listeners.every((l) => l.arrivals.has(maxId)), 30_000);

    // (b) steady rate, delivery latency to every listener.
    const st = await steady(agent, appT, bodies, STEADY_RATE, STEADY_MS);
    const lastSent = Math.max(...st.sent.keys());
    await waitFor(() => listeners.every((l) => l.arrivals.has(lastSent)), 10_000);
    const latencies: number[] = [];
    let missing = 0;
    for (const [id, t0] of st.sent) {
      for (const l of listeners) {
        const t = l.arrivals.get(id);
        if (t === undefined) missing++;
        else latencies.push(t - t0);
      }
    }
    const status = JSON.parse((await send(agent, appT, 'GET', '/api/stream/status')).body) as { clients: number; dropped: number; batches: number };
    const duplicates = listeners.reduce((a, l) => a + l.duplicates, 0);
    const complete = caughtUp && missing === 0 && duplicates === 0 && listeners.every((l) => !l.ended);

    const hello = median(helloRps);
    const report = median(reportRps);
    const ratio = report / hello;
    const quietRatio = median(quiet.report) / median(quiet.hello);
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    return {
      name: 'live',
      description: `POST /api/events (${CONCURRENCY} concurrent, ${LISTENERS} SSE listeners) vs a bare Hono hello, and POST→SSE latency at ${STEADY_RATE}/s, on ${given ? 'GEZHI_BENCH_DB' : 'the freshly seeded Yuhu demo'} over loopback`,
      metrics: {
        helloRps: Math.round(hello),
        reportRps: Math.round(report),
        ratio: round(ratio, 3),
        reportRpsNoListeners: Math.round(median(quiet.report)),
        ratioNoListeners: round(quietRatio, 3),
        steadyRate: round(st.achievedRate, 1),
        deliveries: latencies.length,
        latencyP50Ms: round(p50, 2),
        latencyP99Ms: round(p99, 2),
        latencyMaxMs: round(Math.max(...latencies), 2),
        postP50Ms: round(quantile(st.postMs, 0.5), 2),
        postP99Ms: round(quantile(st.postMs, 0.99), 2),
        missingDeliveries: missing,
        duplicateDeliveries: duplicates,
        droppedClients: status.dropped,
        hubBatches: status.batches,
      },
      checks: [
        { name: 'report throughput ≥ 0.25 × hello', pass: ratio >= 0.25, detail: `${Math.round(report)} / ${Math.round(hello)} req/s = ${round(ratio, 3)}` },
        { name: 'POST→SSE p99 < 50 ms at 200/s', pass: p99 < 50, detail: `p99 ${round(p99, 2)} ms (p50 ${round(p50, 2)} ms) over ${latencies.length} deliveries` },
        {
          name: 'every listener got every report once, none dropped',
          pass: complete && status.dropped === 0 && st.failed === 0,
          detail: `missing ${missing}, duplicates ${duplicates}, dropped ${status.dropped}, failed posts ${st.failed}, caught up after load: ${caughtUp}`,
        },
      ],
      details: {
        helloRps: helloRps.map(Math.round),
        reportRps: reportRps.map(Math.round),
        clientBusy,
        serverBusy,
        noListeners: {
          helloRps: quiet.hello.map(Math.round), reportRps: quiet.report.map(Math.round), clientBusy: quiet.clientBusy, serverBusy: quiet.serverBusy,
        },
        rounds: ROUNDS,
        roundMs: ROUND_MS,
        // Background load during the run: on a shared box the figures move with it.
        loadAverage: loadavg().map((x) => round(x, 2)),
      },
    };
  } finally {
    for (const l of listeners) l.close();
    agent.destroy();
    for (const c of children) await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: the smallest Hono app on @hono/node-server. */
async function helloServer(): Promise<void> {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const app = new Hono().get('/', (c) => c.text('hello'));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
    console.log(`hello listening on http://127.0.0.1:${info.port}`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--hello-server')) await helloServer();
  else {
    const r = await runLiveBench();
    console.log(r.description);
    console.table(r.metrics);
    for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  }
}
