/**
 * Channel configuration: validation of a new channel (its URL may only point at a configured host), the
 * notify_channels table, and the view a read returns — never the secret, and the webhook key or access token in a
 * robot's URL masked, for that is a secret too.
 */
import { randomBytes } from 'node:crypto';
import type { NotificationChannel } from '../contract/notifications.ts';
import type { Db } from '../db/database.ts';
import { toIso } from '../time.ts';
import { MESSAGE_KINDS } from './render.ts';
import type { ChannelKind } from './wire.ts';

export const CHANNEL_KINDS = ['wecom', 'dingtalk', 'webhook'] as const satisfies readonly ChannelKind[];
export const CHANNEL_SCOPES = ['district', 'subdistrict', 'unit', 'block'] as const;
export type ChannelScope = (typeof CHANNEL_SCOPES)[number];

/** Hosts a channel URL may name unless GEZHI_NOTIFY_HOSTS says otherwise: the two robots' API hosts. */
export const DEFAULT_NOTIFY_HOSTS = ['qyapi.weixin.qq.com', 'oapi.dingtalk.com'] as const;
/** The robots' documented limit: 20 messages a minute. */
export const ROBOT_RATE_PER_MINUTE = 20;
export const WEBHOOK_RATE_PER_MINUTE = 600;

export interface ChannelInput {
  name: string;
  kind: string;
  url: string;
  secret?: string | null;
  scope: string;
  /** District, subdistrict or block code; the unit's id for a unit. */
  scopeCode: string;
  kinds?: readonly string[];
  ratePerMinute?: number;
  /** HH:MM (Asia/Shanghai) of the daily digest; none, no digest. */
  digestAt?: string | null;
}

export interface ChannelRow {
  id: number;
  name: string;
  kind: ChannelKind;
  url: string;
  secret: string | null;
  scope: ChannelScope;
  scope_code: string;
  kinds: string;
  rate_per_minute: number;
  digest_at: string | null;
  enabled: number;
  created_at: number;
}

/** A channel as reads show it: no secret, the robot's key masked. */
export type ChannelView = NotificationChannel;

export interface FieldProblem {
  field: string;
  detail: string;
}

/** GEZHI_NOTIFY_HOSTS: comma-separated host names (host:port allowed) channel URLs may name. */
export function notifyHostsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const raw = env.GEZHI_NOTIFY_HOSTS;
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_NOTIFY_HOSTS];
  return raw.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Problems of a URL for a channel kind against the allowed hosts (empty: fine). */
export function urlProblems(kind: string, text: string, hosts: readonly string[]): FieldProblem[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [{ field: 'url', detail: 'is not a URL' }];
  }
  const out: FieldProblem[] = [];
  const host = url.hostname.toLowerCase();
  if (!hosts.includes(host) && !hosts.includes(url.host.toLowerCase())) {
    out.push({ field: 'url', detail: `host ${url.host} is not one of the configured hosts (${hosts.join(', ')}; set GEZHI_NOTIFY_HOSTS)` });
  }
  // Plain HTTP would carry the robot key and the messages in the clear; only a receiver on this machine may use it.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(host))) {
    out.push({ field: 'url', detail: 'must be https (http only for a receiver on this machine)' });
  }
  if (url.username || url.password) out.push({ field: 'url', detail: 'must not carry a user name or password' });
  if (kind === 'wecom' && !url.searchParams.get('key')) out.push({ field: 'url', detail: 'a WeCom robot URL carries its key (…/cgi-bin/webhook/send?key=…)' });
  if (kind === 'dingtalk' && !url.searchParams.get('access_token')) {
    out.push({ field: 'url', detail: 'a DingTalk robot URL carries its access_token (…/robot/send?access_token=…)' });
  }
  return out;
}

/** A new secret for a signed webhook: 24 random bytes in Standard Webhooks' whsec_ form. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Checks a channel against the database (scope codes exist) and the allowed hosts; returns the row to insert. */
export function validateChannel(db: Db, input: ChannelInput, hosts: readonly string[]):
  { ok: true; row: Omit<ChannelRow, 'id' | 'enabled' | 'created_at'> } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const name = input.name.trim();
  if (!name || name.length > 80) problems.push({ field: 'name', detail: 'must be 1–80 characters' });
  else if (db.prepare('SELECT 1 FROM notify_channels WHERE name = ?').get(name)) problems.push({ field: 'name', detail: `a channel named "${name}" exists` });
  const kind = input.kind as ChannelKind;
  if (!(CHANNEL_KINDS as readonly string[]).includes(kind)) problems.push({ field: 'kind', detail: `must be one of ${CHANNEL_KINDS.join(', ')}` });
  else problems.push(...urlProblems(kind, input.url, hosts));
  let secret = input.secret?.trim() || null;
  if (kind === 'dingtalk' && !secret) problems.push({ field: 'secret', detail: 'a DingTalk robot is signed (加签): give the SEC… secret of its security settings' });
  if (kind === 'wecom' && secret) problems.push({ field: 'secret', detail: 'a WeCom robot takes no secret (its key is in the URL)' });
  if (kind === 'webhook') {
    secret ??= newWebhookSecret();
    if (!/^whsec_[A-Za-z0-9+/]{20,}={0,2}$/.test(secret)) problems.push({ field: 'secret', detail: 'must be whsec_ followed by base64 of at least 15 bytes' });
  }
  const scope = input.scope as ChannelScope;
  const code = input.scopeCode.trim();
  if (!(CHANNEL_SCOPES as readonly string[]).includes(scope)) problems.push({ field: 'scope', detail: `must be one of ${CHANNEL_SCOPES.join(', ')}` });
  else if (scope === 'unit') {
    if (!/^\d+$/.test(code) || !db.prepare('SELECT 1 FROM units WHERE id = ?').get(Number(code))) problems.push({ field: 'scopeCode', detail: `no unit with id ${code}` });
  } else if (scope === 'block') {
    if (!db.prepare('SELECT 1 FROM blocks WHERE code = ? LIMIT 1').get(code)) problems.push({ field: 'scopeCode', detail: `no block ${code}` });
  } else if (!db.prepare('SELECT 1 FROM areas WHERE code = ? AND level = ?').get(code, scope)) {
    problems.push({ field: 'scopeCode', detail: `no ${scope} ${code}` });
  }
  const kinds = [...new Set(input.kinds ?? [])];
  const unknown = kinds.filter((k) => !(MESSAGE_KINDS as readonly string[]).includes(k));
  if (unknown.length) problems.push({ field: 'kinds', detail: `unknown ${unknown.join(', ')}; known: ${MESSAGE_KINDS.join(', ')}` });
  const rate = input.ratePerMinute ?? (kind === 'webhook' ? WEBHOOK_RATE_PER_MINUTE : ROBOT_RATE_PER_MINUTE);
  if (!Number.isInteger(rate) || rate < 1 || rate > (kind === 'webhook' ? 10_000 : ROBOT_RATE_PER_MINUTE)) {
    problems.push({ field: 'ratePerMinute', detail: `must be a whole number from 1 to ${kind === 'webhook' ? 10_000 : ROBOT_RATE_PER_MINUTE} (got ${rate})` });
  }
  const digestAt = input.digestAt?.trim() || null;
  if (digestAt !== null && !HHMM.test(digestAt)) problems.push({ field: 'digestAt', detail: `must be HH:MM (got "${digestAt}")` });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    row: { name, kind, url: input.url, secret, scope, scope_code: code, kinds: kinds.join(','), rate_per_minute: rate, digest_at: digestAt },
  };
}

/** Hides the key or access token of a robot URL (the last four characters stay, to tell robots apart). */
export function maskUrl(text: string): string {
  try {
    const url = new URL(text);
    for (const k of ['key', 'access_token', 'token', 'secret']) {
      const v = url.searchParams.get(k);
      if (v) url.searchParams.set(k, `****${v.slice(-4)}`);
    }
    return url.toString();
  } catch {
    return '****';
  }
}

export function toView(r: ChannelRow): ChannelView {
  return {
    id: r.id, name: r.name, kind: r.kind, url: maskUrl(r.url), hasSecret: r.secret !== null, scope: r.scope, scopeCode: r.scope_code,
    kinds: r.kinds ? r.kinds.split(',') : [], ratePerMinute: r.rate_per_minute, digestAt: r.digest_at,
    enabled: r.enabled === 1, createdAt: toIso(r.created_at),
  };
}

export function channelStore(db: Db) {
  const st = {
    insert: db.prepare(`INSERT INTO notify_channels (name, kind, url, secret, scope, scope_code, kinds, rate_per_minute, digest_at, created_at)
      VALUES (@name, @kind, @url, @secret, @scope, @scope_code, @kinds, @rate_per_minute, @digest_at, @created_at)`),
    list: db.prepare<[], ChannelRow>('SELECT * FROM notify_channels ORDER BY id'),
    get: db.prepare<[number], ChannelRow>('SELECT * FROM notify_channels WHERE id = ?'),
    byName: db.prepare<[string], ChannelRow>('SELECT * FROM notify_channels WHERE name = ?'),
    disable: db.prepare('UPDATE notify_channels SET enabled = 0 WHERE id = ?'),
    cancelPending: db.prepare(`UPDATE notifications SET status = 'cancelled', last_error = 'channel removed' WHERE channel_id = ? AND status = 'pending'`),
  };
  return {
    /** Adds a validated channel; returns its id. */
    add(row: Omit<ChannelRow, 'id' | 'enabled' | 'created_at'>, at: number): number {
      return Number(st.insert.run({ ...row, created_at: at }).lastInsertRowid);
    },
    list: (): ChannelRow[] => st.list.all(),
    get: (id: number): ChannelRow | undefined => st.get.get(id),
    /** By id or name. */
    find(ref: string): ChannelRow | undefined {
      return /^\d+$/.test(ref) ? st.get.get(Number(ref)) ?? st.byName.get(ref) : st.byName.get(ref);
    },
    /** Disables a channel (its history stays) and cancels what it has not sent; returns the cancelled count. */
    remove(id: number): number {
      return db.transaction(() => {
        st.disable.run(id);
        return st.cancelPending.run(id).changes;
      }).immediate();
    },
  };
}
