import { api, ApiError } from '../../api/client';
import { csrfHeaders } from '../../api/session';
import type {
  CandidatesResult as Candidates, DispatchRoute as DispatchedRoute, DueList, EventDetail, EventSummary, StaffItem,
  UnlocatedList, UnlocatedRequest,
} from '../../../server/contract/api';
import type { NotificationList } from '../../../server/contract/notifications';

/**
 * The console's reads and writes. Reads of existing routes go through the typed client; the dispatch routes
 * (candidates, dispatch, active routes) use the contract's types.
 */

export type {
  Candidate, CandidateRoute as RouteLine, CandidatesResult as Candidates, DispatchRoute as DispatchedRoute, DueItem, EventDetail, LogEntry,
  StaffItem,
} from '../../../server/contract/api';

/** A refused write: the problem's text, and the transitions the server says are allowed now (409s carry them). */
export class WriteRefused extends ApiError {
  constructor(
    status: number,
    url: string,
    message: string,
    readonly allowed: string[] | null,
  ) {
    super(status, url, message);
    this.name = 'WriteRefused';
  }
}

async function readProblem(res: Response): Promise<{ message: string; allowed: string[] | null }> {
  let message = `${res.status} ${res.statusText}`;
  let allowed: string[] | null = null;
  try {
    const p = (await res.json()) as { title?: string; detail?: string; allowed?: unknown };
    message = [p.title, p.detail].filter(Boolean).join(': ') || message;
    if (Array.isArray(p.allowed)) allowed = p.allowed.filter((x): x is string => typeof x === 'string');
  } catch {
    // Not problem+json.
  }
  return { message, allowed };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    const p = await readProblem(res);
    throw new WriteRefused(res.status, url, p.message, p.allowed);
  }
  return (await res.json()) as T;
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...csrfHeaders() },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const p = await readProblem(res);
    throw new WriteRefused(res.status, url, p.message, p.allowed);
  }
  return (await res.json()) as T;
}

async function typed<T>(res: Response): Promise<T> {
  if (!res.ok) {
    const p = await readProblem(res);
    throw new WriteRefused(res.status, res.url, p.message, p.allowed);
  }
  return (await res.json()) as T;
}

/** Open cases waiting for the dispatcher: new reports and filed (or returned) cases, all pages. */
export async function fetchQueue(): Promise<EventSummary[]> {
  const items: EventSummary[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { status: 'reported,filed', limit: '5000' };
    if (cursor) query.cursor = cursor;
    const res = await api.api.events.$get({ query: query as never });
    const page = await typed<{ items: EventSummary[]; nextCursor: string | null }>(res as unknown as Response);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export async function fetchEvent(id: number): Promise<EventDetail> {
  const res = await api.api.events[':id'].$get({ param: { id: String(id) }, query: {} });
  return typed<EventDetail>(res as unknown as Response);
}

export async function fetchDue(): Promise<DueList> {
  const res = await api.api.events.overdue.$get({ query: { include: 'warning', limit: '1000' } as never });
  return typed(res as unknown as Response);
}

/** Chat notifications that failed for good (given up after their tries): the console shows how many. */
export async function fetchFailedNotifications(): Promise<number> {
  const list = await getJson<NotificationList>('/api/notifications?status=failed&limit=1');
  return list.counts.failed ?? 0;
}

export function fetchCandidates(id: number, limit = 10): Promise<Candidates> {
  return getJson(`/api/events/${id}/candidates?limit=${limit}`);
}

export function fetchActiveRoutes(): Promise<{ items: DispatchedRoute[] }> {
  return getJson('/api/routes/active');
}

export interface TransitionInput {
  to: string;
  note?: string;
  assignee?: number;
  reason?: string;
  /** suspend: the review date (YYYY-MM-DD, Asia/Shanghai). */
  reviewAt?: string;
  /** revisit: satisfied | dissatisfied. */
  result?: 'satisfied' | 'dissatisfied';
}

export function postTransition(id: number, body: TransitionInput): Promise<EventDetail> {
  return postJson(`/api/events/${id}/transitions`, body);
}

export function postDispatch(
  id: number,
  body: { assignee?: number; reason?: string },
): Promise<{ event: EventDetail; route: DispatchedRoute | null }> {
  return postJson(`/api/events/${id}/dispatch`, body);
}

/** Open311 requests that named an address but no point, waiting to be placed on the map (newest first). */
export async function fetchUnlocated(): Promise<UnlocatedRequest[]> {
  return (await getJson<UnlocatedList>('/api/events/unlocated?limit=1000')).items;
}

/** Places a waiting request at a WGS-84 point: it becomes a case (the answer), reported through the usual path. */
export function locateRequest(id: number, lon: number, lat: number): Promise<EventDetail> {
  return postJson(`/api/events/unlocated/${id}/locate`, { lon, lat });
}
