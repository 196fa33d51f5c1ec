/**
 * Sign-in in a real browser: a wall screen's display token shows /wall and nothing else (other views go back to
 * the wall, API writes are refused); a planner is refused dispatching; signing out ends the session.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { artifactPath, capture, ensureBuild, launchBrowser, signIn, startApp, type RunningApp } from './harness';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  ensureBuild();
  app = await startApp({ seededDb: inject('seededDb') });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('sign-in', () => {
  test('nobody signed in lands on the sign-in page; a wrong password says so; signing out ends the session', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${app.url}/review`);
    await page.getByTestId('sign-in').waitFor({ timeout: 60_000 });
    expect(page.url()).toContain('/signin?next=%2Freview');
    await page.locator('input[name="username"]').fill('analyst');
    await page.locator('input[name="password"]').fill('wrong password');
    await page.locator('button[type="submit"]').click();
    await expect.poll(() => page.getByTestId('sign-in-error').textContent(), { timeout: 20_000 }).toContain('用户名或密码错误');
    await capture(page, { path: artifactPath('sign-in-wrong.png') });
    await page.locator('input[name="password"]').fill('demo-analyst-2026');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/\/review$/, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId('user-badge').textContent(), { timeout: 30_000 }).toContain('analyst');
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor({ timeout: 30_000 });
    // The old cookie is dead: the API refuses it.
    expect((await context.request.get(`${app.url}/api/session`)).status()).toBe(401);
    expect((await context.request.get(`${app.url}/api/events?limit=1`)).status()).toBe(401);
    await context.close();
  });

  test('a wall display token shows /wall and nothing else', async () => {
    const token = app.as('wall').token;
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${app.url}/wall?tour=0&motion=0&token=${token}`);
    await page.waitForFunction(() => window.__gezhiWall?.ready() === true, undefined, { timeout: 120_000, polling: 250 });
    await capture(page, { path: artifactPath('sign-in-wall-token.png') });
    // The navigation offers the wall only; another view sends the screen back to the wall.
    expect(await page.locator('.app-header nav a').allTextContents()).toEqual(['指挥大屏']);
    await page.goto(`${app.url}/review`);
    await page.waitForURL(/\/wall$/, { timeout: 30_000 });
    // Its display session may read the wall's data, nothing else, and write nothing.
    const me = (await (await context.request.get(`${app.url}/api/session`)).json()) as { role: string; display: boolean; csrfToken: string };
    expect(me).toMatchObject({ role: 'wall', display: true });
    expect((await context.request.get(`${app.url}/api/kpi`)).status()).toBe(200);
    expect((await context.request.get(`${app.url}/api/review/indicators`)).status()).toBe(403);
    const write = await context.request.post(`${app.url}/api/events`, {
      headers: { 'X-CSRF-Token': me.csrfToken },
      data: { category: '0102', text: '垃圾', lon: 112.9, lat: 27.85, channel: 'patrol', kind: 'incident' },
    });
    expect(write.status()).toBe(403);
    await context.close();
  });

  test('a planner cannot dispatch', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await signIn(context, app.url, 'planner');
    const page = await context.newPage();
    await page.goto(`${app.url}/`);
    await expect.poll(() => page.getByTestId('user-badge').textContent(), { timeout: 60_000 }).toContain('planner');
    expect(await page.locator('.app-header nav a').allTextContents()).not.toContain('调度台');
    const me = (await (await context.request.get(`${app.url}/api/session`)).json()) as { csrfToken: string };
    const refused = await context.request.post(`${app.url}/api/events/1/dispatch`, { headers: { 'X-CSRF-Token': me.csrfToken }, data: {} });
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { reason: string }).reason).toBe('role-not-permitted');
    expect((await context.request.get(`${app.url}/api/events/1/candidates`)).status()).toBe(403);
    await capture(page, { path: artifactPath('sign-in-planner.png') });
    await context.close();
  });
});
