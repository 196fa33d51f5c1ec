/**
 * A storm: 500 督办 transitions through the API in one burst, with a WeCom and a DingTalk robot taking every case of
 * the district. The robots (the local receiver, which enforces their 20-a-minute limit) must never see more than 20
 * messages in any minute and never answer with their rate-limit error; every notification must reach each group
 * exactly once, on its own or as a line of a digest (消息合并), and all of it within the first minute.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import { channelStore, validateChannel } from '../../server/notify/channels.ts';
import { batchLine, type BatchFacts } from '../../server/notify/render.ts';
import { startNotifyWorker, type NotifyWorker } from '../../server/notify/worker.ts';
import { sweepEscalations } from '../../server/services/escalation-sweeper.ts';
import { startChatReceiver, type ChatReceiver, type Delivery } from '../helpers/chat-receiver.ts';
import { seededApp, type App } from '../helpers/apps.ts';
import { postAs } from '../helpers/signed-in.ts';

const HOUR = 3_600_000;
const BURST = 500;
const SECRET = 'SECstormTestSecret0123456789';

let db: Db;
let app: App;
let rx: ChatReceiver;
let worker: NotifyWorker;

beforeAll(async () => {
  const clock = inject('seedNow') + HOUR;
  ({ db, app } = seededApp('storm', () => clock));
  sweepEscalations(db, clock);
  rx = await startChatReceiver();
  rx.addWecom('stormkey');
  rx.addDingtalk('stormtoken', SECRET);
  const store = channelStore(db);
  for (const input of [
    { name: '区指挥群', kind: 'wecom', url: rx.wecomUrl('stormkey') },
    { name: '区督办群', kind: 'dingtalk', url: rx.dingtalkUrl('stormtoken'), secret: SECRET },
  ]) {
    const v = validateChannel(db, { ...input, scope: 'district', scopeCode: '430302' }, ['127.0.0.1']);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    store.add(v.row, Date.now());
  }
  worker = startNotifyWorker({ db, log: () => undefined, hosts: ['127.0.0.1'] });
});
afterAll(async () => {
  await worker?.stop();
  await rx?.close();
  db?.close();
});

/** The most messages a robot got in any 60 s. */
function busiestMinute(ds: Delivery[]): number {
  const t = ds.map((d) => d.at).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= 60_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('a burst of 500 transitions', () => {
  it('stays within 20 messages a minute per robot through digests, and delivers every notification exactly once', async () => {
    const open = db.prepare(`SELECT e.id, e.subdistrict_code AS sub,
        (SELECT ra.staff_id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
          WHERE u.key = 'guidance' AND u.subdistrict_code = e.subdistrict_code AND ra.role = 'centre-staff' AND ra.valid_to IS NULL LIMIT 1) AS dispatcher
      FROM events e WHERE e.status IN ('filed', 'dispatched', 'accepted', 'arrived', 'resolved') ORDER BY e.id`).all() as { id: number; dispatcher: number }[];
    expect(open.length).toBeGreaterThan(50);
    const started = Date.now();
    for (let i = 0; i < BURST; i++) {
      const c = open[i % open.length];
      const res = await postAs({ app, db }, 'integration')(`/api/events/${c.id}/transitions`, { to: 'urge', actor: c.dispatcher, reason: `第 ${i + 1} 次督办` });
      expect(res.status, await res.clone().text()).toBe(200);
      worker.wake(); // as the server's commit hook does
    }
    const rows = () => db.prepare(`SELECT n.id, n.kind, n.status, n.batch_id, n.facts, c.kind AS robot FROM notifications n
      JOIN notify_channels c ON c.id = n.channel_id`).all() as { id: number; kind: string; status: string; batch_id: number | null; facts: string; robot: string }[];
    expect(rows().filter((r) => r.kind === 'escalation')).toHaveLength(2 * BURST);
    await worker.settled(60_000);
    const burstSeconds = (Date.now() - started) / 1000;

    const all = rows();
    const notices = all.filter((r) => r.kind === 'escalation');
    const digests = new Map(all.filter((r) => r.kind === 'batch').map((r) => [r.id, r]));
    expect(notices.every((r) => r.status === 'sent' || r.status === 'batched'), JSON.stringify(notices.filter((r) => r.status !== 'sent' && r.status !== 'batched').slice(0, 3))).toBe(true);
    expect([...digests.values()].every((d) => d.status === 'sent')).toBe(true);
    expect(rx.rejections).toEqual([]);
    expect(rx.rateLimited).toEqual([]); // never over the limit

    for (const robot of ['wecom', 'dingtalk'] as const) {
      const got = rx.deliveries.filter((d) => d.robot === robot);
      expect(busiestMinute(got), robot).toBeLessThanOrEqual(20);
      // Exactly once as the group sees it: each notification is one message, or one line of one digest message.
      const seen = new Map<number, number>();
      for (const d of got) {
        expect(d.notificationId, d.title).not.toBeNull();
        const digest = digests.get(d.notificationId!);
        if (!digest) {
          seen.set(d.notificationId!, (seen.get(d.notificationId!) ?? 0) + 1);
          continue;
        }
        const members = notices.filter((n) => n.batch_id === digest.id);
        const facts = JSON.parse(digest.facts) as BatchFacts;
        expect(facts.items.map((i) => i.id).sort((a, b) => a - b)).toEqual(members.map((m) => m.id));
        const lines = d.text.split('\n').filter((l) => l.startsWith('- ')).sort();
        expect(lines).toEqual(facts.items.map(batchLine).sort());
        for (const m of members) seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
      }
      const mine = notices.filter((n) => n.robot === robot);
      expect(mine.map((n) => seen.get(n.id) ?? 0)).toEqual(mine.map(() => 1));
      expect(got.length).toBeLessThan(BURST / 10); // digests, not 500 messages
      console.log(`${robot}: ${BURST} notifications in ${got.length} messages (${got.filter((d) => digests.has(d.notificationId!)).length} digests); busiest minute ${busiestMinute(got)}; all delivered ${burstSeconds.toFixed(1)} s after the burst began`);
    }
    expect(burstSeconds).toBeLessThan(60); // all within the first window: no message waited for the limit to reset
  });
});
