/**
 * Boundary planning (/plan) end to end over the seeded district: a new draft; a block split by a line drawn on the
 * map, its two blocks and their figures; undo; two blocks merged by clicking them; a bad move (a building into a
 * block it does not touch) flagged as not contiguous; publish with the new block's team carried over; then
 * GET /api/blocks serves the new version and ?version=1 still the old one. Screenshots: tests/artifacts/plan-*.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { artifactPath, capture, ensureBuild, launchBrowser, recordPage, signIn, startApp, type PageRecord, type RunningApp } from './harness';

const VIEWPORT = { width: 1440, height: 900 };
let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let record: PageRecord;
let planId = 0;

interface Buildings { ids: number[]; lon: number[]; lat: number[]; block: string[] }
/** API reads as the signed-in planner (the browser context's session). */
const getJson = async <T>(path: string): Promise<T> => (await context.request.get(`${app.url}${path}`)).json() as Promise<T>;
const revision = async () => Number(await page.locator('[data-testid="plan"]').getAttribute('data-revision'));
async function waitRevision(n: number): Promise<void> {
  await expect.poll(revision, { timeout: 60_000, interval: 200 }).toBe(n);
  await page.waitForFunction(() => window.__gezhiPlan?.ready() === true, undefined, { timeout: 60_000, polling: 200 });
}
async function clickAt(lon: number, lat: number, dx = 0): Promise<void> {
  const [x, y] = await page.evaluate(([a, b]) => window.__gezhiPlan!.project(a, b), [lon, lat]);
  const box = (await page.locator('.plan-map').boundingBox())!;
  await page.mouse.click(box.x + x + dx, box.y + y);
}
async function view(box: [number, number, number, number]): Promise<void> {
  await page.evaluate((b) => window.__gezhiPlan!.fit(b), box);
  await page.waitForFunction(() => window.__gezhiPlan?.ready() === true, undefined, { timeout: 60_000, polling: 200 });
  await page.waitForTimeout(300);
}
const membersOf = (b: Buildings, code: string) => b.ids.map((_, i) => i).filter((i) => b.block[i] === code);
const boxOf = (b: Buildings, idx: number[], pad = 0.002): [number, number, number, number] => [
  Math.min(...idx.map((i) => b.lon[i])) - pad, Math.min(...idx.map((i) => b.lat[i])) - pad,
  Math.max(...idx.map((i) => b.lon[i])) + pad, Math.max(...idx.map((i) => b.lat[i])) + pad,
];

beforeAll(async () => {
  ensureBuild();
  app = await startApp({ seededDb: inject('seededDb') });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN' });
  await signIn(context, app.url, 'planner');
  page = await context.newPage();
  record = recordPage(page);
  await page.goto(`${app.url}/plan?lang=zh-CN`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('/plan', () => {
  let b: Buildings;
  let target = '';
  let second = '';
  let created = '';
  let retired = '';

  test('with no draft yet, the map shows the 667 blocks in force and offers a new draft', async () => {
    await page.waitForFunction(() => window.__gezhiPlan?.ready() === true && window.__gezhiPlan.blockCount() === 667, undefined, { timeout: 180_000, polling: 250 });
    expect(await revision()).toBe(-1);
    await expect.poll(() => page.locator('.plan-side').innerText(), { timeout: 30_000 }).toContain('尚无草案');
    // No draft, no figures: the panels of a draft are not shown half-loaded.
    expect(await page.locator('[data-testid="plan-validity"], [data-testid="plan-replay"]').count()).toBe(0);
    expect(await page.locator('.plan-hint').innerText()).toContain('新建草案后');
    await capture(page, { path: artifactPath('plan-no-draft.png') });
  }, 240_000);

  test('a new draft shows the 667 published blocks and the validity panel', async () => {
    await page.click('[data-testid="plan-new"]');
    await expect.poll(revision, { timeout: 120_000, interval: 250 }).toBeGreaterThanOrEqual(0);
    await page.waitForFunction(() => window.__gezhiPlan?.ready() === true && window.__gezhiPlan.blockCount() === 667, undefined, { timeout: 180_000, polling: 250 });
    planId = Number(await page.locator('[data-testid="plan-select"]').inputValue());
    expect(planId).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="plan-validity"]').innerText(), { timeout: 60_000 }).toContain('无错误');
    // Nothing changed yet: the replay says every block keeps its events rather than showing an empty table.
    await expect.poll(() => page.locator('[data-testid="plan-replay-same"]').count(), { timeout: 60_000 }).toBe(1);
    b = await getJson<Buildings>(`/api/plans/${planId}/buildings`);
    // An urban block with many buildings (广场街道).
    const counts = new Map<string, number>();
    for (const c of b.block) if (c.startsWith('430302001')) counts.set(c, (counts.get(c) ?? 0) + 1);
    const big = [...counts].filter(([, n]) => n >= 14).map(([c]) => c).sort();
    target = big[0];
    second = big.find((c) => c.slice(0, 12) !== target.slice(0, 12))!;
    await capture(page, { path: artifactPath('plan-start.png') });
  }, 240_000);

  test('splits a block with a drawn line: two blocks with their figures', async () => {
    const m = membersOf(b, target);
    await view(boxOf(b, m));
    const lon = m.reduce((t, i) => t + b.lon[i], 0) / m.length;
    const lats = m.map((i) => b.lat[i]);
    await page.click('[data-mode="split"]');
    await clickAt(lon, Math.min(...lats));
    await clickAt(lon, Math.max(...lats));
    await page.click('[data-testid="plan-finish-split"]');
    await waitRevision(1);
    const diff = page.locator('[data-testid="plan-diff"]');
    await expect.poll(() => diff.locator('li[data-change="added"]').count(), { timeout: 60_000 }).toBe(1);
    created = ((await diff.locator('li[data-change="added"] .mono').innerText()) ?? '').trim();
    expect(created.slice(0, 12)).toBe(target.slice(0, 12));
    const panel = page.locator('[data-testid="plan-block"]');
    await expect.poll(() => panel.getAttribute('data-code')).toBe(target);
    const before = Number((await panel.locator('tr[data-row="buildings"] td').first().innerText()).replace(/,/g, ''));
    const published = Number((await panel.locator('tr[data-row="buildings"] td').nth(1).innerText()).replace(/,/g, ''));
    expect(before).toBeLessThan(published);
    await diff.locator('li[data-change="added"]').click();
    await expect.poll(() => panel.getAttribute('data-code')).toBe(created);
    expect(await panel.innerText()).toContain('新区块');
    const mine = Number((await panel.locator('tr[data-row="buildings"] td').first().innerText()).replace(/,/g, ''));
    expect(before + mine).toBe(published);
    expect(await page.locator('[data-testid="plan-draft-blocks"]').innerText()).toBe('668');
    await capture(page, { path: artifactPath('plan-split.png') });
  }, 240_000);

  test('undo takes the split back', async () => {
    await page.click('[data-testid="plan-undo"]');
    await waitRevision(2);
    await expect.poll(() => page.locator('[data-testid="plan-diff"] li[data-change]').count(), { timeout: 60_000 }).toBe(0);
    expect(await page.evaluate(() => window.__gezhiPlan!.blockCount())).toBe(667);
  }, 240_000);

  test('merges two blocks clicked on the map, and flags a bad move as not contiguous', async () => {
    // The block next to the target: the one whose building is nearest one of the target's, in the same community.
    const m = membersOf(b, target);
    let best = Infinity, bi = -1, ti = -1;
    for (let j = 0; j < b.ids.length; j++) {
      if (b.block[j] === target || b.block[j].slice(0, 12) !== target.slice(0, 12)) continue;
      for (const i of m) {
        const d = (b.lon[i] - b.lon[j]) ** 2 + (b.lat[i] - b.lat[j]) ** 2;
        if (d < best) (best = d), (bi = j), (ti = i);
      }
    }
    const other = b.block[bi];
    retired = other;
    await view(boxOf(b, [...m, ...membersOf(b, other)]));
    await page.click('[data-mode="merge"]');
    await clickAt(b.lon[ti], b.lat[ti]);
    await clickAt(b.lon[bi], b.lat[bi]);
    await waitRevision(3);
    await expect.poll(() => page.locator('[data-testid="plan-diff"] li[data-change="removed"] .mono').allInnerTexts(), { timeout: 60_000 }).toEqual([other]);
    expect(await page.evaluate(() => window.__gezhiPlan!.blockCount())).toBe(666);
    await capture(page, { path: artifactPath('plan-merge.png') });

    // A building of the merged block moved into a block it does not touch: the far end of the merged block and a
    // block of the same community beyond it.
    const merged = [...m, ...membersOf(b, other)];
    const cx = merged.reduce((t, i) => t + b.lon[i], 0) / merged.length, cy = merged.reduce((t, i) => t + b.lat[i], 0) / merged.length;
    let far = -1, farD = -1;
    for (const i of merged) {
      const d = (b.lon[i] - cx) ** 2 + (b.lat[i] - cy) ** 2;
      if (d > farD) (farD = d), (far = i);
    }
    // The nearest building (to the centre) of another block that stands at least 300 m from the moved one.
    let qi = -1, qd = Infinity;
    for (let j = 0; j < b.ids.length; j++) {
      if (b.block[j] === target || b.block[j] === other) continue;
      const dFar = Math.hypot((b.lon[j] - b.lon[far]) * 98_000, (b.lat[j] - b.lat[far]) * 110_000);
      const dCentre = (b.lon[j] - cx) ** 2 + (b.lat[j] - cy) ** 2;
      if (dFar > 300 && dCentre < qd) (qd = dCentre), (qi = j);
    }
    await view(boxOf(b, [...merged, qi]));
    await page.click('[data-mode="move"]');
    await page.waitForFunction(() => window.__gezhiPlan?.ready() === true, undefined, { timeout: 60_000, polling: 200 });
    await clickAt(b.lon[far], b.lat[far]);
    await expect.poll(() => page.locator('.plan-hint').innerText()).toContain('已选 1 栋');
    await clickAt(b.lon[qi], b.lat[qi], 9);
    await waitRevision(4);
    const issue = page.locator('[data-testid="plan-validation"] li.error[data-reason="not-contiguous"]');
    await expect.poll(() => issue.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await issue.first().innerText()).toMatch(/不连片/);
    expect(await page.locator('[data-testid="plan-publish"]').isDisabled()).toBe(true);
    await page.locator('[data-testid="plan-validation"]').scrollIntoViewIfNeeded();
    await capture(page, { path: artifactPath('plan-contiguity.png') });
  }, 300_000);

  test('publishes (the new block carries a team over): /api/blocks serves the new version, ?version=1 the old', async () => {
    await page.click('[data-testid="plan-undo"]');
    await waitRevision(5);
    await expect.poll(() => page.locator('[data-testid="plan-validity"]').innerText(), { timeout: 60_000 }).toContain('无错误');
    // Split another block so the version has a new block that needs its 1+N+1 team.
    const m = membersOf(b, second);
    await view(boxOf(b, m));
    await page.click('[data-mode="split"]');
    const lon = m.reduce((t, i) => t + b.lon[i], 0) / m.length;
    const lats = m.map((i) => b.lat[i]);
    await clickAt(lon, Math.min(...lats));
    await clickAt(lon, Math.max(...lats));
    await page.click('[data-testid="plan-finish-split"]');
    await waitRevision(6);
    const newCode = ((await page.locator('[data-testid="plan-diff"] li[data-change="added"] .mono').innerText()) ?? '').trim();
    expect(newCode).not.toBe('');
    await expect.poll(() => page.locator('[data-testid="plan-publish"]').isDisabled()).toBe(false);
    await page.click('[data-testid="plan-publish"]');
    const dialog = page.locator('[data-testid="plan-publish-dialog"]');
    await dialog.waitFor();
    expect(await dialog.locator(`fieldset[data-block="${newCode}"] select`).inputValue()).toBe(second);
    await page.fill('[data-testid="plan-version-name"]', '2026 区块调整');
    await capture(page, { path: artifactPath('plan-publish-dialog.png') });
    await page.click('[data-testid="plan-confirm-publish"]');
    await expect.poll(() => page.locator('[data-testid="plan-message"]').innerText(), { timeout: 60_000 }).toMatch(/已发布为边界版本 2/);

    const now = await getJson<{ boundaryVersion: { id: number }; features: { id: string; properties: { governor: { id: number } | null } }[] }>('/api/blocks');
    expect(now.boundaryVersion.id).toBe(2);
    const codes = now.features.map((f) => f.id);
    expect(codes).toContain(newCode);
    expect(codes).not.toContain(retired);
    expect(now.features.find((f) => f.id === newCode)!.properties.governor).not.toBeNull();
    const old = await getJson<{ boundaryVersion: { id: number }; features: { id: string }[] }>('/api/blocks?version=1');
    expect(old.boundaryVersion.id).toBe(1);
    expect(old.features).toHaveLength(667);
    expect(old.features.map((f) => f.id)).not.toContain(newCode);
    expect(old.features.map((f) => f.id)).toContain(retired);
    await capture(page, { path: artifactPath('plan-published.png') });
    expect(record.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 300_000);
});
