import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { bundleForPage } from '../../scripts/bench/transport.ts';
import type { GezhiColumnsTestHook } from '../../web/map/event-columns.ts';
import { launchBrowser, recordPage, signIn, startApp, type PageRecord, type RunningApp } from './harness';

/**
 * The browser side of the binary event columns, in headless Chromium against the app over the seeded demo data: the
 * page fetches /api/events/columns, decodes it and builds the deck.gl attributes through web/map/event-columns.ts
 * (bundled on the fly and loaded into a page of the app's origin, since no view imports it yet), and the result must
 * agree with /api/events JSON.
 */

type Summary = Awaited<ReturnType<GezhiColumnsTestHook['load']>>;

interface Item {
  id: number;
  status: string;
  overdue: boolean;
  category: { code: string };
  lon: number;
  lat: number;
  reportedAt: string;
}

let app: RunningApp;
let browser: Browser;
let page: Page;
let record: PageRecord;

const DAY = 86_400_000;
const seedNow = inject('seedNow');
const WINDOW = `from=${new Date(seedNow - 30 * DAY).toISOString()}&to=${new Date(seedNow).toISOString()}`;

beforeAll(async () => {
  const script = await bundleForPage(`import './web/map/event-columns.ts';`);
  app = await startApp({ seededDb: inject('seededDb') });
  browser = await launchBrowser();
  // A wall screen's session: the columns are the wall's and the overview's data.
  // The test injects its own bundle as an inline script, which the app's CSP rightly refuses: this page only, which
  // serves no app code, bypasses it (tests/browser/csp.test.ts holds the real views to the policy).
  const context = await browser.newContext({ bypassCSP: true });
  await signIn(context, app.url, 'wall');
  page = await context.newPage();
  record = recordPage(page);
  await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 })); // the JSON page asks for one
  await page.goto(`${app.url}/api/health`);
  await page.addScriptTag({ content: script });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('event columns in the browser', () => {
  test('the demo window decodes to the same events as /api/events', async () => {
    const SAMPLE = 60;
    const summary: Summary = await page.evaluate(
      ([url, n]) => window.__gezhiColumns!.load(url, n),
      [`/api/events/columns?${WINDOW}`, SAMPLE] as const,
    );
    const res = await app.as('wall')(`/api/events?limit=5000&${WINDOW}`);
    const { items, nextCursor } = (await res.json()) as { items: Item[]; nextCursor: string | null };
    expect(nextCursor).toBeNull();
    expect(summary.count).toBe(items.length);
    expect(summary.count).toBeGreaterThan(500);
    expect(summary.positionBytes).toBe(summary.count * 8); // Float32 pairs
    expect(summary.colorBytes).toBe(summary.count * 4);

    // /api/events is newest first; the columns are oldest first.
    const oldest = [...items].reverse();
    for (let i = 0; i < SAMPLE; i++) {
      const e = oldest[i];
      expect(summary.ids[i]).toBe(e.id);
      expect(summary.status[i]).toBe(e.status);
      expect(summary.overdue[i]).toBe(e.overdue);
      expect(summary.category[i]).toBe(e.category.code);
      expect(Math.abs(summary.lon[i] - e.lon)).toBeLessThanOrEqual(summary.scale[0] / 2 + 2e-6);
      expect(Math.abs(summary.lat[i] - e.lat)).toBeLessThanOrEqual(summary.scale[1] / 2 + 2e-6);
      expect(Date.parse(e.reportedAt) - summary.reportedAt[i]).toBeGreaterThanOrEqual(0);
      expect(Date.parse(e.reportedAt) - summary.reportedAt[i]).toBeLessThan(1000);
      expect(summary.colors[i][3]).toBeGreaterThan(0);
    }
    expect(record.errors).toEqual([]);
  });

  test('a problem response rejects with its detail', async () => {
    const message = await page.evaluate(() =>
      window.__gezhiColumns!.load('/api/events/columns?bbox=1,2,3', 1).then(
        () => 'resolved',
        (err: Error) => err.message,
      ),
    );
    expect(message).toMatch(/bbox/);
  });
});
