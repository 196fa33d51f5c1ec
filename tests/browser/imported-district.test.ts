/**
 * A district imported from files alone — no seed: 岳塘区's blocks from a GBK Shapefile in CGCS2000 Gauss-Kruger,
 * its 1+N+1 roster from CSV, its cases from a hotline CSV export — served by the real server, GEZHI_SIMULATE unset.
 * Every view (overview, wall, insight, review) must draw that district at its own extent (east of the demo's), with
 * no errors, and the demo simulator must stay off. Screenshots go to tests/artifacts/imported-*.png.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { openDatabase } from '../../server/db/database.ts';
import { boundaryFilesAt, importBoundaries } from '../../server/import/boundaries.ts';
import { importEvents } from '../../server/import/events.ts';
import { parseMapping } from '../../server/import/mapping.ts';
import { importRoster } from '../../server/import/roster.ts';
import { artifactPath, capture, ensureBuild, imageStats, launchBrowser, recordPage, signIn, startApp, waitForMap, type PageRecord, type RunningApp } from './harness';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'boundaries');
const VIEWPORT = { width: 1280, height: 800 };
const EVENTS = 600;
/** 岳塘区's extent (WGS-84): the views must open on it, not on the demo district further west. */
const EXTENT = { west: 112.87, south: 27.79, east: 113.09, north: 28.0 };

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
const records: PageRecord[] = [];

async function api<T>(path: string): Promise<T> {
  const res = await context.request.get(`${app.url}${path}`);
  expect(res.ok(), `${path} → ${res.status()}`).toBe(true);
  return (await res.json()) as T;
}

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  records.push(recordPage(page));
  await page.goto(`${app.url}${path}`);
  return page;
}

/** Builds the database from the fixture files and a generated hotline export of the last four months. */
async function buildDistrict(dir: string): Promise<string> {
  const file = join(dir, 'yuetang.db');
  const db = openDatabase(file);
  const now = Date.now();
  await importBoundaries(db, boundaryFilesAt(join(FIXTURES, 'yuetang-blocks-4547-gbk.zip')), {
    level: 'block', fields: { code: '区块编码', name: '区块名称', residents: '人口', households: '户数' },
    parentNameFields: { community: '社区', subdistrict: '街道' }, districtName: '岳塘区', now: now - 200 * 86_400_000,
  });
  await importRoster(db, { name: 'roster.csv', bytes: readFileSync(join(FIXTURES, 'yuetang-roster.csv')) }, { now: now - 100 * 86_400_000 });
  const points = db.prepare(`SELECT lon, lat FROM buildings ORDER BY id`).all() as { lon: number; lat: number }[];
  const names = ['占道经营', '垃圾满溢', '噪音扰民', '井盖缺失', '违规停车'];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const iso = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
  const lines = ['id,category,created,closed,status,lat,lon,text'];
  for (let i = 1; i <= EVENTS; i++) {
    // Cases pile up in a few blocks, as real ones do: a hot spot for insight to find.
    const p = points[rnd() < 0.3 ? Math.floor(rnd() * 40) : Math.floor(rnd() * points.length)];
    const created = now - Math.floor(rnd() * 120 * 86_400_000) - 3_600_000;
    const closed = rnd() < 0.75 ? Math.min(now - 60_000, created + Math.floor(rnd() * 4 * 86_400_000)) : null;
    const name = names[i % names.length];
    lines.push(`YT${i},${name},${iso(created)},${closed === null ? '' : iso(closed)},${closed === null ? '处理中' : '已办结'},${p.lat.toFixed(6)},${p.lon.toFixed(6)},"${name}，第${i}件"`);
  }
  const csv = join(dir, 'hotline.csv');
  writeFileSync(csv, '\uFEFF' + lines.join('\r\n') + '\r\n');
  const codes = TAXONOMY.categories.map((c) => c.code);
  const s = await importEvents(db, csv, parseMapping({
    source: 'yt-12345',
    columns: { id: 'id', category: 'category', created: 'created', closed: 'closed', status: 'status', latitude: 'lat', longitude: 'lon', text: 'text' },
    timestampFormats: ['ISO'],
    categories: Object.fromEntries(names.map((n, i) => [n, codes[i * 7 % codes.length]])),
    statuses: { 已办结: 'closed', 处理中: 'dispatched' },
  }), { reportFile: null });
  expect(s.imported).toBe(EVENTS);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

beforeAll(async () => {
  ensureBuild();
  const file = await buildDistrict(mkdtempSync(join(tmpdir(), 'gezhi-imported-')));
  app = await startApp({ seededDb: file, env: { GEZHI_SIMULATE: undefined } });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN' });
  await signIn(context, app.url, 'admin');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('a district imported from files alone', () => {
  test('the server serves it as it is: not the demo, its own blocks, layers marked imported', async () => {
    const health = await api<{ demo: boolean; blocks: number; events: number }>('/api/health');
    expect(health).toMatchObject({ demo: false, blocks: 35, events: EVENTS });
    const district = await api<{ source: string; features: { properties: { name: string } }[] }>('/api/layers/district');
    expect(district.source).toBe('imported');
    expect(district.features[0].properties.name).toBe('岳塘区');
  });

  test('overview: every block drawn, the map fitted to the district', async () => {
    const page = await open('/');
    await waitForMap(page, 120_000);
    expect(await page.evaluate(() => window.__gezhi!.blockCount())).toBe(35);
    const sw = await page.evaluate(([x, y]) => window.__gezhi!.screenPoint(x, y), [EXTENT.west, EXTENT.south]);
    const ne = await page.evaluate(([x, y]) => window.__gezhi!.screenPoint(x, y), [EXTENT.east, EXTENT.north]);
    // The district fills most of the map's height or width, and lies on screen.
    expect(Math.max(ne.x - sw.x, sw.y - ne.y)).toBeGreaterThan(VIEWPORT.height * 0.5);
    expect(sw.x).toBeGreaterThan(-50);
    expect(ne.x).toBeLessThan(VIEWPORT.width + 50);
    const png = await capture(page.locator('.map-canvas canvas'));
    expect((await imageStats(page, png)).std).toBeGreaterThan(8);
    await capture(page, { path: artifactPath('imported-overview.png') });
    await page.close();
  });

  test('wall: the district, its figures and no demo badge', async () => {
    const page = await open('/wall');
    await page.waitForFunction(() => window.__gezhiWall?.ready() === true, undefined, { timeout: 120_000, polling: 200 });
    await page.waitForTimeout(1500);
    await capture(page, { path: artifactPath('imported-wall.png') });
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
    await page.close();
  });

  test('insight: the Gi* map over the 35 blocks and the ranking', async () => {
    const page = await open('/insight?lang=zh-CN');
    await page.waitForFunction(() => window.__gezhiInsight?.ready() === true && window.__gezhiInsight.unitCount() > 0, undefined, { timeout: 120_000, polling: 200 });
    expect(await page.evaluate(() => window.__gezhiInsight!.unitCount())).toBe(35);
    await page.locator('[data-testid="insight-ranking"] tbody tr').first().waitFor({ timeout: 60_000 });
    await capture(page, { path: artifactPath('imported-insight.png') });
    await page.close();
  });

  test('review: indicators, survival curves and rankings of the imported cases', async () => {
    const page = await open('/review');
    await page.locator('[data-card="received"] .card-value').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="km"] .curve').first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="ranking"] .rank-row').first().waitFor({ timeout: 60_000 });
    const received = await page.locator('[data-card="received"] .card-value').textContent();
    expect(Number((received ?? '').replace(/[^\d]/g, ''))).toBeGreaterThan(0);
    await capture(page, { path: artifactPath('imported-review.png') });
    await page.close();
  });

  test('admin upload: the roster again through /import changes nothing and shows the row-numbered report', async () => {
    const page = await open('/import');
    await page.getByLabel('人员名册', { exact: false }).check();
    await page.getByTestId('import-file').setInputFiles(join(FIXTURES, 'yuetang-roster.xlsx'));
    await page.getByRole('button', { name: '开始导入' }).click();
    await page.getByTestId('import-result').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-key="started"]').textContent()).toBe('0');
    expect(await page.locator('[data-key="imported"]').textContent()).toBe('127');
    expect(await page.locator('.import-lines tr[data-outcome="skipped"]').count()).toBe(15);
    // Labels, outcomes and reasons in the reader's language, not the server's names.
    expect(await page.locator('.import-summary th').allTextContents()).toEqual(expect.arrayContaining(['读取行数', '无变化']));
    const reasons = await page.locator('.import-lines tr[data-outcome="skipped"] td:nth-child(4)').allTextContents();
    expect(reasons.length).toBe(15);
    expect(reasons.every((r) => /[\u4e00-\u9fff]/.test(r))).toBe(true);
    expect(await page.locator('.import-lines tr[data-outcome="skipped"] td:nth-child(3)').first().textContent()).toBe('跳过');
    await capture(page, { path: artifactPath('imported-upload.png') });
    await page.close();
  });

  test('no page logged an error, and no simulator added cases', async () => {
    expect(records.flatMap((r) => r.errors)).toEqual([]);
    const health = await api<{ events: number }>('/api/health');
    expect(health.events).toBe(EVENTS);
  });
});
