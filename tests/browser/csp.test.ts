/**
 * The web app under the server's Content-Security-Policy: every view renders its map and panels with no CSP
 * violation (MapLibre's blob: workers, deck.gl's and the sprites' data:/blob: images, styles set at run time) and
 * no console error. Screenshots go to tests/artifacts/csp-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { artifactPath, capture, ensureBuild, imageStats, launchBrowser, recordPage, signIn, startApp, type RunningApp } from './harness';

const VIEWPORT = { width: 1280, height: 800 };

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** Each view and the hook its map sets once drawn (functions, not strings: a string predicate would be eval, which the CSP forbids). */
const VIEWS: { path: string; ready: () => boolean; prepare?: (page: Page) => Promise<void> }[] = [
  { path: '/', ready: () => window.__gezhi?.ready() === true },
  { path: '/wall', ready: () => window.__gezhiWall?.ready() === true },
  { path: '/ops', ready: () => window.__gezhiOps?.ready() === true },
  { path: '/insight', ready: () => window.__gezhiInsight?.ready() === true },
  { path: '/review', ready: () => document.querySelectorAll('main table, main svg').length > 0 },
  // /plan draws its map once a draft is open: start one, as a planner would.
  { path: '/plan', ready: () => window.__gezhiPlan?.ready() === true, prepare: (page) => page.click('[data-testid="plan-new"]') },
  { path: '/import', ready: () => document.querySelectorAll('main form, main input[type=file]').length > 0 },
];

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  ensureBuild();
  app = await startApp({ seededDb: inject('seededDb') });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('Content-Security-Policy', () => {
  test('the page is served with the same-origin policy', async () => {
    const res = await fetch(`${app.url}/wall`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("worker-src 'self' blob:");
  });

  test('an inline script is refused and heard (the check above can fail)', async () => {
    const page: Page = await browser.newPage({ viewport: VIEWPORT });
    try {
      await page.goto(`${app.url}/plan`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
      const heard = await page.evaluate(() => new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true';
        document.body.appendChild(s);
      }));
      expect(heard).toBe('script-src-elem');
      expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected)).toBeUndefined();
    } finally {
      await page.close();
    }
  }, 180_000);

  for (const view of VIEWS) {
    test(`${view.path} renders with no violation`, async () => {
      // Every view sits behind sign-in; the administrator may open all of them.
      const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN' });
      await signIn(context, app.url, 'admin');
      const page: Page = await context.newPage();
      const record = recordPage(page);
      await page.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__cspViolations!.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
        });
      });
      try {
        await page.goto(`${app.url}${view.path}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
        await view.prepare?.(page);
        await page.waitForFunction(view.ready, undefined, { timeout: 60_000, polling: 250 });
        await page.waitForTimeout(1500);
        const png = await capture(page, { path: artifactPath(`csp-${view.path === '/' ? 'overview' : view.path.slice(1)}.png`) });
        const violations = await page.evaluate(() => window.__cspViolations ?? []);
        expect(violations).toEqual([]);
        expect(record.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
        expect(record.errors).toEqual([]);
        // Not a blank page: the map and panels drew something.
        expect((await imageStats(page, png)).distinct).toBeGreaterThan(50);
      } finally {
        await context.close();
      }
    }, 180_000);
  }
});
