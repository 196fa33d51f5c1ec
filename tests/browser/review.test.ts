/**
 * The review (/review) in headless Chromium against the started server on a copy of the seeded database: the
 * indicator cards and charts show; changing a filter changes the figures; the replay slider moves today's case and
 * its dispatch route on the map; a CSV export downloads and reads back with its Chinese text; the monthly report
 * page renders. Screenshots go to tests/artifacts/review-*.png.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { openDatabase } from '../../server/db/database';
import { blockPlaces } from '../helpers/seeded';
import { artifactPath, capture, ensureBuild, imageStats, launchBrowser, recordPage, signIn, startApp, type PageRecord, type RunningApp } from './harness';
import type { Who } from '../helpers/signed-in.ts';

const VIEWPORT = { width: 1440, height: 1000 };
const SUBDISTRICT = '430302005'; // 广场街道

let app: RunningApp;
let browser: Browser;
let page: Page;
let record: PageRecord;
let eventId = 0;

/** Reads as an analyst, reports as an integration; a body naming an `actor` goes as that staff member. */
async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let who: Who = init?.method === 'POST' ? 'integration' : 'analyst';
  if (typeof init?.body === 'string' && init.body.includes('"actor"')) {
    const { actor, ...rest } = JSON.parse(init.body) as { actor: number };
    who = { staffId: actor };
    init = { ...init, body: JSON.stringify(rest) };
  }
  const res = await app.as(who)(path, init);
  expect(res.ok, `${init?.method ?? 'GET'} ${path} → ${res.status} ${res.ok ? '' : await res.text()}`).toBe(true);
  return (await res.json()) as T;
}
const post = <T>(path: string, body: unknown) =>
  call<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

const cardText = (key: string) => page.locator(`[data-card="${key}"] .card-value`).innerText();

beforeAll(async () => {
  ensureBuild();
  app = await startApp({ seededDb: inject('seededDb') });
  // Today's case: reported, filed and dispatched now, so the replay of today has a case and a route.
  const seeded = openDatabase(inject('seededDb'), { readonly: true });
  const place = blockPlaces(seeded).find((p) => p.subdistrict === SUBDISTRICT)!;
  seeded.close();
  const staff = (await call<{ items: { id: number; unit: { key: string } | null }[] }>(`/api/staff?role=centre-staff&subdistrict=${SUBDISTRICT}`)).items;
  const dispatcher = staff.find((s) => s.unit?.key === 'guidance')!.id;
  const ev = await post<{ id: number }>('/api/events', { category: '0102', text: '路边有暴露垃圾', lon: place.lon, lat: place.lat, channel: 'patrol', kind: 'incident' });
  eventId = ev.id;
  await post(`/api/events/${eventId}/transitions`, { to: 'filed', actor: dispatcher });
  await post(`/api/events/${eventId}/dispatch`, { actor: dispatcher, reason: '就近派遣' });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  await signIn(context, app.url, 'analyst');
  page = await context.newPage();
  record = recordPage(page);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('/review', () => {
  test('shows the indicators and charts', async () => {
    await page.goto(`${app.url}/review`);
    await page.locator('[data-card="received"] .card-value').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="km"] .curve').first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="ranking"] .rank-row').first().waitFor({ timeout: 60_000 });
    expect(Number((await cardText('received')).replace(/[^\d]/g, ''))).toBeGreaterThan(100);
    expect(await cardText('closureRate')).toMatch(/%$/);
    expect(await page.locator('[data-testid="box-natural"] .box').count()).toBe(5);
    expect(await page.locator('[data-testid="box-working"] .box').count()).toBe(5);
    expect(await page.locator('[data-testid="km"] .curve').count()).toBe(12);
    // Last month's ranking: every subdistrict has cases.
    expect(await page.locator('[data-testid="ranking"] .rank-row').count()).toBe(12);
    expect(await page.locator('[data-testid="trend"] .bar').count()).toBeGreaterThan(20);
    expect(await page.locator('h1').first().innerText()).toBe('考评复盘');
    const shot = await capture(page, { path: artifactPath('review-overview.png') });
    await page.locator('[data-testid="km"]').scrollIntoViewIfNeeded();
    await capture(page, { path: artifactPath('review-km-ranking.png') });
    expect((await imageStats(page, shot)).std).toBeGreaterThan(10);
    expect(record.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  test('changing a filter updates the figures and charts', async () => {
    const before = await cardText('received');
    const kmBefore = await page.locator('[data-testid="km"] .curve path').nth(1).getAttribute('d');
    await page.selectOption('select[data-filter="subdistrict"]', SUBDISTRICT);
    await page.waitForFunction((b) => document.querySelector('[data-card="received"] .card-value')?.textContent !== b, before, { timeout: 60_000 });
    expect(page.url()).toContain(`subdistrict=${SUBDISTRICT}`);
    const after = Number((await cardText('received')).replace(/[^\d]/g, ''));
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(Number(before.replace(/[^\d]/g, '')));
    await page.waitForFunction((d) => document.querySelectorAll('[data-testid="km"] .curve path')[1]?.getAttribute('d') !== d, kmBefore, { timeout: 60_000 });
    // The figures are the API's for the same filter.
    const expected = await call<{ indicators: { received: number } }>(`/api/review/indicators?subdistrict=${SUBDISTRICT}`);
    expect(after).toBe(expected.indicators.received);
    await capture(page, { path: artifactPath('review-filtered.png') });
  });

  test('the replay slider moves the case and its dispatch route on the map', async () => {
    const map = page.locator('[data-testid="replay-map"]');
    await map.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.__gezhiReview?.ready() === true, undefined, { timeout: 60_000 });
    // End of today: the case is on the map with its route.
    await page.waitForFunction(() => (window.__gezhiReview?.routes() ?? 0) >= 1, undefined, { timeout: 30_000 });
    const atEnd = await page.evaluate(() => ({ points: window.__gezhiReview!.points(), heads: window.__gezhiReview!.heads() }));
    expect(atEnd.points).toBeGreaterThanOrEqual(1);
    await capture(page, { path: artifactPath('review-replay-end.png') });
    // Start of the day: nothing yet.
    const slider = page.locator('[data-testid="replay-slider"]');
    await slider.fill('0');
    await page.waitForFunction(() => window.__gezhiReview!.points() === 0 && window.__gezhiReview!.routes() === 0, undefined, { timeout: 10_000 });
    expect(await page.locator('[data-testid="replay-clock"]').innerText()).toBe('00:00');
    // Just after the dispatch: the route is drawn with its responder near the start, then further along later.
    const detail = await call<{ log: { at: string; to: string }[] }>(`/api/events/${eventId}`);
    const dispatchedAt = Date.parse(detail.log.find((l) => l.to === 'dispatched')!.at);
    const midnight = Date.parse(`${new Date(dispatchedAt + 8 * 3_600_000).toISOString().slice(0, 10)}T00:00:00+08:00`);
    await slider.fill(String(Math.ceil((dispatchedAt - midnight) / 60_000) * 60_000));
    await page.waitForFunction(() => window.__gezhiReview!.routes() >= 1, undefined, { timeout: 10_000 });
    const early = await page.evaluate(() => window.__gezhiReview!.heads()[0]);
    await slider.fill(String(Math.min(86_400_000 - 60_000, Math.ceil((dispatchedAt - midnight) / 60_000) * 60_000 + 10 * 60_000)));
    await page.waitForFunction((e) => {
      const h = window.__gezhiReview!.heads()[0];
      return h && (h[0] !== e[0] || h[1] !== e[1]);
    }, early, { timeout: 10_000 });
    // Play moves the clock on by itself.
    await slider.fill('0');
    await page.click('[data-testid="replay-play"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="replay-clock"]')?.textContent !== '00:00', undefined, { timeout: 10_000 });
    await page.click('[data-testid="replay-play"]');
    // Clicking the case in the timeline form shows every log row.
    await page.fill('.timeline-form input', String(eventId));
    await page.click('.timeline-form button');
    await page.locator('[data-testid="timeline"] li').nth(2).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="timeline"] li').count()).toBe(detail.log.length);
    await slider.fill('86340000');
    await page.waitForTimeout(500);
    await capture(page.locator('.review-panel.replay'), { path: artifactPath('review-replay.png') });
  });

  test('a CSV export downloads and keeps its Chinese text', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-csv]').first().click()]);
    const file = await download.path();
    const bytes = readFileSync(file!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text).toContain('区间 interval');
    expect(text).toContain('受理 accept');
    expect(text).toContain('中位数 median');
    expect(download.suggestedFilename()).toBe('review-intervals.csv');
  });

  test('the monthly report page is printable', async () => {
    await page.goto(`${app.url}/review/report`);
    await page.locator('[data-testid="report-ranking"] .rank-row').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('.review-report h1').innerText()).toMatch(/月度考评报表/);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.app-header').isVisible()).toBe(false);
    await capture(page, { path: artifactPath('review-report.png') });
    await page.emulateMedia({ media: 'screen' });
  });
});
