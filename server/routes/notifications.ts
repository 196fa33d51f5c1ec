/**
 * Chat notifications for administrators:
 *
 * - GET /api/notifications[?status=&channel=&event=&before=&limit=]  the outbox, newest first (keyset pages by id),
 *                                                                     with counts by status
 * - GET /api/notifications/channels                                 the configured channels, secrets withheld
 * - GET /api/notifications/:id                                      one, with its delivery attempts (`deliveries`)
 *
 * The outbox needs notifications:read (administrators; dispatchers, whose /ops counts the failures), the channels
 * notifications:channels (administrators). Channels are configured with the command line
 * (`npm run gezhi -- channel add …`).
 */
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { NOTIFICATION_STATUSES, type NotificationItem, type NotificationList } from '../contract/notifications.ts';
import type { Db } from '../db/database.ts';
import { permit } from '../http/auth.ts';
import { notFound } from '../http/problem.ts';
import { parseEnum, parseId, parseIntInRange, queryValidator } from '../http/validate.ts';
import { channelStore, toView } from '../notify/channels.ts';
import { render, type NotificationFacts } from '../notify/render.ts';
import { outboxStore, type OutboxRow } from '../notify/store.ts';
import { toIso, toIsoOrNull } from '../time.ts';

export const NOTIFICATIONS_DEFAULT_LIMIT = 100;
export const NOTIFICATIONS_MAX_LIMIT = 1000;

type ListedRow = OutboxRow & { channel_name: string; channel_kind: string; case_no: string | null };

function toItem(r: ListedRow): NotificationItem {
  let title = '';
  try {
    title = render(JSON.parse(r.facts) as NotificationFacts, { id: r.id, redelivery: r.interrupted === 1 }).title;
  } catch {
    title = `(${r.kind})`;
  }
  return {
    id: r.id, kind: r.kind, status: r.status, channel: { id: r.channel_id, name: r.channel_name, kind: r.channel_kind as NotificationItem['channel']['kind'] },
    eventId: r.event_id, caseNo: r.case_no, title, createdAt: toIso(r.created_at), attempts: r.attempts,
    nextAt: r.status === 'pending' ? toIso(r.next_at) : null, sentAt: toIsoOrNull(r.sent_at), interrupted: r.interrupted === 1,
    lastError: r.last_error, batchId: r.batch_id,
  };
}

export function notificationRoutes({ db }: { db: Db }) {
  const store = outboxStore(db);
  const channels = channelStore(db);
  return new Hono()
    .get(
      '/', permit('notifications:read'),
      queryValidator(['status', 'channel', 'event', 'before', 'limit'] as const, (raw) => ({
        status: raw.status === undefined ? undefined : parseEnum('status', raw.status, NOTIFICATION_STATUSES),
        channelId: raw.channel === undefined ? undefined : parseId('channel', raw.channel, 'query'),
        eventId: raw.event === undefined ? undefined : parseId('event', raw.event, 'query'),
        before: raw.before === undefined ? undefined : parseId('before', raw.before, 'query'),
        limit: raw.limit === undefined ? NOTIFICATIONS_DEFAULT_LIMIT : parseIntInRange('limit', raw.limit, 1, NOTIFICATIONS_MAX_LIMIT),
      })),
      (c) => {
        const f = c.req.valid('query');
        const rows = store.list(f);
        const list: NotificationList = {
          items: rows.map(toItem), counts: store.counts(), next: rows.length === f.limit ? rows[rows.length - 1].id : null,
        };
        return c.json(list);
      },
    )
    .get('/channels', permit('notifications:channels'), (c) => c.json({ items: channels.list().map(toView) }))
    .get('/:id', permit('notifications:read'), validator('param', (v) => ({ id: parseId('id', String(v.id)) })), (c) => {
      const { id } = c.req.valid('param');
      const row = store.list({ limit: 1, before: id + 1 })[0];
      if (!row || row.id !== id) throw notFound(`No notification ${id}`);
      return c.json({
        ...toItem(row),
        deliveries: store.attemptsOf(id).map((a) => ({
          startedAt: toIso(a.started_at), endedAt: toIsoOrNull(a.ended_at), outcome: a.outcome, httpStatus: a.http_status, detail: a.detail,
        })),
      });
    });
}
