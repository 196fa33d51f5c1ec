/**
 * The live stream's messages (GET /api/stream, Server-Sent Events), keyed by message type. The server writes them
 * with `appendLiveMessage(db, type, payload, at)` (server/live/messages.ts), which takes `LivePayload[type]`; the
 * web app reads `LiveMessage<type>`: the same payload with the message time `at` (ISO 8601, +08:00) added.
 *
 * Wire format of one message:
 *   id: <live_messages.id>          monotonic; the client's Last-Event-ID on reconnect
 *   event: <type>
 *   data: <payload JSON with "at" added>
 * A new subscriber first gets a frame with only `id:` (where it starts), so a reconnect before the first message
 * still resumes without a gap; a Last-Event-ID outside the retained window gets `event: reset` (LiveReset).
 */
import type { DispatchRoute, KpiFigures } from './api.ts';
import type { Status } from './statuses.ts';
import type { Tier } from './taxonomy.ts';

/** A report was written (status `reported`). */
export interface EventCreatedPayload {
  id: number;
  caseNo: string;
  status: Status;
  kind: string;
  channel: string;
  /** Minor category code (4 digits). */
  category: string;
  tier: Tier;
  priority: string;
  lon: number;
  lat: number;
  blockCode: string;
  subdistrictCode: string;
  reportedAt: string;
  dueAt: string;
}

/**
 * A case moved: a transition of the loop (file, dispatch, resolve, close, …; `from`/`to` its statuses), or an
 * escalation step of the sweeper (`warning` 预警 / `breach` 超期, status kept, `escalationLevel` and `warningAt`
 * set, actor null). Every one says where the case is (block, subdistrict, position), so a reader can move counts
 * and markers from the message alone.
 */
export interface EventTransitionedPayload {
  id: number;
  caseNo: string;
  transition: string;
  from: Status;
  to: Status;
  /** Staff id of the actor; null for the system (escalation) and the resident channel. */
  actorId: number | null;
  assigneeId: number | null;
  tier: Tier;
  blockCode: string;
  subdistrictCode: string;
  lon: number;
  lat: number;
  dueAt: string;
  /** Escalation steps only: 1 warning, 2 breach. */
  escalationLevel?: number;
  /** Escalation steps only: when the warning threshold was (is) crossed. */
  warningAt?: string;
}

/** A field worker's position fix. */
export interface StaffPositionPayload {
  staffId: number;
  lon: number;
  lat: number;
}

/** Today's key figures, every 30 s (the message's `at` is the moment measured). */
export type KpiTickPayload = KpiFigures;

/** A responder was dispatched: the route itself (as GET /api/routes/active lists it). */
export type RouteDispatchedPayload = DispatchRoute;

export interface LivePayload {
  'event.created': EventCreatedPayload;
  'event.transitioned': EventTransitionedPayload;
  'staff.position': StaffPositionPayload;
  'kpi.tick': KpiTickPayload;
  'route.dispatched': RouteDispatchedPayload;
}

export type LiveType = keyof LivePayload;

export const LIVE_TYPES = [
  'event.created', 'event.transitioned', 'staff.position', 'kpi.tick', 'route.dispatched',
] as const satisfies readonly LiveType[];

/** Sent instead of a replay when the client's Last-Event-ID is no longer (or not yet) in the stored window. */
export interface LiveReset {
  reason: string;
  lastEventId: number;
  resumeFrom: number;
  at: string;
}

/** A message as the client receives it. */
export type LiveMessage<T extends LiveType> = LivePayload[T] & { at: string };

/** Every frame type a client may receive, with its parsed data. */
export type StreamMessages = { [T in LiveType]: LiveMessage<T> } & { reset: LiveReset };
export type StreamType = keyof StreamMessages;

export const isLiveType = (type: string): type is LiveType => (LIVE_TYPES as readonly string[]).includes(type);
