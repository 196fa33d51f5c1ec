/**
 * A local stand-in for the chat robots and a webhook receiver, on 127.0.0.1 (no traffic leaves the machine). It
 * checks what the real ones check and records every delivery:
 *
 * - WeCom group robot   POST /cgi-bin/webhook/send?key=KEY   the key must be a robot's; msgtype markdown, content
 *                       ≤ 4,096 bytes; over 20 messages in a minute it answers errcode 45009 (and counts a violation)
 * - DingTalk robot      POST /robot/send?access_token=T&timestamp=MS&sign=S   S must be base64(HMAC-SHA256(secret,
 *                       MS + "\n" + secret)) (verified here independently of the server's code), MS within an
 *                       hour; msgtype markdown or actionCard with a title and text; 130101 over 20 a minute
 * - signed webhook      POST /hook/NAME   verified with the Standard Webhooks library; deduplicated on webhook-id
 *                       (a repeat is answered 200 and counted as a duplicate, not as a delivery)
 *
 * Answers can be held (the request stays open until released or the connection drops) to put a crash between send
 * and record.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  robot: 'wecom' | 'dingtalk' | 'webhook';
  /** The robot's key / access token / webhook name. */
  target: string;
  at: number;
  /** Markdown text as the group would show it. */
  text: string;
  title: string;
  /** The notification number printed in the message (robots) or its webhook-id number. */
  notificationId: number | null;
  body: Record<string, unknown>;
}

export interface Rejection {
  robot: string;
  target: string;
  reason: string;
}

export interface ChatReceiver {
  url: string;
  /** Accepted deliveries (webhook repeats excluded). */
  deliveries: Delivery[];
  /** Webhook repeats of an id already delivered. */
  duplicates: Delivery[];
  /** Requests refused for a bad key, signature or body. */
  rejections: Rejection[];
  /** Messages answered with the rate-limit error (the sender went over 20 a minute). */
  rateLimited: Delivery[];
  /** Requests seen (before any check), by robot. */
  requests: number;
  wecomUrl(key: string): string;
  dingtalkUrl(token: string): string;
  webhookUrl(name: string): string;
  addWecom(key: string): void;
  addDingtalk(token: string, secret: string): void;
  addWebhook(name: string, secret: string): void;
  /** Holds the answer of the next requests that match until release(); returns how many are held now. */
  hold(match: (robot: Delivery['robot'], target: string) => boolean): void;
  held(): number;
  release(): void;
  /** Answers the next n requests to a target with this HTTP status (a failing robot). */
  failNext(target: string, n: number, status?: number): void;
  close(): Promise<void>;
}

const LIMIT_PER_MINUTE = 20;
const MAX_MARKDOWN_BYTES = 4096;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const numberIn = (text: string): number | null => {
  const m = /通知 #(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
};

export async function startChatReceiver(): Promise<ChatReceiver> {
  const wecom = new Set<string>();
  const dingtalk = new Map<string, string>();
  const hooks = new Map<string, Webhook>();
  const seenIds = new Set<string>();
  const sentTimes = new Map<string, number[]>();
  const failing = new Map<string, { n: number; status: number }>();
  let holdMatch: ((robot: Delivery['robot'], target: string) => boolean) | null = null;
  const heldAnswers: (() => void)[] = [];
  const r: Omit<ChatReceiver, 'url' | 'close'> & { requests: number } = {
    deliveries: [], duplicates: [], rejections: [], rateLimited: [], requests: 0,
    wecomUrl: () => '', dingtalkUrl: () => '', webhookUrl: () => '',
    addWecom: (key) => void wecom.add(key),
    addDingtalk: (token, secret) => void dingtalk.set(token, secret),
    addWebhook: (name, secret) => void hooks.set(name, new Webhook(secret)),
    hold: (match) => void (holdMatch = match),
    held: () => heldAnswers.length,
    release() {
      holdMatch = null;
      for (const answer of heldAnswers.splice(0)) answer();
    },
    failNext: (target, n, status = 500) => void failing.set(target, { n, status }),
  };

  /** Over the robot's limit? Counts this message in its sliding minute. */
  function overLimit(target: string, at: number): boolean {
    const times = (sentTimes.get(target) ?? []).filter((t) => t > at - 60_000);
    times.push(at);
    sentTimes.set(target, times);
    return times.length > LIMIT_PER_MINUTE;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    r.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    const at = Date.now();
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const reject = (robot: string, target: string, reason: string, answer: () => void) => {
      r.rejections.push({ robot, target, reason });
      answer();
    };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return reject('?', url.pathname, 'body is not JSON', () => json(400, { errcode: 40000, errmsg: 'invalid json' }));
    }
    let robot: Delivery['robot'];
    let target: string;
    let delivery: Delivery;
    if (req.method === 'POST' && url.pathname === '/cgi-bin/webhook/send') {
      robot = 'wecom';
      target = url.searchParams.get('key') ?? '';
      if (!wecom.has(target)) return reject(robot, target, 'unknown key', () => json(200, { errcode: 93000, errmsg: 'invalid webhook url' }));
      const md = (body.markdown ?? {}) as { content?: unknown };
      if (body.msgtype !== 'markdown' || typeof md.content !== 'string') return reject(robot, target, 'not a markdown message', () => json(200, { errcode: 40008, errmsg: 'invalid message type' }));
      if (Buffer.byteLength(md.content) > MAX_MARKDOWN_BYTES) return reject(robot, target, 'content over 4096 bytes', () => json(200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' }));
      delivery = { robot, target, at, text: md.content, title: md.content.split('\n')[0].replace(/^#+\s*/, ''), notificationId: numberIn(md.content), body };
    } else if (req.method === 'POST' && url.pathname === '/robot/send') {
      robot = 'dingtalk';
      target = url.searchParams.get('access_token') ?? '';
      const secret = dingtalk.get(target);
      if (secret === undefined) return reject(robot, target, 'unknown access_token', () => json(200, { errcode: 300001, errmsg: 'token is not exist' }));
      const ts = url.searchParams.get('timestamp') ?? '';
      const sign = url.searchParams.get('sign') ?? '';
      const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${ts}\n${secret}`, 'utf8')).digest();
      const given = Buffer.from(sign, 'base64');
      if (!/^\d{13}$/.test(ts) || Math.abs(at - Number(ts)) > 3_600_000 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reject(robot, target, 'bad signature or timestamp', () => json(200, { errcode: 310000, errmsg: 'sign not match' }));
      }
      const card = (body.msgtype === 'markdown' ? body.markdown : body.msgtype === 'actionCard' ? body.actionCard : null) as { title?: unknown; text?: unknown } | null;
      if (!card || typeof card.title !== 'string' || typeof card.text !== 'string') return reject(robot, target, 'not a markdown or actionCard message', () => json(200, { errcode: 40035, errmsg: 'invalid message' }));
      delivery = { robot, target, at, text: card.text, title: card.title, notificationId: numberIn(card.text), body };
    } else if (req.method === 'POST' && url.pathname.startsWith('/hook/')) {
      robot = 'webhook';
      target = url.pathname.slice('/hook/'.length);
      const wh = hooks.get(target);
      if (!wh) return reject(robot, target, 'unknown hook', () => json(404, { error: 'no such hook' }));
      try {
        wh.verify(text, Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])));
      } catch (err) {
        return reject(robot, target, `signature: ${(err as Error).message}`, () => json(401, { error: 'bad signature' }));
      }
      const id = String(req.headers['webhook-id']);
      delivery = { robot, target, at, text: String(body.markdown ?? ''), title: String(body.title ?? ''), notificationId: Number(id.replace(/\D+/g, '')) || null, body };
      const answer = () => {
        if (seenIds.has(`${target}|${id}`)) r.duplicates.push(delivery);
        else {
          seenIds.add(`${target}|${id}`);
          r.deliveries.push(delivery);
        }
        json(200, { ok: true });
      };
      if (holdMatch?.(robot, target)) return void heldAnswers.push(answer);
      return answer();
    } else {
      return reject('?', url.pathname, 'unknown path', () => json(404, { error: 'not found' }));
    }
    const fail = failing.get(target);
    if (fail && fail.n > 0) {
      fail.n--;
      return json(fail.status, { errcode: -1, errmsg: 'system busy' });
    }
    const answer = () => {
      if (overLimit(target, at)) {
        r.rateLimited.push(delivery);
        return json(200, robot === 'wecom' ? { errcode: 45009, errmsg: 'api freq out of limit' } : { errcode: 130101, errmsg: 'send too fast' });
      }
      r.deliveries.push(delivery);
      json(200, { errcode: 0, errmsg: 'ok' });
    };
    if (holdMatch?.(robot, target)) return void heldAnswers.push(answer);
    answer();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(r, {
    url: base,
    wecomUrl: (key: string) => `${base}/cgi-bin/webhook/send?key=${key}`,
    dingtalkUrl: (token: string) => `${base}/robot/send?access_token=${token}`,
    webhookUrl: (name: string) => `${base}/hook/${name}`,
    close: () => new Promise<void>((resolve) => {
      r.release();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  }) as ChatReceiver;
}
