/**
 * What goes over the wire to each kind of channel, and what its answer means.
 *
 * WeCom group robot (企业微信群机器人): POST the webhook URL (…/cgi-bin/webhook/send?key=KEY) with
 *   {"msgtype":"markdown","markdown":{"content":…}}; it answers {"errcode":0,"errmsg":"ok"}; errcode 45009 is its
 *   rate limit (20 messages a minute per robot).
 * DingTalk custom robot (钉钉自定义机器人) with 加签: POST the webhook URL (…/robot/send?access_token=TOKEN) with
 *   `&timestamp=MS&sign=SIGN` added, SIGN = urlencode(base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)));
 *   the body is {"msgtype":"actionCard",…} when the message has a link (one button), else {"msgtype":"markdown",…};
 *   it answers {"errcode":0,"errmsg":"ok"}; errcode 130101 is its rate limit (20 a minute; it then throttles the
 *   robot for 10 minutes).
 * Signed JSON webhook: the Standard Webhooks scheme — headers webhook-id (the notification's id, the same on every
 *   attempt: receivers dedupe on it), webhook-timestamp (seconds) and webhook-signature ("v1," + base64 of
 *   HMAC-SHA256(key = the secret's bytes, `${id}.${timestamp}.${body}`)); any 2xx is delivered, 429 is a rate limit
 *   (Retry-After honoured), anything else is retried.
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { NotificationKind, RenderedMessage } from './render.ts';

export type ChannelKind = 'wecom' | 'dingtalk' | 'webhook';

export interface ChannelTarget {
  kind: ChannelKind;
  url: string;
  secret: string | null;
}

export interface WireMeta {
  id: number;
  kind: NotificationKind;
  createdAt: string;
  redelivery: boolean;
  facts: unknown;
}

export interface WireRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type SendOutcome =
  | { ok: true; status: number; detail: string }
  | {
    ok: false; rateLimited: boolean; retryAfterMs: number | null; status: number | null; detail: string;
    /** No answer after the request may have arrived (a timeout, a connection cut mid-way): it may have been shown. */
    uncertain?: boolean;
  };

/** The id a webhook receiver sees for a notification (stable across attempts). */
export const deliveryId = (id: number): string => `gezhi-notification-${id}`;

/** DingTalk's 加签: the signature of a timestamp (ms) under a secret, before URL-encoding. */
export function dingTalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The HTTP request that carries a rendered message to a channel at `now` (ms). */
export function buildRequest(ch: ChannelTarget, msg: RenderedMessage, meta: WireMeta, now: number): WireRequest {
  const json = { 'Content-Type': 'application/json; charset=utf-8' };
  if (ch.kind === 'wecom') {
    return { url: ch.url, headers: json, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: msg.markdown } }) };
  }
  if (ch.kind === 'dingtalk') {
    const url = new URL(ch.url);
    if (ch.secret) {
      url.searchParams.set('timestamp', String(now));
      url.searchParams.set('sign', dingTalkSign(ch.secret, now));
    }
    const body = msg.link
      ? { msgtype: 'actionCard', actionCard: { title: msg.title, text: msg.markdown, singleTitle: '查看详情', singleURL: msg.link } }
      : { msgtype: 'markdown', markdown: { title: msg.title, text: msg.markdown } };
    return { url: url.toString(), headers: json, body: JSON.stringify(body) };
  }
  const id = deliveryId(meta.id);
  const body = JSON.stringify({
    id, type: meta.kind, createdAt: meta.createdAt, redelivery: meta.redelivery, title: msg.title, markdown: msg.markdown,
    link: msg.link, facts: meta.facts,
  });
  const at = new Date(Math.floor(now / 1000) * 1000);
  const headers: Record<string, string> = {
    ...json,
    'webhook-id': id,
    'webhook-timestamp': String(at.getTime() / 1000),
    'Idempotency-Key': id,
  };
  if (ch.secret) headers['webhook-signature'] = new Webhook(ch.secret).sign(id, at, body);
  return { url: ch.url, headers, body };
}

const WECOM_RATE_LIMITED = 45009;
const DINGTALK_RATE_LIMITED = 130101;
/** DingTalk throttles a robot that went over its limit for 10 minutes. */
const DINGTALK_THROTTLE_MS = 10 * 60_000;

/** What a channel's answer means. */
export function interpret(kind: ChannelKind, status: number, text: string, retryAfter: string | null): SendOutcome {
  const snippet = text.slice(0, 300);
  if (kind === 'webhook') {
    if (status >= 200 && status < 300) return { ok: true, status, detail: snippet };
    const secs = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : null;
    return { ok: false, rateLimited: status === 429, retryAfterMs: secs, status, detail: `HTTP ${status} ${snippet}` };
  }
  if (status < 200 || status >= 300) return { ok: false, rateLimited: status === 429, retryAfterMs: null, status, detail: `HTTP ${status} ${snippet}` };
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    return { ok: false, rateLimited: false, retryAfterMs: null, status, detail: `not JSON: ${snippet}` };
  }
  const code = Number(answer?.errcode);
  if (code === 0) return { ok: true, status, detail: snippet };
  const limited = code === (kind === 'wecom' ? WECOM_RATE_LIMITED : DINGTALK_RATE_LIMITED);
  return {
    ok: false, rateLimited: limited, retryAfterMs: limited && kind === 'dingtalk' ? DINGTALK_THROTTLE_MS : null, status,
    detail: `errcode ${String(answer?.errcode)} ${String(answer?.errmsg ?? '')}`.trim(),
  };
}

/** Sends one request; never throws (network errors and timeouts are outcomes). */
export async function send(kind: ChannelKind, req: WireRequest, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<SendOutcome> {
  try {
    const res = await fetchImpl(req.url, {
      method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual',
    });
    return interpret(kind, res.status, await res.text(), res.headers.get('retry-after'));
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    // Refused or unresolved: nothing arrived. Anything else may have been delivered before it failed.
    const unsent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e.cause?.code ?? '');
    return { ok: false, rateLimited: false, retryAfterMs: null, status: null, detail: why, uncertain: !unsent };
  }
}
