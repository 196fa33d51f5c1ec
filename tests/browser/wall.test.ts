/**
 * The command wall in a real browser: all layers at 3840×2160 and 1920×1080 (screenshots in tests/artifacts), a
 * report POSTed to the API on the wall within 2 s, and the stale indicator when the server goes away, recovering by
 * itself when it comes back on the same port and database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ROUTE_COLOR, WALL_LAYER_IDS } from '../../web/map/wall-layers';
import { dayLabel, shanghaiDay } from '../../web/views/wall/day-label';
import { blockPlaces, type BlockPlace } from '../helpers/seeded';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { SYSTEM_CALLER } from '../../server/domain/principal.ts';
import { createAccounts } from '../../server/services/accounts.ts';
import { postAs, signedIn, type Who } from '../helpers/signed-in.ts';
import { artifactPath, capture, countColour, ensureBuild, freePort, imageStats, launchBrowser, recordPage, ROOT, type PageRecord } from './harness';

/** The wall screen's display token, made on the server's database once it runs (see beforeAll). */
let TOKEN = '';
const WALL = () => `/wall?kiosk=1&tour=0&motion=0&window=30d&token=${TOKEN}`;
let db: Db;
/** API calls beside the wall, with tokens made on the server's database. */
const as = (who: Who) => signedIn({ url: server.url, db }, who);
// The seeded history ends at the seed time; the 7-day window (the default) always reaches into it.

/** A server we can kill and start again on the same port and database file (the harness's app deletes its copy). */
class Server {
  child: ChildProcess | null = null;
  log = '';
  constructor(readonly port: number, readonly db: string) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn('npx', ['tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(this.port), GEZHI_DB: this.db, GEZHI_SIMULATE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.log = (this.log + d.toString()).slice(-20_000)));
    this.child.stderr?.on('data', (d: Buffer) => (this.log = (this.log + d.toString()).slice(-20_000)));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`server exited:\n${this.log}`);
      try {
        if ((await fetch(`${this.url}/api/health`)).ok) return;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`server did not start:\n${this.log}`);
  }
  /** Kills the whole process group at once (a crash, not a graceful stop). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    this.child = null;
  }
}

let server: Server;

/**
 * The server caches index.html from its first request; if the web build was rebuilt since (the build in this tree
 * is shared), that page names assets that no longer exist. Restart the server then, so the test sees the build.
 */
async function ensureFreshIndex(): Promise<void> {
  const html = await (await fetch(`${server.url}/wall`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const missing = await Promise.all(assets.map(async (a) => (await fetch(`${server.url}${a}`, { method: 'HEAD' })).status === 404));
  if (missing.some(Boolean)) {
    await server.kill();
    await server.start();
  }
}
let browser: Browser;
let dbFile: string;
const records: PageRecord[] = [];

async function openWall(viewport: { width: number; height: number }, path = WALL()): Promise<{ page: Page; record: PageRecord; auth: string[] }> {
  // A screen is configured by its link: every wall page carries the display token.
  if (!path.includes('token=')) path += `${path.includes('?') ? '&' : '?'}token=${TOKEN}`;
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1, locale: 'zh-CN' });
  const record = recordPage(page);
  records.push(record);
  const auth: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/api/')) auth.push(`${new URL(req.url()).pathname} ${req.headers()['authorization'] ?? '-'}`);
  });
  await ensureFreshIndex();
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(() => window.__gezhiWall?.ready() === true, undefined, { timeout: 90_000, polling: 200 });
  return { page, record, auth };
}

/**
 * Reports a case at a building, files it and dispatches it to the top candidate, all through the API, the way a
 * dispatcher does: the seeded history has no responder on the way, and the wall's route layers need one to draw.
 */
async function dispatchCase(p: BlockPlace): Promise<number> {
  const send = async <T = { id: number }>(path: string, body: unknown, status: number): Promise<T> => {
    const res = await postAs({ url: server.url, db }, 'integration')(path, body);
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(status);
    return (await res.json()) as T;
  };
  const staff = (await (await as('wall')(`/api/staff?role=centre-staff&subdistrict=${p.subdistrict}`)).json()) as { items: { id: number; unit?: { key: string } }[] };
  const dispatcher = staff.items.find((s) => s.unit?.key === 'guidance');
  expect(dispatcher, `a guidance-centre dispatcher in ${p.subdistrict}`).toBeTruthy();
  const ev = await send('/api/events', { category: '0102', text: '路边有暴露垃圾', lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' }, 201);
  await send(`/api/events/${ev.id}/transitions`, { to: 'filed', actor: dispatcher!.id }, 200);
  const { route } = await send<{ route: { id: number } }>(`/api/events/${ev.id}/dispatch`, { actor: dispatcher!.id }, 200);
  return route.id;
}

beforeAll(async () => {
  ensureBuild();
  const tmp = join(ROOT, 'tests', '.tmp');
  mkdirSync(tmp, { recursive: true });
  dbFile = join(tmp, `wall-${process.pid}.db`);
  copyFileSync(inject('seededDb'), dbFile);
  server = new Server(await freePort(), dbFile);
  await server.start();
  db = openDatabase(dbFile);
  TOKEN = createAccounts(db).createToken({ role: 'wall', label: '指挥中心大屏（测试）' }, SYSTEM_CALLER).token;
  const seeded = new Database(inject('seededDb'), { readonly: true });
  const places = blockPlaces(seeded);
  seeded.close();
  // Two responders on the way, in different parts of the district.
  for (const p of [places[40], places[places.length - 60]]) await dispatchCase(p);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.kill();
  db?.close();
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
});

/** Events the API has in the last `days` days (all pages). */
async function eventsInLast(days: number): Promise<number> {
  const from = new Date(Date.now() - days * 86_400_000).toISOString();
  let n = 0;
  let cursor: string | null = null;
  do {
    const res = await as('wall')(`/api/events?from=${encodeURIComponent(from)}&limit=5000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const page = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

async function expectAllLayers(page: Page, windowDays: number): Promise<void> {
  const ids = await page.evaluate(() => window.__gezhiWall!.layerIds());
  expect(ids).toEqual(expect.arrayContaining(Object.values(WALL_LAYER_IDS)));
  const counts = await page.evaluate(() => {
    const w = window.__gezhiWall!;
    return { heat: w.heatPoints(), hotspots: w.hotspots(), open: w.openCases(), staff: w.staff(), ticker: w.tickerItems() };
  });
  // The heatmap holds the window's events, as many as the API lists (± a few at the window's moving edges).
  const expected = await eventsInLast(windowDays);
  expect(expected, 'the seeded history reaches into the window').toBeGreaterThan(0);
  expect(Math.abs(counts.heat - expected), `heatmap points ${counts.heat} vs ${expected} from the API`).toBeLessThanOrEqual(3);
  expect(counts.hotspots, 'hotspots').toBeGreaterThan(0);
  expect(counts.open, 'open cases').toBeGreaterThan(0);
  expect(counts.staff, 'staff positions').toBeGreaterThan(0);
  expect(counts.ticker, 'ticker rows').toBeGreaterThan(0);
  expect(await page.evaluate(() => window.__gezhiWall!.routes()), 'dispatch routes under way').toBeGreaterThanOrEqual(2);
}

/**
 * Every KPI cell shows a figure in large type, or, for a rate or median with nothing to measure yet today, words
 * that say so: never the bare placeholder dash once the figures are in.
 */
async function expectKpis(page: Page, minPx: number): Promise<void> {
  const cells = page.locator('.wall-kpi');
  expect(await cells.count()).toBe(6);
  await expect.poll(() => page.locator('.wall-kpi[data-kpi="reports"] .wall-kpi-value').textContent(), { timeout: 10_000 }).toMatch(/\d/);
  const size = await page.locator('.wall-kpi-value').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(minPx);
  const values = await page.locator('.wall-kpi').evaluateAll((els) =>
    els.map((el) => ({ kpi: (el as HTMLElement).dataset.kpi, text: el.querySelector('.wall-kpi-value')?.textContent ?? '', empty: !!el.querySelector('.wall-kpi-value.empty') })),
  );
  for (const v of values) {
    expect(v.text, `KPI ${v.kpi}`).not.toBe('—');
    if (v.empty) expect(['onTime', 'response'], `only a rate or a median may be empty (${v.kpi})`).toContain(v.kpi);
    else expect(v.text, `KPI ${v.kpi}`).toMatch(/\d/);
  }
}

/** Ticker rows from before today sit under day headings ("昨天", "11月24日"), one per earlier day, in order. */
async function expectTickerDays(page: Page): Promise<void> {
  const { times, now } = await page.evaluate(() => ({ times: window.__gezhiWall!.tickerTimes(), now: Date.now() }));
  const expected: string[] = [];
  times.forEach((at, i) => {
    const label = dayLabel(at, now, 'zh-CN');
    if (label && (i === 0 || shanghaiDay(times[i - 1]) !== shanghaiDay(at))) expected.push(label);
  });
  expect(await page.locator('.wall-ticker-day').allTextContents()).toEqual(expected);
}

/**
 * Each responder on the way has its ETA label on the map (placed with the hotspot labels, none hidden under
 * another), and around the first route the route colour really reaches the screen: line, moving head and label.
 */
async function expectRoutesInSight(page: Page): Promise<void> {
  const active = (await (await as('wall')('/api/routes/active')).json()) as { items: { coordinates: [number, number][] }[] };
  expect(active.items.length).toBeGreaterThanOrEqual(2);
  const placed = await page.evaluate(() => window.__gezhiWall!.placedLabels());
  expect(placed.routes, 'route ETA labels on the map').toBe(active.items.length);
  expect(placed.hotspots, 'hotspot labels on the map').toBeGreaterThan(0);
  const [lon, lat] = active.items[0].coordinates.at(-1)!;
  const end = await page.evaluate(([x, y]) => window.__gezhiWall!.screenPoint(x, y), [lon, lat] as const);
  const clip = { x: Math.max(0, end.x - 240), y: Math.max(0, end.y - 160), width: 480, height: 320 };
  const png = await capture(page, { path: artifactPath('wall-route.png'), clip });
  const cyan = await countColour(page, png, [ROUTE_COLOR[0], ROUTE_COLOR[1], ROUTE_COLOR[2]], 40);
  expect(cyan, 'route-coloured pixels near the route').toBeGreaterThan(150);
}

/** The HTML map labels move with the map: dragged by hand, a hotspot label moves exactly as the ground beneath it. */
async function expectLabelsFollowTheMap(page: Page): Promise<void> {
  const label = page.locator('.wall-hotspot-label').first();
  const ground = () => page.evaluate(() => window.__gezhiWall!.screenPoint(112.9, 27.88));
  const [box0, p0] = [await label.boundingBox(), await ground()];
  expect(box0, 'a hotspot label on the map').not.toBeNull();
  const canvas = (await page.locator('.wall-canvas').boundingBox())!;
  const [x, y] = [canvas.x + canvas.width * 0.6, canvas.y + canvas.height * 0.4];
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x - 12 * i, y - 8 * i);
  await page.waitForTimeout(300); // at rest before release: no inertia
  await page.mouse.up();
  await page.waitForTimeout(800);
  const [box1, p1] = [await label.boundingBox(), await ground()];
  expect(Math.hypot(p1.x - p0.x, p1.y - p0.y), 'the map moved').toBeGreaterThan(100);
  expect(Math.abs(box1!.x - box0!.x - (p1.x - p0.x)), 'label x follows the map').toBeLessThan(2);
  expect(Math.abs(box1!.y - box0!.y - (p1.y - p0.y)), 'label y follows the map').toBeLessThan(2);
}

describe('wall', () => {
  test('3840×2160 kiosk: every layer, big figures, no header, the token on every API call', async () => {
    const { page, auth } = await openWall({ width: 3840, height: 2160 });
    await expectAllLayers(page, 30);
    await expectKpis(page, 100); // 60 design px × 2 at 4K
    await expectTickerDays(page);
    expect(await page.locator('.app-header').isVisible()).toBe(false);
    expect(await page.locator('.wall-hotspot-list li').count()).toBeGreaterThan(0);
    await page.waitForTimeout(1500);
    const png = await capture(page, { path: artifactPath('wall-4k.png') });
    const stats = await imageStats(page, await capture(page.locator('.wall-canvas canvas')));
    expect(stats.std, 'map canvas is flat').toBeGreaterThan(10);
    expect(stats.distinct).toBeGreaterThan(200);
    expect(png.length).toBeGreaterThan(100_000);
    expect(auth.length).toBeGreaterThan(5);
    // Every request of the wall carries the token (/api/health is the app shell's demo badge, not the wall's;
    // /api/session is the shell exchanging the token for the screen's display session).
    expect(auth.filter((a) => !a.endsWith(`Bearer ${TOKEN}`) && !a.startsWith('/api/health ') && !a.startsWith('/api/session '))).toEqual([]);
    expect(auth.some((a) => a.startsWith('/api/stream'))).toBe(true);
    await page.close();
  });

  test('1920×1080: the same wall scaled down, with the navigation header outside kiosk mode', async () => {
    const { page } = await openWall({ width: 1920, height: 1080 }, '/wall?tour=0&motion=0');
    await expectAllLayers(page, 7);
    await expectKpis(page, 50);
    await expectTickerDays(page);
    expect(await page.locator('.app-header').isVisible()).toBe(true);
    await page.waitForTimeout(1500);
    await capture(page, { path: artifactPath('wall-1080.png') });
    const stats = await imageStats(page, await capture(page.locator('.wall-canvas canvas')));
    expect(stats.std).toBeGreaterThan(10);
    await expectRoutesInSight(page);
    await expectLabelsFollowTheMap(page);
    await page.close();
  });

  test('a report POSTed to the API shows on the wall within 2 s; the server going away shows the stale indicator, its return clears it', async () => {
    const { page } = await openWall({ width: 1920, height: 1080 });
    await page.waitForFunction(() => window.__gezhiWall!.streamStatus() === 'live', undefined, { timeout: 20_000 });
    const blocks = (await (await as('wall')('/api/blocks')).json()) as { features: { properties: { code: string } }[] };
    const code = blocks.features[100].properties.code;
    const detail = (await (await as('wall')(`/api/blocks/${code}`)).json()) as { center: [number, number] };

    const report = async (text: string): Promise<{ id: number; ms: number }> => {
      const t0 = Date.now();
      const res = await as('integration')('/api/events', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ category: '0102', text, lon: detail.center[0], lat: detail.center[1], channel: 'patrol', kind: 'incident' }),
      });
      expect(res.status).toBe(201);
      const id = Number(((await res.json()) as { id: number }).id);
      await page.waitForFunction((eid) => window.__gezhiWall!.tickerIds().includes(eid) && window.__gezhiWall!.rings() > 0, id, { timeout: 2_000, polling: 50 });
      return { id, ms: Date.now() - t0 };
    };

    const first = await report('测试：路边暴露垃圾（大屏测试）');
    console.log(`report → wall ticker + ring: ${first.ms} ms`);
    expect(first.ms).toBeLessThan(2_000);
    await expect.poll(() => page.locator(`.wall-ticker li[data-event-id="${first.id}"]`).count()).toBe(1);
    expect(await page.locator(`.wall-ticker li[data-event-id="${first.id}"]`).textContent()).toContain('暴露垃圾');
    await capture(page, { path: artifactPath('wall-new-report.png') });

    // The server goes away: the indicator within 10 s, with the last message time.
    const lastId = await page.evaluate(() => window.__gezhiWall!.lastMessageId());
    const syncsBefore = await page.evaluate(() => window.__gezhiWall!.syncs());
    const killedAt = Date.now();
    await server.kill();
    await page.locator('[data-testid="wall-stale"]').waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`stale indicator after ${Date.now() - killedAt} ms`);
    expect(await page.locator('[data-testid="wall-stale"]').textContent()).toMatch(/数据中断.*最后消息 \d\d:\d\d:\d\d/);
    await capture(page, { path: artifactPath('wall-stale.png') });

    // It comes back on the same port and database: the wall recovers without a reload and carries on.
    await server.start();
    const restartedAt = Date.now();
    await page.waitForFunction(() => window.__gezhiWall!.streamStatus() === 'live', undefined, { timeout: 45_000, polling: 200 });
    console.log(`recovered ${Date.now() - restartedAt} ms after the server answered again`);
    await page.locator('[data-testid="wall-stale"]').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    // After a recovery the wall refetches everything once (what it missed beyond the stream); then it is steady.
    await page.waitForFunction((n) => window.__gezhiWall!.syncs() > n, syncsBefore, { timeout: 30_000 });
    const second = await report('测试：恢复后上报（大屏测试）');
    expect(second.ms).toBeLessThan(2_000);
    expect(Number(await page.evaluate(() => window.__gezhiWall!.lastMessageId()))).toBeGreaterThan(Number(lastId));
    await page.close();
  });

  test('no console errors', () => {
    // Failed requests while the server was down are expected network errors, not application errors.
    const errors = records.flatMap((r) => r.errors).filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|net::/.test(e));
    expect(errors).toEqual([]);
  });
});
