/**
 * The admin listing of chat notifications (GET /api/notifications): each outbox row with its channel, case, state
 * and delivery record; the channels (GET /api/notifications/channels) without their secrets.
 */

export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'failed', 'batched', 'cancelled'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface NotificationItem {
  id: number;
  kind: 'dispatch' | 'warning' | 'breach' | 'escalation' | 'rework' | 'digest' | 'batch';
  status: NotificationStatus;
  channel: { id: number; name: string; kind: 'wecom' | 'dingtalk' | 'webhook' };
  eventId: number | null;
  caseNo: string | null;
  /** The message's title as it was (or will be) sent. */
  title: string;
  createdAt: string;
  attempts: number;
  nextAt: string | null;
  sentAt: string | null;
  /** Sent again after the server stopped while a request for it was in flight. */
  interrupted: boolean;
  lastError: string | null;
  /** The storm digest it was folded into. */
  batchId: number | null;
}

export interface NotificationList {
  items: NotificationItem[];
  /** Rows by status, over the whole outbox. */
  counts: Partial<Record<NotificationStatus, number>>;
  /** Pass as `before` for the next (older) page; null at the end. */
  next: number | null;
}

export interface NotificationChannel {
  id: number;
  name: string;
  kind: 'wecom' | 'dingtalk' | 'webhook';
  /** The robot's key or access token masked. */
  url: string;
  hasSecret: boolean;
  scope: 'district' | 'subdistrict' | 'unit' | 'block';
  scopeCode: string;
  /** Message kinds it takes; empty = all. */
  kinds: string[];
  ratePerMinute: number;
  digestAt: string | null;
  enabled: boolean;
  createdAt: string;
}
