import { createSignal, onCleanup, type Accessor } from 'solid-js';
import type { EventSummary } from '../../../server/contract/api';
import { IN_PROGRESS_STATUSES, needsReportVerification } from '../../../server/contract/statuses';
import { t, type MessageKey } from '../../i18n';

/**
 * The console's small pure helpers and shared state: the queue's scope (remembered in localStorage), a once-a-second clock for countdowns, the lifecycle mirror used only to enable buttons (the
 * server stays the authority) and the wording of times and distances.
 */

const IDENTITY_KEY = 'gezhi.ops.identity';

/** The console's remembered choice: the queue of the dispatcher's own subdistrict only, or every subdistrict. */
export interface Identity {
  scope: 'mine' | 'all';
}

export function readIdentity(): Identity {
  try {
    const raw = JSON.parse(localStorage.getItem(IDENTITY_KEY) ?? 'null') as Partial<Identity> | null;
    if (raw) return { scope: raw.scope === 'all' ? 'all' : 'mine' };
  } catch {
    // A damaged entry: start over.
  }
  return { scope: 'mine' };
}

export function writeIdentity(identity: Identity): void {
  localStorage.setItem(IDENTITY_KEY, JSON.stringify(identity));
}

/** Epoch ms, ticking once a second while the owner lives. */
export function createClock(periodMs = 1000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), periodMs);
  onCleanup(() => clearInterval(timer));
  return now;
}

export type DueLevel = 'ok' | 'warning' | 'overdue' | 'none';

/** Share of the allowed time after which a case shows amber when the server's own warning time is not at hand. */
export const WARNING_SHARE = 0.75;

/** Where a case stands against its deadline: green, amber (warning, from the server's list or 75 % of the window gone), red. */
export function dueLevel(e: Pick<EventSummary, 'reportedAt' | 'dueAt'>, now: number, warned = false): DueLevel {
  if (!e.dueAt) return 'none';
  const due = Date.parse(e.dueAt);
  if (now >= due) return 'overdue';
  if (warned) return 'warning';
  const start = Date.parse(e.reportedAt);
  if (due > start && (now - start) / (due - start) >= WARNING_SHARE) return 'warning';
  return 'ok';
}

/** "2时05分" / "-1天3时": the time left (negative when past due), compact. */
export function formatRemaining(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return sign + t('ops.time.dh', { d, h });
  if (h > 0) return sign + t('ops.time.hm', { h, m: two(m) });
  return sign + t('ops.time.ms', { m, s: two(s) });
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const m = Math.max(1, Math.round(seconds / 60));
  return m < 60 ? t('ops.eta.min', { m }) : t('ops.eta.hm', { h: Math.floor(m / 60), m: m % 60 });
}

export function formatDistance(metres: number | null): string {
  if (metres === null || !Number.isFinite(metres)) return '—';
  return metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(1)} km`;
}


/** A translated label for a code, falling back to the code itself when the dictionary has no entry. */
export function label(prefix: string, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—';
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === undefined ? code : text;
}

// --- The lifecycle, mirrored for button enabling only ----------------------------------------------------------


/** Transitions a dispatcher (guidance-centre staff of the case's subdistrict) may try from a status. */
export function dispatcherTransitions(
  e: { status: string; tier: string; channel?: string; kind?: string; reportVerifiedAt?: string | null },
  extensionPending = false,
): string[] {
  const out: string[] = [];
  const inProgress = (IN_PROGRESS_STATUSES as readonly string[]).includes(e.status);
  // 核实: hotline and walk-in reports are filed once the block supervisor has checked them on site.
  const awaitsCheck = needsReportVerification(e.channel, e.kind) && !e.reportVerifiedAt;
  if (e.status === 'reported') out.push(...(awaitsCheck ? ['reject'] : ['file', 'reject']));
  if (e.status === 'filed') out.push('dispatch');
  if (inProgress) out.push('reassign');
  if (inProgress && extensionPending) out.push('extension-approve', 'extension-deny');
  if (e.status === 'filed' && e.tier !== 'department') out.push('escalate');
  if (e.status === 'filed' || inProgress || e.status === 'resolved') out.push('urge');
  if (e.status === 'filed' || inProgress) out.push('suspend');
  if (e.status === 'suspended') out.push('resume');
  if (e.status === 'filed' || inProgress || e.status === 'suspended') out.push('void');
  if (e.status === 'closed') out.push('revisit');
  return out;
}

/** Is this a hand-off (流转) in the log: the assignee changed, or the case went back to the dispatcher? */
export function isHandOff(entry: { from: string | null; to: string; assignee: { id: number } | null }, previousAssignee: number | null): boolean {
  if (entry.from === null) return false;
  const assignee = entry.assignee?.id ?? null;
  if (entry.to === 'filed' && entry.from !== 'reported') return true; // returned
  return assignee !== null && previousAssignee !== null && assignee !== previousAssignee;
}
