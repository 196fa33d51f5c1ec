/**
 * The leaders' insight view (/insight) end to end over the seeded district: the Gi* map draws its bins with the
 * legend, the ranking lists problem blocks with their teams; changing the category filter changes both; a click
 * on a ranked block opens its drill-down. Screenshots go to tests/artifacts/insight-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { artifactPath, capture, countColour, ensureBuild, launchBrowser, recordPage, signIn, startApp, type PageRecord, type RunningApp } from './harness';

const VIEWPORT = { width: 1440, height: 900 };
/** Hot spot at 99 % (BIN_COLORS[3], drawn at alpha 215 over a light basemap: close to this). */
const HOT_99: [number, number, number] = [218, 62, 52];

let app: RunningApp;
let browser: Browser;
let page: Page;
let record: PageRecord;

async function waitForMap(): Promise<void> {
  await page.waitForFunction(() => window.__gezhiInsight?.ready() === true && window.__gezhiInsight.unitCount() > 0, undefined, { timeout: 120_000, polling: 200 });
}

const bins = () => page.evaluate(() => window.__gezhiInsight!.bins());
const rankedCodes = () => page.$$eval('[data-testid="insight-ranking"] tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.code ?? ''));

beforeAll(async () => {
  ensureBuild();
  app = await startApp({ seededDb: inject('seededDb') });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN' });
  await signIn(context, app.url, 'leader');
  page = await context.newPage();
  record = recordPage(page);
  await page.goto(`${app.url}/insight?lang=zh-CN`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('/insight', () => {
  let before: { bins: Record<string, number>; codes: string[] };

  test('shows the Gi* map with its legend and the ranked problem blocks with their teams', async () => {
    await waitForMap();
    await page.waitForSelector('[data-testid="insight-ranking"] tbody tr', { timeout: 60_000 });
    const b = await bins();
    expect(await page.evaluate(() => window.__gezhiInsight!.unitCount())).toBe(667);
    expect(b['3'] ?? 0).toBeGreaterThan(0);
    const codes = await rankedCodes();
    expect(codes.length).toBe(30);
    const first = page.locator('[data-testid="insight-ranking"] tbody tr').first();
    await expect.poll(() => first.innerText()).toMatch(/治理员 \S+/);
    expect(await first.innerText()).toMatch(/监督员 \S+/);
    expect(await page.locator('[data-testid="insight-legend"]').innerText()).toContain('热点 99%');
    expect(await page.locator('[data-testid="insight-compare"]').innerText()).toContain('本年至今');
    await expect.poll(() => page.locator('[data-testid="insight-clusters"]').innerText(), { timeout: 60_000 }).toMatch(/当前超期 \d+ 件/);
    const png = await capture(page, { path: artifactPath('insight-all.png') });
    const mapBox = (await page.locator('.insight-mapwrap').boundingBox())!;
    const mapPng = await capture(page, { clip: mapBox });
    expect(await countColour(page, mapPng, HOT_99, 30), 'hot-spot red pixels on the map').toBeGreaterThan(200);
    expect(png.length).toBeGreaterThan(50_000);
    before = { bins: b, codes };
  }, 240_000);

  test('changing the category filter changes the map and the ranking', async () => {
    await page.selectOption('[data-testid="insight-major"]', '05');
    await page.waitForFunction(
      (prev) => {
        const h = window.__gezhiInsight;
        return !!h && h.ready() && JSON.stringify(h.bins()) !== prev;
      },
      JSON.stringify(before.bins),
      { timeout: 120_000, polling: 200 },
    );
    await expect.poll(async () => (await rankedCodes()).join(','), { timeout: 60_000 }).not.toBe(before.codes.join(','));
    const after = { bins: await bins(), codes: await rankedCodes() };
    expect(after.bins).not.toEqual(before.bins);
    expect(after.codes.slice(0, 10)).not.toEqual(before.codes.slice(0, 10));
    await capture(page, { path: artifactPath('insight-category-05.png') });
  }, 240_000);

  test('a click on a ranked block opens its drill-down: timeline, categories, cases', async () => {
    await page.locator('[data-testid="insight-ranking"] tbody tr').first().click();
    const drill = page.locator('[data-testid="insight-drill"]');
    await drill.waitFor({ timeout: 60_000 });
    await expect.poll(() => drill.innerText(), { timeout: 60_000 }).toContain('最近案件');
    expect(await drill.locator('.insight-timeline .bar').count()).toBeGreaterThan(6);
    expect(await drill.locator('.insight-recent li').count()).toBeGreaterThan(0);
    await capture(page, { path: artifactPath('insight-drill.png') });
    expect(record.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 240_000);

  test('hexagons: the same map over H3 cells, in English', async () => {
    await page.locator('[data-testid="insight-drill"] button').click();
    await page.selectOption('[data-testid="insight-unit"]', 'h3');
    await page.waitForFunction(() => {
      const h = window.__gezhiInsight;
      return !!h && h.ready() && h.unitCount() > 100 && h.unitCount() !== 667;
    }, undefined, { timeout: 120_000, polling: 200 });
    await page.click('.lang-switch');
    await expect.poll(() => page.locator('[data-testid="insight-legend"]').innerText()).toContain('Hot spot, 99%');
    await page.waitForFunction(() => window.__gezhiInsight?.ready() === true, undefined, { timeout: 60_000, polling: 200 });
    await capture(page, { path: artifactPath('insight-h3-en.png') });
    expect(record.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 240_000);
});
