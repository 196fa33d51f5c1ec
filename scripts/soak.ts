/**
 * `npm run soak`: the command wall left running under accelerated activity, to catch leaks.
 *
 * Starts the server on a temporary copy of the seeded database, drives it with the live-activity simulator at 20×
 * speed (`npm run gezhi -- simulate --speed 20`), opens /wall in headless Chromium (kiosk, tour and animation on),
 * warms up, then records the JS heap (after a forced GC: CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage)
 * and the DOM node count (CDP Performance.getMetrics 'Nodes'), runs for the soak time sampling once a minute, and
 * records again, with a screenshot of the wall at the end (tests/artifacts/soak-wall-end.png). Passes when both end within 15 % of their post-warm-up values. Writes bench-results/soak.json.
 *
 * Options: --minutes N (default 10), --warmup SECONDS (default 300), --speed S (default 20), --db FILE (default
 * tests/.tmp/seeded.db, else data/gezhi.db, else a fresh seed), --width/--height (default 1920×1080), --fps N.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { artifactPath, ensureBuild, freePort, launchBrowser, ROOT } from '../tests/browser/harness.ts';
import { openDatabase } from '../server/db/database.ts';
import { benchToken } from './bench/auth.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    // One full round of the automatic tour (~4.5 min), so map tile and label caches are warm before the baseline.
    warmup: { type: 'string', default: '300' },
    speed: { type: 'string', default: '20' },
    db: { type: 'string' },
    width: { type: 'string', default: '1920' },
    height: { type: 'string', default: '1080' },
    fps: { type: 'string', default: '5' },
  },
});
const MINUTES = Number(args.minutes);
const WARMUP_S = Number(args.warmup);
const TOLERANCE = 0.15;

function log(line: string): void {
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function spawnLogged(name: string, cmd: string, argv: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; tail: () => string } {
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code) => log(`${name} exited (${code})`));
  return { child, tail: () => out };
}

function killGroup(child: ChildProcess | undefined): void {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

interface Sample {
  t: number;
  heapUsedMB: number;
  heapTotalMB: number;
  nodes: number;
  listeners: number;
  layers: number;
  rings: number;
  ticker: number;
  routes: number;
  routeLabels: number;
  staff: number;
  openCases: number;
  lastMessageId: number;
  stream: string;
}

async function sample(page: Page, cdp: CDPSession, t0: number): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  const wall = await page.evaluate(() => {
    const w = window.__gezhiWall!;
    return {
      layers: w.layerCount(), rings: w.rings(), ticker: w.tickerItems(), routes: w.routes(), routeLabels: w.placedLabels().routes, staff: w.staff(),
      openCases: w.openCases(), lastMessageId: Number(w.lastMessageId() || 0), stream: w.streamStatus(),
    };
  });
  return {
    t: Math.round((Date.now() - t0) / 1000),
    heapUsedMB: Math.round((heap.usedSize / 1048576) * 100) / 100,
    heapTotalMB: Math.round((heap.totalSize / 1048576) * 100) / 100,
    nodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    ...wall,
  };
}

async function main(): Promise<void> {
  ensureBuild();
  const tmp = join(ROOT, 'tests', '.tmp');
  mkdirSync(tmp, { recursive: true });
  const port = await freePort();
  const db = join(tmp, `soak-${process.pid}.db`);
  const source = args.db ?? [join(tmp, 'seeded.db'), join(ROOT, 'data', 'gezhi.db')].find((f) => existsSync(f));
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  if (source) copyFileSync(source, db);
  // The simulator acts from an admin token; the wall opens with a display token, as a screen's link carries it.
  const handle = openDatabase(db);
  const adminToken = benchToken(handle, { role: 'admin' });
  const wallToken = benchToken(handle, { role: 'wall' });
  handle.close();
  log(`database: ${source ? `copy of ${source}` : 'fresh seed'}; port ${port}`);

  const url = `http://127.0.0.1:${port}`;
  const server = spawnLogged('server', 'npx', ['tsx', 'server/main.ts'], { PORT: String(port), GEZHI_DB: db, GEZHI_SIMULATE: '0' });
  let simulator: ReturnType<typeof spawnLogged> | undefined;
  const browser = await launchBrowser();
  const cleanup = () => {
    killGroup(simulator?.child);
    killGroup(server.child);
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/api/health`)).ok) break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`server did not start:\n${server.tail()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    simulator = spawnLogged('simulator', 'npx', ['tsx', 'scripts/cli.ts', 'simulate', '--url', url, '--speed', args.speed!, '--seed', '7', '--token', adminToken], {});

    const page = await browser.newPage({ viewport: { width: Number(args.width), height: Number(args.height) }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${url}/wall?kiosk=1&fps=${args.fps}&token=${wallToken}`);
    await page.waitForFunction(() => window.__gezhiWall?.ready() === true, undefined, { timeout: 180_000, polling: 500 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const t0 = Date.now();
    log(`wall ready; warming up ${WARMUP_S} s`);
    await page.waitForTimeout(WARMUP_S * 1000);
    const base = await sample(page, cdp, t0);
    log(`after warm-up: heap ${base.heapUsedMB} MB, ${base.nodes} DOM nodes, ${base.layers} layers, last message ${base.lastMessageId}`);
    const samples: Sample[] = [base];
    for (let m = 1; m <= MINUTES; m++) {
      await page.waitForTimeout(60_000);
      const s = await sample(page, cdp, t0);
      samples.push(s);
      log(`minute ${m}: heap ${s.heapUsedMB} MB, ${s.nodes} nodes, ${s.layers} layers, rings ${s.rings}, ticker ${s.ticker}, routes ${s.routes} (${s.routeLabels} labelled), open ${s.openCases}, staff ${s.staff}, messages ${s.lastMessageId - base.lastMessageId}, stream ${s.stream}`);
    }
    const end = samples[samples.length - 1];
    // The wall as it stands after the soak, to be looked at (busy routes, labels, ticker).
    await page.screenshot({ path: artifactPath('soak-wall-end.png') });
    const heapRatio = end.heapUsedMB / base.heapUsedMB;
    const nodeRatio = end.nodes / base.nodes;
    const messages = end.lastMessageId - base.lastMessageId;
    const ok = Math.abs(heapRatio - 1) <= TOLERANCE && Math.abs(nodeRatio - 1) <= TOLERANCE && end.layers === base.layers;
    const result = {
      date: new Date().toISOString(),
      viewport: `${args.width}x${args.height}`,
      simulatorSpeed: Number(args.speed),
      warmupSeconds: WARMUP_S,
      soakMinutes: MINUTES,
      tolerance: TOLERANCE,
      messagesDuringSoak: messages,
      heap: { afterWarmupMB: base.heapUsedMB, endMB: end.heapUsedMB, ratio: Math.round(heapRatio * 1000) / 1000, maxMB: Math.max(...samples.map((s) => s.heapUsedMB)) },
      domNodes: { afterWarmup: base.nodes, end: end.nodes, ratio: Math.round(nodeRatio * 1000) / 1000, max: Math.max(...samples.map((s) => s.nodes)) },
      layers: { afterWarmup: base.layers, end: end.layers },
      consoleErrors: errors.slice(0, 20),
      pass: ok,
      samples,
    };
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench-results', 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(`heap ${base.heapUsedMB} → ${end.heapUsedMB} MB (×${result.heap.ratio}), DOM nodes ${base.nodes} → ${end.nodes} (×${result.domNodes.ratio}), ${messages} live messages: ${ok ? 'PASS' : 'FAIL'} (±${TOLERANCE * 100}%)`);
    if (messages < 50) log(`warning: only ${messages} live messages during the soak — was the simulator running?\n${simulator.tail()}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    cleanup();
    await new Promise((r) => setTimeout(r, 1500));
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
