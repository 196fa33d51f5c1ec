/**
 * The dispatcher's console (/ops) end to end: a report POSTed to the API appears in the queue through the live
 * stream; opening and filing it works from the keyboard; the candidates come with routes and reasons; dispatch
 * sends it, the route is drawn on the console's map and published on the live stream; the link of a chat
 * notification (/ops?case=ID) opens its case.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { artifactPath, capture, ensureBuild, imageStats, launchBrowser, recordPage, signIn, startApp, type PageRecord, type RunningApp } from './harness';
import type { Who } from '../helpers/signed-in.ts';

const VIEWPORT = { width: 1440, height: 900 };
const SUBDISTRICT = '430302005'; // 广场街道: dense urban blocks along the river
const OPEN311_KEY = 'ops-test-open311-key';

interface BlockListFeature {
  properties: { code: string; subdistrictCode: string; residents: number };
}

let app: RunningApp;
let browser: Browser;
let page: Page;
let record: PageRecord;
let eventId = 0;
let dispatcherId = 0;

/**
 * The API beside the page: reads as an admin, reports as an integration, and a write whose body names an `actor`
 * as that staff member (the name is taken out of the body: the server takes the actor from the token).
 */
async function api<T>(path: string, init?: RequestInit): Promise<T> {
  let who: Who = init?.method === 'POST' ? 'integration' : 'admin';
  if (typeof init?.body === 'string' && init.body.includes('"actor"')) {
    const { actor, ...rest } = JSON.parse(init.body) as { actor: number };
    who = { staffId: actor };
    init = { ...init, body: JSON.stringify(rest) };
  }
  const res = await app.as(who)(path, init);
  expect(res.ok, `${init?.method ?? 'GET'} ${path} → ${res.status} ${res.ok ? '' : await res.text()}`).toBe(true);
  return (await res.json()) as T;
}

/** Reads the live stream from `afterId` until a frame of `type` satisfies `match` (or the time runs out). */
async function awaitStreamMessage(type: string, afterId: number, match: (data: Record<string, unknown>) => boolean, timeoutMs = 10_000) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await app.as('admin')(`/api/stream?types=${type}&lastEventId=${afterId}`, { signal: ctl.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (event === type && data) {
          const parsed = JSON.parse(data) as Record<string, unknown>;
          if (match(parsed)) return parsed;
        }
      }
    }
  } catch (err) {
    if ((err as Error).name === 'AbortError') return null;
    throw err;
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
}

beforeAll(async () => {
  ensureBuild();
  app = await startApp({ seededDb: inject('seededDb'), env: { GEZHI_OPEN311_KEYS: OPEN311_KEY } });
  browser = await launchBrowser();
  // The demo dispatcher: a guidance-centre staff member of 广场街道.
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN' });
  await signIn(context, app.url, 'dispatcher');
  page = await context.newPage();
  record = recordPage(page);
  await page.goto(`${app.url}/ops`);
  await page.waitForFunction(() => window.__gezhiOps?.ready() === true, undefined, { timeout: 90_000, polling: 200 });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('/ops console', () => {
  test('acts as the signed-in dispatcher, a guidance-centre staff member of their subdistrict', async () => {
    const staff = await api<{ items: { id: number; name: string; unit: { key: string } | null }[] }>(
      `/api/staff?role=centre-staff&subdistrict=${SUBDISTRICT}`,
    );
    const guidance = staff.items.filter((s) => s.unit?.key === 'guidance');
    expect(guidance.length).toBeGreaterThan(0);
    const who = await page.evaluate(() => fetch('/api/session').then((r) => r.json() as Promise<{ staffId: number; subdistrict: string; role: string }>));
    expect(who).toMatchObject({ role: 'dispatcher', subdistrict: SUBDISTRICT, staffId: guidance[0].id });
    dispatcherId = who.staffId;
    await expect.poll(() => page.getByTestId('ops-identity').textContent(), { timeout: 10_000 }).toContain(guidance[0].name);
    // No identity picker any more: the console is whoever signed in.
    expect(await page.locator('select[name="dispatcher"]').count()).toBe(0);
    await expect.poll(() => page.getByTestId('stream-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
  });

  test('a new report shows up in the queue through the live stream', async () => {
    const blocks = await api<{ features: BlockListFeature[] }>('/api/blocks');
    const block = blocks.features.find((f) => f.properties.subdistrictCode === SUBDISTRICT && f.properties.residents > 0)!;
    const detail = await api<{ center: [number, number] }>(`/api/blocks/${block.properties.code}`);
    const created = await api<{ id: number; caseNo: string; status: string; subdistrictCode: string }>('/api/events', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        text: '小区门口垃圾堆放两天未清运，气味很大',
        category: '0102',
        lon: detail.center[0],
        lat: detail.center[1],
        channel: 'hotline',
        kind: 'demand',
        reporter: '张先生',
      }),
    });
    expect(created.status).toBe('reported');
    expect(created.subdistrictCode).toBe(SUBDISTRICT);
    eventId = created.id;
    // A hotline report is filed after the block supervisor has checked it on site (核实).
    const supervisor = (await api<{ items: { id: number }[] }>(`/api/staff?block=${block.properties.code}&role=supervisor`)).items[0];
    await api(`/api/events/${eventId}/transitions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: 'verify-report', actor: supervisor.id, note: '现场核实属实' }),
    });
    const row = page.locator(`.ops-queue li[data-id="${eventId}"]`);
    const t0 = Date.now();
    await row.waitFor({ timeout: 8_000 });
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(await row.textContent()).toContain(created.caseNo);
    expect(await row.locator('.countdown').getAttribute('data-level')).toMatch(/ok|warning|overdue/);
    await capture(page, { path: artifactPath('ops-queue.png') });
  });

  test('open with the keyboard, file with f: the candidates appear with routes and reasons', async () => {
    const rows = page.locator('.ops-queue li');
    const index = await rows.evaluateAll((els, id) => els.findIndex((el) => el.getAttribute('data-id') === String(id)), eventId);
    expect(index).toBeGreaterThanOrEqual(0);
    await page.locator('body').click({ position: { x: 5, y: VIEWPORT.height - 5 } }).catch(() => undefined);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    // Move to the row with j/k, then open it with Enter.
    for (let i = 0; i < 50 && (await rows.nth(index).getAttribute('aria-selected')) !== 'true'; i++) {
      const current = await rows.evaluateAll((els) => els.findIndex((el) => el.getAttribute('aria-selected') === 'true'));
      await page.keyboard.press(current < index ? 'j' : 'k');
    }
    expect(await rows.nth(index).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('case-panel');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('reported');
    expect(await panel.textContent()).toContain('小区门口垃圾堆放');
    expect(await panel.getByTestId('case-log').textContent()).toContain('待立案');

    await page.keyboard.press('f');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('filed');
    expect((await api<{ status: string }>(`/api/events/${eventId}`)).status).toBe('filed');

    const items = panel.locator('.cand-list > li');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const reasons = await items.first().locator('.reasons li').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    // Reasons are translated, not raw keys.
    for (const r of reasons) expect(r).not.toMatch(/^[a-z-]+$/);
    expect(await items.first().locator('.score-part').count()).toBe(4);
    const candidates = await api<{ items: { route: unknown }[] }>(`/api/events/${eventId}/candidates?limit=10`);
    const withRoutes = candidates.items.filter((c) => c.route !== null).length;
    expect(withRoutes).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate(() => window.__gezhiOps!.routeCount()), { timeout: 10_000 }).toBe(withRoutes);
    expect(await page.evaluate(() => window.__gezhiOps!.hasCasePoint())).toBe(true);
    expect(await page.evaluate(() => window.__gezhiOps!.layerIds())).toEqual(
      expect.arrayContaining(['ops-routes', 'ops-candidates', 'ops-case']),
    );
    await page.waitForTimeout(800); // let the map draw the fitted view
    const stats = await imageStats(page, await capture(page.locator('.ops-map canvas')));
    expect(stats.std, 'the map canvas is a flat colour').toBeGreaterThan(8);
    await capture(page, { path: artifactPath('ops-candidates.png') });
  });

  test('d dispatches to the top candidate: the route is drawn and published on the live stream', async () => {
    const before = await api<{ lastId: number }>('/api/stream/status');
    const top = await page.locator('.cand-list > li').first().getAttribute('data-staff');
    const published = awaitStreamMessage('route.dispatched', before.lastId, (d) => d.eventId === eventId, 15_000);
    await page.keyboard.press('d');
    const panel = page.getByTestId('case-panel');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('dispatched');
    const event = await api<{ status: string; assignee: { id: number } | null; log: { actor: { id: number } | null; to: string }[] }>(
      `/api/events/${eventId}`,
    );
    expect(event.status).toBe('dispatched');
    expect(String(event.assignee?.id)).toBe(top);
    expect(event.log.find((l) => l.to === 'dispatched')?.actor?.id).toBe(dispatcherId);

    await expect.poll(() => page.evaluate(() => window.__gezhiOps!.sentRouteCount()), { timeout: 10_000 }).toBe(1);
    expect(await page.evaluate(() => window.__gezhiOps!.routeCount())).toBeGreaterThan(0);
    await page.getByTestId('sent-route').waitFor();
    // The ranking no longer applies once the case is sent: no stale dispatch buttons, no candidate dots.
    expect(await panel.locator('[data-action="dispatch"]').count()).toBe(0);
    expect(await page.evaluate(() => window.__gezhiOps!.candidateCount())).toBe(0);

    const message = await published;
    expect(message, 'route.dispatched on the live stream').not.toBeNull();
    expect(Array.isArray(message!.coordinates)).toBe(true);
    const active = await api<{ items: { eventId: number; staffId: number }[] }>('/api/routes/active');
    expect(active.items.some((r) => r.eventId === eventId && String(r.staffId) === top)).toBe(true);
    // The dispatched case leaves the queue.
    await expect.poll(() => page.locator(`.ops-queue li[data-id="${eventId}"]`).count(), { timeout: 10_000 }).toBe(0);
    await page.waitForTimeout(800);
    await capture(page, { path: artifactPath('ops-dispatched.png') });
  });

  test('u urges and p suspends with a review date, r resumes — from the keyboard, tier and assignee kept', async () => {
    const panel = page.getByTestId('case-panel');
    const before = await api<{ tier: string; assignee: { id: number } | null; dueAt: string }>(`/api/events/${eventId}`);
    const reason = panel.locator('input[name="action-reason"]');
    const key = async (k: string) => {
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press(k);
    };
    await reason.fill('群众多次反映，请今日处置');
    await key('u');
    await expect.poll(async () => (await panel.getByTestId('case-log').textContent()) ?? '', { timeout: 10_000 }).toContain('督办催办');
    expect(await panel.getAttribute('data-status')).toBe('dispatched');
    // 挂账: the review date field is offered with the note; the key presses the button with both.
    expect(await panel.locator('input[name="review-date"]').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await panel.locator('input[name="review-date"]').fill('2099-01-05');
    await reason.fill('等待产权单位答复');
    await key('p');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('suspended');
    await panel.getByTestId('suspended-note').waitFor();
    expect(await panel.locator('[data-action="resume"]').count()).toBe(1);
    expect(await panel.locator('[data-action="urge"]').count()).toBe(0);
    await capture(page, { path: artifactPath('ops-suspended.png') });
    const suspended = await api<{ status: string; reviewAt: string; suspendedFrom: string }>(`/api/events/${eventId}`);
    expect(suspended).toMatchObject({ status: 'suspended', suspendedFrom: 'dispatched' });
    expect(suspended.reviewAt.slice(0, 10)).toBe('2099-01-05');
    await key('r');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('dispatched');
    const after = await api<{ tier: string; assignee: { id: number } | null; log: { note: string }[] }>(`/api/events/${eventId}`);
    expect(after.tier).toBe(before.tier);
    expect(after.assignee?.id).toBe(before.assignee?.id);
    expect(after.log.map((l) => l.note).filter((n) => /^(督办催办|挂账缓办|恢复办理)/.test(n))).toHaveLength(3);
  });

  test('Esc closes the case; the overdue and warning lists are a tab', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Escape');
    await page.getByTestId('case-panel').waitFor({ state: 'detached', timeout: 5_000 });
    await page.locator('[data-tab="due"]').click();
    // The lists as the signed-in dispatcher may see them (their subdistrict), read with the page's own session.
    const dueRes = await page.request.get(`${app.url}/api/events/overdue?include=warning&limit=1000`);
    expect(dueRes.status()).toBe(200);
    const due = (await dueRes.json()) as { overdue: number; warning: number };
    const overdueRows = page.getByTestId('overdue-list').locator('li[data-id]');
    await expect.poll(() => overdueRows.count(), { timeout: 10_000 }).toBe(Math.min(due.overdue, 1000));
    await capture(page, { path: artifactPath('ops-due.png') });
    if (due.overdue > 0) {
      await overdueRows.first().click();
      await page.getByTestId('case-log').waitFor({ timeout: 10_000 });
    }
    await page.locator('[data-tab="queue"]').click();
  });

  test('rejecting a duplicate report with its reason takes it out of the queue', async () => {
    const first = await api<{ lon: number; lat: number }>(`/api/events/${eventId}`);
    const dup = await api<{ id: number }>('/api/events', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: '同一处垃圾堆放，重复反映', category: '0102', lon: first.lon, lat: first.lat, channel: 'wechat', kind: 'demand' }),
    });
    const row = page.locator(`.ops-queue li[data-id="${dup.id}"]`);
    await row.waitFor({ timeout: 8_000 });
    await row.locator('button.link').click();
    const panel = page.getByTestId('case-panel');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('reported');
    await panel.locator('select[name="reject-kind"]').selectOption('duplicate');
    await panel.locator('input[name="action-reason"]').fill(`与 ${eventId} 重复`);
    await panel.locator('[data-action="reject"]').click();
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('rejected');
    const after = await api<{ status: string; log: { to: string; note: string }[] }>(`/api/events/${dup.id}`);
    expect(after.status).toBe('rejected');
    expect(after.log.at(-1)!.note).toContain('重复');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Escape');
  });

  test('the link of a chat notification (/ops?case=ID) opens that case with its route; failed notifications are counted', async () => {
    expect(await page.getByTestId('notify-failed').count()).toBe(0);
    // A channel whose notification was given up on (written as the worker would leave it)
    const db = openDatabase(app.dbFile);
    db.prepare(`INSERT INTO notify_channels (id, name, kind, url, scope, scope_code, created_at) VALUES (900, '失效群', 'wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', 'district', '430302', 0)`).run();
    db.prepare(`INSERT INTO notifications (channel_id, kind, event_id, created_at, facts, status, attempts, next_at, last_error)
      VALUES (900, 'dispatch', ?, 0, '{}', 'failed', 8, 0, 'errcode 93000 invalid webhook url')`).run(eventId);
    db.close();
    await page.goto(`${app.url}/ops?case=${eventId}`);
    await page.waitForFunction(() => window.__gezhiOps?.ready() === true, undefined, { timeout: 90_000, polling: 200 });
    const panel = page.getByTestId('case-panel');
    const status = (await api<{ status: string }>(`/api/events/${eventId}`)).status;
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 15_000 }).toBe(status);
    expect(await panel.textContent()).toContain('小区门口垃圾堆放');
    await expect.poll(() => page.evaluate(() => window.__gezhiOps!.sentRouteCount()), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('notify-failed').textContent(), { timeout: 10_000 }).toBe('1 条工作群通知发送失败');
    await page.waitForTimeout(800);
    await capture(page, { path: artifactPath('ops-case-link.png') });
  });

  test('a request that gave an address only is placed on the map and filed as a case from the 待定位 tab', async () => {
    const address = '雨湖区建设北路与韶山西路交叉口东50米';
    const res = await fetch(`${app.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: OPEN311_KEY, service_code: '0505', address_string: address, description: '白色轿车长期占用人行道' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const requestId = Number(((await res.json()) as { service_request_id: string }[])[0].service_request_id.slice(1));

    await page.click('[data-tab="unlocated"]');
    const row = page.locator(`[data-testid="unlocated"] li[data-id="${requestId}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.getByTestId('unlocated-address').textContent()).toBe(address);
    await row.click();
    expect(await page.getByTestId('unlocated-locate').isDisabled()).toBe(true);
    // The place: a building of a 广场街道 block, clicked on the map.
    const blocks = await api<{ features: BlockListFeature[] }>('/api/blocks');
    const block = blocks.features.find((f) => f.properties.subdistrictCode === SUBDISTRICT && f.properties.residents > 0)!;
    const detail = await api<{ center: [number, number] }>(`/api/blocks/${block.properties.code}`);
    const [x, y] = await page.evaluate(([lon, lat]) => window.__gezhiOps!.project(lon, lat), detail.center);
    const box = (await page.locator('.ops-mapwrap').boundingBox())!;
    await page.mouse.click(box.x + x, box.y + y);
    await expect.poll(() => page.getByTestId('unlocated-point').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.evaluate(() => window.__gezhiOps!.hasCasePoint()), { timeout: 10_000 }).toBe(true);
    await capture(page, { path: artifactPath('ops-unlocated.png') });
    await page.getByTestId('unlocated-locate').click();

    // It is a case now, open in the console, and the request lists it.
    const panel = page.getByTestId('case-panel');
    await expect.poll(async () => (await panel.count()) > 0 && (await panel.textContent())?.includes('白色轿车长期占用人行道'), { timeout: 15_000 }).toBe(true);
    const located = await api<{ eventId: number | null }>(`/api/events/unlocated/${requestId}`);
    expect(located.eventId).toBeGreaterThan(0);
    const event = await api<{ lon: number; lat: number; subdistrictCode: string; category: { code: string } }>(`/api/events/${located.eventId}`);
    expect(event.subdistrictCode).toBe(SUBDISTRICT);
    expect(event.category.code).toBe('0505');
    // Where the click was, to the metre or so (a screen pixel at this zoom).
    expect(Math.abs(event.lon - detail.center[0])).toBeLessThan(0.0005);
    expect(Math.abs(event.lat - detail.center[1])).toBeLessThan(0.0005);
    await page.click('[data-tab="unlocated"]');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
    await page.click('[data-tab="queue"]');
  });

  test('English switch', async () => {
    await page.locator('.lang-switch').click();
    await expect.poll(() => page.getByTestId('ops-identity').textContent()).toContain('Dispatcher');
    expect(await page.getByTestId('sign-out').textContent()).toBe('Sign out');
    await capture(page, { path: artifactPath('ops-en.png') });
    await page.locator('.lang-switch').click();
  });

  test('no console errors, no request to another host', () => {
    expect(record.errors).toEqual([]);
    const host = new URL(app.url).host;
    const offHost = record.requests.filter((u) => /^(https?|wss?):/.test(u) && new URL(u).host !== host);
    expect(offHost).toEqual([]);
    expect(record.requests.filter((u) => !/^(https?|data|blob):/.test(u))).toEqual([]);
  });
});
