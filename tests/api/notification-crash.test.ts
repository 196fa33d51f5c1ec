/**
 * kill -9 with notifications pending. The real server (server/main.ts, its worker on, one channel at a time) sends
 * the dispatches of 8 cases to a webhook, a WeCom and a DingTalk robot on the local receiver. The webhook's answer
 * is held, so the process dies with one request in flight (the receiver got it; the server never heard back) and
 * the robots' rows still queued. After a restart on the same database file every notification is delivered, and
 * each receiver has seen each exactly once: the robots got every queued row once; the webhook got the interrupted
 * one again under the same webhook-id and kept it once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { channelStore, validateChannel } from '../../server/notify/channels.ts';
import { sweepEscalations } from '../../server/services/escalation-sweeper.ts';
import { startChatReceiver, type ChatReceiver } from '../helpers/chat-receiver.ts';
import { blockPlaces, seededCopy } from '../helpers/seeded.ts';
import { startServer, type StartedServer } from '../helpers/server.ts';
import { postAs } from '../helpers/signed-in.ts';

const CASES = 8;
const SECRET = 'SECcrashTestSecret0123456789';
const HOOK_SECRET = 'whsec_' + Buffer.from('crash test webhook secret').toString('base64');

let file: string;
let rx: ChatReceiver;
let server: StartedServer | null = null;
let block: string;
let place: { lon: number; lat: number; subdistrict: string };

beforeAll(async () => {
  file = seededCopy('crash');
  const db = openDatabase(file);
  // The seeded history's warnings and breaches are swept first: the server's sweeper then finds nothing to say.
  sweepEscalations(db, Date.now() + 60_000);
  const p = blockPlaces(db)[100];
  block = p.block;
  place = p;
  rx = await startChatReceiver();
  rx.addWebhook('centre', HOOK_SECRET);
  rx.addWecom('crashkey');
  rx.addDingtalk('crashtoken', SECRET);
  const store = channelStore(db);
  // The webhook first: with one channel sending at a time, its held request keeps the robots' rows queued.
  for (const input of [
    { name: '指挥中心', kind: 'webhook', url: rx.webhookUrl('centre'), secret: HOOK_SECRET },
    { name: '区块群', kind: 'wecom', url: rx.wecomUrl('crashkey') },
    { name: '街道群', kind: 'dingtalk', url: rx.dingtalkUrl('crashtoken'), secret: SECRET },
  ]) {
    const v = validateChannel(db, { ...input, scope: 'block', scopeCode: block, kinds: ['dispatch'] }, ['127.0.0.1']);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    store.add(v.row, Date.now());
  }
  db.close();
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  await rx?.close();
});

const readDb = <T>(fn: (db: Db) => T): T => {
  const db = openDatabase(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
};
const outbox = () => readDb((db) => db.prepare(`SELECT n.id, n.status, n.interrupted, c.kind AS channel FROM notifications n
  JOIN notify_channels c ON c.id = n.channel_id ORDER BY n.id`).all() as { id: number; status: string; interrupted: number; channel: string }[]);

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${server?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('kill -9 with notifications pending', () => {
  it('after a restart every notification is delivered, each exactly once as the receivers see it', async () => {
    const env = { GEZHI_DB: file, GEZHI_NOTIFY: '1', GEZHI_NOTIFY_CONCURRENCY: '1', GEZHI_NOTIFY_HOSTS: '127.0.0.1' };
    server = await startServer(env);
    rx.hold((robot) => robot === 'webhook');
    const tokens = openDatabase(file); // signed-in requests: their tokens are made on the server's database
    const post = async (path: string, body: unknown) => {
      const res = await postAs({ url: server!.url, db: tokens }, 'integration')(path, body);
      const text = await res.text();
      expect(res.status, text).toBeLessThan(300);
      return JSON.parse(text) as { id: number };
    };
    const dispatcher = readDb((db) => (db.prepare(`SELECT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
      WHERE u.key = 'guidance' AND u.subdistrict_code = ? AND ra.role = 'centre-staff' AND ra.valid_to IS NULL LIMIT 1`).get(place.subdistrict) as { id: number }).id);
    for (let i = 0; i < CASES; i++) {
      const ev = await post('/api/events', { category: '0102', text: `第 ${i + 1} 处暴露垃圾`, lon: place.lon, lat: place.lat, channel: 'patrol', kind: 'incident' });
      await post(`/api/events/${ev.id}/transitions`, { to: 'filed', actor: dispatcher });
      await post(`/api/events/${ev.id}/dispatch`, { actor: dispatcher });
    }
    tokens.close();
    await until('the webhook request in flight', () => rx.held() === 1);
    await new Promise((r) => setTimeout(r, 300)); // nothing else may leave meanwhile (one channel at a time)
    expect(rx.held()).toBe(1);

    expect(await server.kill('SIGKILL')).toBe('SIGKILL');
    server = null;
    const atCrash = outbox();
    expect(atCrash).toHaveLength(3 * CASES);
    const inFlight = atCrash.filter((r) => r.status === 'sending');
    expect(inFlight).toHaveLength(1);
    expect(inFlight[0].channel).toBe('webhook');
    expect(atCrash.filter((r) => r.status === 'pending').length).toBeGreaterThanOrEqual(2 * CASES); // the robots' rows, queued
    // The receiver had the request: it processes it now, though its answer has nowhere to go.
    rx.release();
    expect(rx.deliveries.filter((d) => d.robot === 'webhook').map((d) => d.notificationId)).toEqual([inFlight[0].id]);

    const restarted = Date.now();
    server = await startServer(env);
    const listening = Date.now();
    await until('every notification sent', () => outbox().every((r) => r.status === 'sent'));
    console.log(`restart: listening after ${((listening - restarted) / 1000).toFixed(1)} s, all ${3 * CASES} delivered ${((Date.now() - listening) / 1000).toFixed(2)} s later`);
    expect(server.output()).toContain(`1 were in flight when the server stopped; sending them again (${inFlight[0].id})`);

    const rows = outbox();
    for (const robot of ['webhook', 'wecom', 'dingtalk'] as const) {
      const ids = rows.filter((r) => r.channel === robot).map((r) => r.id);
      const got = rx.deliveries.filter((d) => d.robot === robot).map((d) => d.notificationId).sort((a, b) => a! - b!);
      expect(got, robot).toEqual(ids);
    }
    // The interrupted one reached the webhook twice on the wire, under one id: the receiver kept it once.
    expect(rx.duplicates.map((d) => [d.notificationId, d.body.redelivery])).toEqual([[inFlight[0].id, true]]);
    expect(rows.filter((r) => r.interrupted).map((r) => r.id)).toEqual([inFlight[0].id]);
    expect(rx.rejections).toEqual([]);
    expect(await server.stop()).toBe(0);
    server = null;
  });
});
