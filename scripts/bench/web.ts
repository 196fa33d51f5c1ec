/**
 * Web bench: the production bundle's size (raw and gzipped: the main JS entry and every asset together) and the
 * time from navigation to the first full map render (style, basemap layers, blocks and events loaded, map idle) in
 * headless Chromium with software WebGL, over the app started the way `npm start` does.
 *
 * GEZHI_BENCH_DB: a seeded database to copy (otherwise tests/.tmp/seeded.db when present, else a fresh seed).
 * GEZHI_BENCH_WEB_RUNS: page loads to time (default 5); each uses a fresh browser context, so nothing is cached.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST, ensureBuild, launchBrowser, ROOT, signIn, startApp, waitForMap } from '../../tests/browser/harness.ts';
import { median, round, type BenchResult } from './util.ts';

const RUNS = Number(process.env.GEZHI_BENCH_WEB_RUNS ?? 5);
const VIEWPORT = { width: 1280, height: 800 };
const WALL_VIEWPORT = { width: 1920, height: 1080 };
const GOAL_FIRST_RENDER_MS = 4000;
const GOAL_MAIN_GZIP_BYTES = 1.5 * 1024 * 1024;

function gzipBytes(buf: Buffer): number {
  return gzipSync(buf, { level: 9 }).length;
}

/** Sizes of the built entry script (from index.html) and of all built assets. */
function bundleSizes(): Record<string, number> {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const entry = html.match(/<script[^>]+type="module"[^>]+src="\/?([^"]+)"/)?.[1];
  if (!entry) throw new Error('No module entry script in dist/web/index.html');
  const main = readFileSync(join(DIST, entry));
  let totalBytes = 0;
  let totalGzipBytes = 0;
  const assets = join(DIST, 'assets');
  for (const name of readdirSync(assets)) {
    if (!/\.(js|css)$/.test(name)) continue;
    const buf = readFileSync(join(assets, name));
    totalBytes += buf.length;
    totalGzipBytes += gzipBytes(buf);
  }
  return { mainJsBytes: main.length, mainJsGzipBytes: gzipBytes(main), totalBytes, totalGzipBytes };
}

export async function benchWeb(): Promise<{ name: string; results: Record<string, number> }> {
  ensureBuild();
  const sizes = bundleSizes();
  const fallback = join(ROOT, 'tests', '.tmp', 'seeded.db');
  const seededDb = process.env.GEZHI_BENCH_DB ?? (existsSync(fallback) && statSync(fallback).size > 0 ? fallback : undefined);
  const app = await startApp({ seededDb });
  // The wall as a screen opens it: its link carries a display token (made on the server's copy of the database).
  const wallToken = app.as('wall').token;
  const browser = await launchBrowser();
  const firstRender: number[] = [];
  const loadToIdle: number[] = [];
  const wallRender: number[] = [];
  let blocks = 0;
  let events = 0;
  try {
    // One warm-up load (the server's first responses build its caches), then the timed ones.
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
      await signIn(context, app.url, 'leader'); // the session cookie, before the clock starts
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(app.url);
      const ms = await waitForMap(page);
      const wall = Date.now() - started;
      if (i > 0) {
        firstRender.push(ms);
        loadToIdle.push(wall);
      }
      blocks = await page.evaluate(() => window.__gezhi!.blockCount());
      events = await page.evaluate(() => window.__gezhi!.eventCount());
      await context.close();
    }
    // The wall, as the command centre opens it (kiosk link, all layers, live stream), at 1920×1080: from
    // navigation until every layer has its data and the map is idle (section.wall[data-ready=true]).
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ viewport: WALL_VIEWPORT, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(`${app.url}/wall?kiosk=1&token=${wallToken}`);
      await page.locator('section.wall[data-ready="true"]').waitFor({ timeout: 60_000 });
      if (i > 0) wallRender.push(Date.now() - started);
      await context.close();
    }
  } finally {
    await browser.close();
    await app.stop();
  }
  return {
    name: 'web',
    results: {
      wallFirstRenderMsMin: Math.min(...wallRender),
      wallFirstRenderMsMedian: round(median(wallRender), 0),
      wallFirstRenderMsMax: Math.max(...wallRender),
      ...sizes,
      firstRenderMsMin: Math.min(...firstRender),
      firstRenderMsMedian: round(median(firstRender), 0),
      firstRenderMsMax: Math.max(...firstRender),
      gotoToReadyMsMedian: round(median(loadToIdle), 0),
      runs: firstRender.length,
      blocks,
      events,
    },
  };
}

/** `npm run bench` module: the figures above with the goals (first render < 4 s, main bundle < 1.5 MB gzipped). */
export async function runWebBench(): Promise<BenchResult> {
  const { name, results } = await benchWeb();
  return {
    name,
    description: `production build; first full render of the overview map and of /wall (1920×1080) in headless Chromium (SwiftShader), median of ${results.runs} cold loads each, ${results.blocks} blocks, ${results.events} open events`,
    metrics: results,
    checks: [
      {
        name: 'first render median < 4 s',
        pass: results.firstRenderMsMedian < GOAL_FIRST_RENDER_MS,
        detail: `${results.firstRenderMsMedian} ms`,
      },
      {
        name: 'first full wall render median < 4 s',
        pass: results.wallFirstRenderMsMedian < GOAL_FIRST_RENDER_MS,
        detail: `${results.wallFirstRenderMsMedian} ms`,
      },
      {
        name: 'main bundle < 1.5 MB gzipped',
        pass: results.mainJsGzipBytes < GOAL_MAIN_GZIP_BYTES,
        detail: `${results.mainJsGzipBytes} bytes`,
      },
    ],
  };
}
