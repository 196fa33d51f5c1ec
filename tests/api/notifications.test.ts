/**
 * Notifications end to end on a copy of the seeded Yuhu database: transitions through the API write outbox rows in
 * their own transaction, the worker sends them over real HTTP to the local chat receiver (which checks DingTalk's
 * 加签, the webhook's Standard Webhooks signature and WeCom's key), retries with backoff, gives up and lists the
 * failure, resends what a crash interrupted, makes one daily digest per channel and working day, and keeps secrets
 * out of every read.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import { channelStore, validateChannel, type ChannelInput } from '../../server/notify/channels.ts';
import { enqueueDueDigests } from '../../server/notify/daily.ts';
import { outboxStore } from '../../server/notify/store.ts';
import { startNotifyWorker, type NotifyWorker, type NotifyWorkerOptions } from '../../server/notify/worker.ts';
import { sweepEscalations } from '../../server/services/escalation-sweeper.ts';
import { startChatReceiver, type ChatReceiver } from '../helpers/chat-receiver.ts';
import { seededApp, type App } from '../helpers/apps.ts';
import { postAs, signedIn } from '../helpers/signed-in.ts';
import type { BlockPlace } from '../helpers/seeded.ts';

const HOUR = 3_600_000;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let db: Db;
let app: App;
let clock = 0;
let place: () => BlockPlace;
let rx: ChatReceiver;
let worker: NotifyWorker | null = null;
const HOSTS = ['127.0.0.1'];
const DING_SECRET = 'SECd1ngta1kSecretForTests0123456789';
const HOOK_SECRET = 'whsec_' + Buffer.from('a webhook secret for tests').toString('base64');

/** Writes as the body's actor (a staff id; reports as an integration), reads as an administrator. */
const post = async (path: string, body: unknown, status = 200): Promise<Json> => {
  const res = await postAs({ app, db }, 'integration')(path, body);
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as Json;
};
const read = (path: string) => signedIn({ app, db }, 'admin')(path);
const get = async (path: string): Promise<Json> => {
  const res = await read(path);
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
};
const one = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as T;

function addChannel(input: Omit<ChannelInput, 'url'> & { url: string }): number {
  const v = validateChannel(db, input, HOSTS);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return channelStore(db).add(v.row, Date.now());
}

function startWorker(options: Partial<NotifyWorkerOptions> = {}): NotifyWorker {
  worker = startNotifyWorker({ db, log: () => undefined, publicUrl: 'https://gezhi.example.gov.cn', gatherMs: 200, backoffMs: 30, hosts: HOSTS, ...options });
  return worker;
}
async function stopWorker(): Promise<void> {
  await worker?.stop();
  worker = null;
}

const dispatchers = new Map<string, number>();
function dispatcherOf(subdistrict: string): number {
  if (!dispatchers.has(subdistrict)) {
    dispatchers.set(subdistrict, one<{ id: number }>(`SELECT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
      WHERE u.key = 'guidance' AND u.subdistrict_code = ? AND ra.role = 'centre-staff' AND ra.valid_to IS NULL LIMIT 1`, subdistrict).id);
  }
  return dispatchers.get(subdistrict)!;
}
const supervisorOf = (block: string) =>
  one<{ id: number }>(`SELECT staff_id AS id FROM role_assignments WHERE block_code = ? AND role = 'supervisor' AND valid_to IS NULL`, block).id;

/** Reports a block-tier case at the place and files it. */
async function filedCase(p: BlockPlace): Promise<Json> {
  const ev = await post('/api/events', { category: '0102', text: '路边有暴露垃圾，气味很大', lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' }, 201);
  await post(`/api/events/${ev.id}/transitions`, { to: 'filed', actor: dispatcherOf(p.subdistrict) });
  return ev;
}

const outboxOf = (eventId: number) =>
  db.prepare('SELECT n.id, n.kind, n.status, c.kind AS channel FROM notifications n JOIN notify_channels c ON c.id = n.channel_id WHERE n.event_id = ? ORDER BY n.id').all(eventId) as
    { id: number; kind: string; status: string; channel: string }[];

let p: BlockPlace;
let wecomId: number, dingId: number, hookId: number;

beforeAll(async () => {
  clock = inject('seedNow') + HOUR;
  ({ db, app, place } = seededApp('notify', () => clock, 13));
  // The seeded history's warnings and breaches are swept before any channel exists: they are not news.
  sweepEscalations(db, clock);
  rx = await startChatReceiver();
  p = place();
  rx.addWecom('blockteamkey');
  rx.addDingtalk('subdistricttoken', DING_SECRET);
  rx.addWebhook('ops', HOOK_SECRET);
  wecomId = addChannel({ name: '区块群', kind: 'wecom', url: rx.wecomUrl('blockteamkey'), scope: 'block', scopeCode: p.block });
  dingId = addChannel({ name: '街道群', kind: 'dingtalk', url: rx.dingtalkUrl('subdistricttoken'), secret: DING_SECRET, scope: 'subdistrict', scopeCode: p.subdistrict, kinds: ['dispatch', 'breach', 'escalation', 'rework'] });
  hookId = addChannel({ name: '指挥中心接口', kind: 'webhook', url: rx.webhookUrl('ops'), secret: HOOK_SECRET, scope: 'block', scopeCode: p.block });
});
afterAll(async () => {
  await stopWorker();
  await rx?.close();
  db?.close();
});

describe('a dispatch reaches the work chat', () => {
  it('writes its outbox rows with the transition, and the worker delivers each once, signed', async () => {
    const ev = await filedCase(p);
    const before = rx.deliveries.length;
    const d = await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcherOf(p.subdistrict) });
    // In the outbox as soon as the dispatch is acknowledged: one row per channel that takes it
    expect(outboxOf(ev.id).map((r) => [r.channel, r.kind, r.status])).toEqual([
      ['wecom', 'dispatch', 'pending'], ['dingtalk', 'dispatch', 'pending'], ['webhook', 'dispatch', 'pending'],
    ]);
    // A refused transition writes none
    await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcherOf(p.subdistrict) }, 409);
    expect(outboxOf(ev.id)).toHaveLength(3);

    await startWorker().settled();
    expect(outboxOf(ev.id).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    const got = rx.deliveries.slice(before);
    expect(got.map((x) => x.robot).sort()).toEqual(['dingtalk', 'webhook', 'wecom']);
    expect(rx.rejections).toEqual([]);
    const assignee = one<{ name: string; phone: string }>('SELECT s.name, s.phone FROM events e JOIN staff s ON s.id = e.assignee_id WHERE e.id = ?', ev.id);
    for (const x of got) {
      expect(x.notificationId).toBe(outboxOf(ev.id).find((r) => r.channel === x.robot)!.id);
      expect(x.title).toContain(`派遣：${ev.caseNo}`);
      expect(x.text).toContain(`> 处置人：${assignee.name}（${assignee.phone}）`);
      expect(x.text).toContain(`/ops?case=${ev.id}`);
      if (d.route) expect(x.text).toMatch(/> 路线：约 \d+ 分钟，\d+\.\d 公里/);
    }
    const card = got.find((x) => x.robot === 'dingtalk')!.body as Json;
    expect(card.msgtype).toBe('actionCard');
    expect(card.actionCard.singleURL).toBe(`https://gezhi.example.gov.cn/ops?case=${ev.id}`);
    const hook = got.find((x) => x.robot === 'webhook')!.body as Json;
    expect(hook).toMatchObject({ type: 'dispatch', redelivery: false, facts: { eventId: ev.id, caseNo: ev.caseNo, kind: 'dispatch' } });
  });
});

describe('warnings, breaches, escalation and rework', () => {
  it('预警 and 超期 from the sweep, 督办 and 返工 from transitions; each channel only the kinds it takes', async () => {
    const ev = await filedCase(p);
    const who = dispatcherOf(p.subdistrict);
    const mark = rx.deliveries.length;
    await post(`/api/events/${ev.id}/dispatch`, { actor: who });
    const row = one<{ warn_at: number; due_at: number; assignee_id: number }>('SELECT warn_at, due_at, assignee_id FROM events WHERE id = ?', ev.id);
    worker ??= startWorker();
    sweepEscalations(db, row.warn_at + 1000);
    worker.wake();
    await worker.settled();
    sweepEscalations(db, row.due_at + 1000);
    worker.wake();
    await worker.settled();
    await post(`/api/events/${ev.id}/transitions`, { to: 'urge', actor: who, reason: '群众再次来电，请今日办结' });
    for (const to of ['accept', 'arrive', 'resolve']) await post(`/api/events/${ev.id}/transitions`, { to, actor: row.assignee_id });
    await post(`/api/events/${ev.id}/transitions`, { to: 'rework', actor: supervisorOf(p.block), reason: '垃圾未清运干净' });
    worker.wake();
    await worker.settled();
    const mine = rx.deliveries.slice(mark).filter((x) => x.text.includes(ev.caseNo));
    const titles = (robot: string) => mine.filter((x) => x.robot === robot).map((x) => x.title.split('：')[0]);
    expect(titles('wecom')).toEqual(['派遣', '预警', '超期', '升级督办', '返工']);
    expect(titles('webhook')).toEqual(['派遣', '预警', '超期', '升级督办', '返工']);
    expect(titles('dingtalk')).toEqual(['派遣', '超期', '升级督办', '返工']); // it does not take warnings
    const w = mine.find((x) => x.robot === 'wecom' && x.title.startsWith('预警'))!;
    expect(w.text).toMatch(/剩余 \*\*(\d+ 小时 )?\d+ 分\*\*|剩余 \*\*\d+ 小时\*\*/);
    expect(mine.find((x) => x.title.startsWith('升级督办'))!.text).toContain('> 督办意见：群众再次来电，请今日办结');
    expect(mine.find((x) => x.title.startsWith('返工'))!.text).toContain('> 原因：垃圾未清运干净');
    expect(rx.rejections).toEqual([]);
  });

  it('a case of another block or subdistrict reaches neither block channel', async () => {
    const other = place();
    expect(other.block).not.toBe(p.block);
    const ev = await filedCase(other);
    await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcherOf(other.subdistrict) });
    const channels = outboxOf(ev.id).map((r) => r.channel);
    expect(channels).toEqual(other.subdistrict === p.subdistrict ? ['dingtalk'] : []);
  });
});

describe('failures', () => {
  it('retries with backoff until the robot answers; gives up after maxAttempts and lists the failure', async () => {
    await stopWorker();
    rx.addWecom('flakykey');
    const flaky = addChannel({ name: '不稳定群', kind: 'wecom', url: rx.wecomUrl('flakykey'), scope: 'block', scopeCode: p.block, kinds: ['dispatch'] });
    const broken = addChannel({ name: '失效接口', kind: 'webhook', url: rx.webhookUrl('gone'), secret: HOOK_SECRET, scope: 'block', scopeCode: p.block, kinds: ['dispatch'] });
    rx.failNext('flakykey', 2, 502);
    const ev = await filedCase(p);
    await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcherOf(p.subdistrict) });
    const w = startWorker({ maxAttempts: 3, backoffMs: 40 });
    const until = Date.now() + 20_000;
    const status = (ch: number) => one<{ status: string; attempts: number; last_error: string | null; id: number }>(
      'SELECT id, status, attempts, last_error FROM notifications WHERE event_id = ? AND channel_id = ?', ev.id, ch);
    while ((status(flaky).status !== 'sent' || status(broken).status !== 'failed') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await w.settled();
    expect(status(flaky)).toMatchObject({ status: 'sent', attempts: 3 });
    const tries = outboxStore(db).attemptsOf(status(flaky).id);
    expect(tries.map((t) => [t.outcome, t.http_status])).toEqual([['retry', 502], ['retry', 502], ['sent', 200]]);
    // backs off: 40 ms, then 80 ms (±25 %) after each answer
    expect(tries[1].started_at - tries[0].ended_at!).toBeGreaterThanOrEqual(30);
    expect(tries[2].started_at - tries[1].ended_at!).toBeGreaterThanOrEqual(60);
    expect(status(broken)).toMatchObject({ status: 'failed', attempts: 3, last_error: expect.stringContaining('HTTP 404') });
    const listed = await get(`/api/notifications?status=failed&channel=${broken}`);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ id: status(broken).id, status: 'failed', kind: 'dispatch', caseNo: ev.caseNo, attempts: 3, channel: { name: '失效接口', kind: 'webhook' } });
    expect(listed.counts.failed).toBeGreaterThanOrEqual(1);
    const detail = await get(`/api/notifications/${status(broken).id}`);
    expect(detail.deliveries.map((d: Json) => d.outcome)).toEqual(['retry', 'retry', 'failed']);
    expect(outboxStore(db).retryFailed(status(broken).id, Date.now())).toBe(true);
    channelStore(db).remove(broken);
    expect(status(broken).status).toBe('cancelled');
    const bad = await read('/api/notifications?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a row a crash left in flight is sent again: the robot message says it may repeat, the webhook keeps its id', async () => {
    await stopWorker();
    const ev = await filedCase(p);
    await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcherOf(p.subdistrict) });
    const store = outboxStore(db);
    const rows = db.prepare(`SELECT * FROM notifications WHERE event_id = ? AND channel_id IN (?, ?)`).all(ev.id, wecomId, hookId) as never[];
    for (const r of rows) expect(store.claim(r, Date.now())).not.toBeNull(); // as the worker does just before sending: then the process died
    const mark = rx.deliveries.length;
    const w = startWorker();
    expect([...w.recovered].sort()).toEqual((rows as { id: number }[]).map((r) => r.id).sort());
    await w.settled();
    const again = rx.deliveries.slice(mark).filter((x) => x.text.includes(ev.caseNo));
    const robot = again.find((x) => x.robot === 'wecom')!;
    expect(robot.title).toContain('（重发，可能重复）');
    const hook = again.find((x) => x.robot === 'webhook')!;
    expect(hook.body).toMatchObject({ id: `gezhi-notification-${hook.notificationId}`, redelivery: true });
    expect(again.find((x) => x.robot === 'dingtalk')!.title).not.toContain('重发'); // it was not in flight
    const attempts = db.prepare('SELECT outcome FROM notification_attempts WHERE notification_id = ? ORDER BY id').all(robot.notificationId) as { outcome: string }[];
    expect(attempts.map((a) => a.outcome)).toEqual(['interrupted', 'sent']);
    const listed = (await get(`/api/notifications?event=${ev.id}`)).items as Json[];
    expect(listed.filter((i) => i.interrupted).length).toBe(2);
  });
});

describe('allowed hosts', () => {
  it('a channel whose host was taken off the list receives nothing more: its notifications fail unsent', async () => {
    await stopWorker();
    const ev = await filedCase(p);
    await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcherOf(p.subdistrict) });
    const requests = rx.requests;
    await startWorker({ hosts: ['qyapi.weixin.qq.com'] }).settled();
    expect(rx.requests).toBe(requests);
    const rows = db.prepare('SELECT status, last_error FROM notifications WHERE event_id = ?').all(ev.id) as { status: string; last_error: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'failed'));
    expect(rows[0].last_error).toContain('not sent: host 127.0.0.1');
    await stopWorker();
  });
});

describe('a request in doubt', () => {
  it('a robot that does not answer in time gets the message again, marked as a possible repeat', async () => {
    await stopWorker();
    rx.addWecom('slowkey');
    const slow = addChannel({ name: '慢群', kind: 'wecom', url: rx.wecomUrl('slowkey'), scope: 'block', scopeCode: p.block, kinds: ['dispatch'] });
    rx.hold((_robot, target) => target === 'slowkey');
    const ev = await filedCase(p);
    await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcherOf(p.subdistrict) });
    const row = () => one<{ id: number; status: string; interrupted: number }>('SELECT id, status, interrupted FROM notifications WHERE event_id = ? AND channel_id = ?', ev.id, slow);
    const w = startWorker({ timeoutMs: 150, backoffMs: 300 });
    const end = Date.now() + 10_000;
    while (row().interrupted !== 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(row()).toMatchObject({ status: 'pending', interrupted: 1 });
    const mark = rx.deliveries.length;
    rx.release(); // the robot had it after all: the group saw the first one
    while (row().status !== 'sent' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await w.settled();
    const seen = rx.deliveries.slice(mark).filter((d) => d.target === 'slowkey');
    expect(seen.map((d) => d.title)).toEqual([`派遣：${ev.caseNo} 暴露垃圾`, `派遣：${ev.caseNo} 暴露垃圾（重发，可能重复）`]);
    expect(seen.map((d) => d.notificationId)).toEqual([row().id, row().id]);
    expect(outboxStore(db).attemptsOf(row().id).map((a) => a.outcome)).toEqual(['retry', 'sent']);
    channelStore(db).remove(slow);
  });
});

describe('daily digest', () => {
  it('one per channel and working day at its time, with the scope\'s figures; none on a day off', async () => {
    await stopWorker();
    rx.addWecom('digestkey');
    const id = addChannel({ name: '街道日报', kind: 'wecom', url: rx.wecomUrl('digestkey'), scope: 'subdistrict', scopeCode: p.subdistrict, digestAt: '17:30', kinds: ['digest'] });
    const ch = channelStore(db).get(id)!;
    const friday = Date.parse('2026-12-04T17:45:00+08:00');
    expect(enqueueDueDigests(db, [ch], Date.parse('2026-12-04T17:00:00+08:00'))).toEqual([]); // before its time
    const made = enqueueDueDigests(db, [ch], friday);
    expect(made).toHaveLength(1);
    expect(enqueueDueDigests(db, [ch], friday + 60_000)).toEqual([]); // once a day, however often checked
    expect(enqueueDueDigests(db, [ch], Date.parse('2026-12-05T18:00:00+08:00'))).toEqual([]); // Saturday: no work, no digest
    const open = one<{ n: number }>(`SELECT count(*) AS n FROM events WHERE subdistrict_code = ? AND status NOT IN ('rejected', 'closed', 'evaluated', 'voided')`, p.subdistrict).n;
    const mark = rx.deliveries.length;
    await startWorker({ now: () => friday }).settled();
    const d = rx.deliveries.slice(mark).find((x) => x.target === 'digestkey')!;
    const sub = one<{ name: string }>('SELECT name FROM areas WHERE code = ?', p.subdistrict).name;
    expect(d.title).toBe(`每日汇总：${sub} 2026-12-04`);
    expect(d.text).toContain(`> 在办 **${open}** 件`);
    expect(d.notificationId).toBe(made[0]);
    await stopWorker();
  });
});

describe('configuration', () => {
  it('refuses foreign hosts, plain HTTP off this machine, a robot URL without its key, an unsigned DingTalk robot', () => {
    const base = { name: 'x', scope: 'block', scopeCode: p.block };
    const problems = (input: ChannelInput, hosts = HOSTS) => {
      const v = validateChannel(db, input, hosts);
      return v.ok ? [] : v.problems.map((x) => `${x.field}: ${x.detail}`);
    };
    expect(problems({ ...base, kind: 'webhook', url: 'https://evil.example.com/x' })).toEqual([expect.stringContaining('host evil.example.com is not one of the configured hosts')]);
    expect(problems({ ...base, kind: 'webhook', url: 'http://hooks.example.gov.cn/x' }, ['hooks.example.gov.cn'])).toEqual(['url: must be https (http only for a receiver on this machine)']);
    expect(problems({ ...base, kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }, ['qyapi.weixin.qq.com'])).toEqual([expect.stringContaining('carries its key')]);
    expect(problems({ ...base, kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t' }, ['oapi.dingtalk.com'])).toEqual([expect.stringContaining('加签')]);
    expect(problems({ ...base, kind: 'wecom', url: rx.wecomUrl('k'), ratePerMinute: 60 })).toEqual([expect.stringContaining('from 1 to 20')]);
    expect(problems({ ...base, kind: 'wecom', url: rx.wecomUrl('k'), scope: 'block', scopeCode: '430302999999999' })).toEqual(['scopeCode: no block 430302999999999']);
    expect(problems({ ...base, name: '区块群', kind: 'wecom', url: rx.wecomUrl('k'), kinds: ['gossip'] })).toEqual([
      'name: a channel named "区块群" exists', expect.stringContaining('kinds: unknown gossip'),
    ]);
    expect(problems({ ...base, kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' })).toHaveLength(1); // default hosts: the robots'
    expect(validateChannel(db, { ...base, kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' }, ['qyapi.weixin.qq.com']).ok).toBe(true);
  });

  it('administrators read the outbox and the channels, dispatchers the outbox only, nobody signed in neither', async () => {
    const dispatcher = signedIn({ app, db }, 'dispatcher');
    expect((await dispatcher('/api/notifications?limit=1')).status).toBe(200);
    expect((await dispatcher('/api/notifications/channels')).status).toBe(403);
    expect((await signedIn({ app, db }, 'governor')('/api/notifications')).status).toBe(403);
    expect((await app.request('/api/notifications')).status).toBe(401);
    expect((await read('/api/notifications/channels')).status).toBe(200);
  });

  it('reads never return a secret or a robot key', async () => {
    const text = await (await read('/api/notifications/channels')).text();
    for (const secret of [DING_SECRET, HOOK_SECRET, 'blockteamkey', 'subdistricttoken']) expect(text).not.toContain(secret);
    const items = JSON.parse(text).items as Json[];
    expect(items.find((c) => c.id === wecomId)).toMatchObject({ kind: 'wecom', url: expect.stringContaining('key=****mkey'), hasSecret: false, scope: 'block' });
    expect(items.find((c) => c.id === dingId)).toMatchObject({ kind: 'dingtalk', hasSecret: true, kinds: ['dispatch', 'breach', 'escalation', 'rework'] });
    expect(Object.keys(items[0])).not.toContain('secret');
    const list = await (await read('/api/notifications?limit=1000')).text();
    for (const secret of [DING_SECRET, HOOK_SECRET, 'blockteamkey', 'subdistricttoken']) expect(list).not.toContain(secret);
  });
});
