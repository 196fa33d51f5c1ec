/**
 * The closed loop (GB/T 30428.8) as a pure state machine: which transitions exist, from which statuses, who may
 * make them, what they need, and what each one changes. No database, no framework: the service loads the state,
 * asks `planTransition`, and writes the returned changes and log rows in one transaction.
 *
 *   reported ─file─▶ filed ─dispatch─▶ dispatched ─accept─▶ accepted ─arrive─▶ arrived ─resolve─▶ resolved
 *      └─reject─▶ rejected (invalid | duplicate)                                  resolved ─close─▶ closed ─evaluate─▶ evaluated
 *   side paths: return (回退: dispatched|accepted → filed, by the assignee), rework (返工: resolved → accepted, by the
 *   verifier), reassign (流转: a new assignee, back to dispatched), extension request/approve/deny (延期, status kept),
 *   escalate (督办·升级: next tier with a new assignee, back to dispatched; or the tier alone while filed).
 *
 * Validations return `{ ok: false, reason }` with reasons as exported constants; exceptions are for misuse only.
 */
import { IN_PROGRESS_STATUSES as IN_PROGRESS, STATUSES, type Status } from '../contract/statuses.ts';
import type { Tier } from '../contract/taxonomy.ts';
import { verifyDueAt } from './on-time.ts';
import { addWorkingTime, DEFAULT_CALENDAR, type WorkCalendar } from './working-time.ts';

// The statuses and what they mean (open, finished, in progress) are the contract's, shared with the web app.
export { isOpenStatus, STATUSES, type Status } from '../contract/statuses.ts';

/**
 * What an actor is to this event. dispatcher: staff of the guidance centre of the event's subdistrict; lead: a
 * centre inspector there (guidance or the event's unit); assignee: the event's current assignee; verifier: the
 * block's supervisor or an inspector of a centre of the subdistrict; evaluator: the reporter / resident channel;
 * system: the escalation sweeper.
 */
export type ActorRole = 'dispatcher' | 'lead' | 'assignee' | 'verifier' | 'evaluator' | 'system';
export const ACTOR_ROLES: readonly ActorRole[] = ['dispatcher', 'lead', 'assignee', 'verifier', 'evaluator', 'system'];

export interface Actor {
  /** Staff id; null for the resident channel and the system. */
  id: number | null;
  /** The actor's roles for this event, each with the label the log records (the staff role that grants it). */
  grants: Partial<Record<ActorRole, string>>;
}

export const TRANSITION_NAMES = [
  'file', 'reject', 'dispatch', 'accept', 'arrive', 'resolve', 'close', 'evaluate',
  'return', 'rework', 'reassign', 'extension-request', 'extension-approve', 'extension-deny', 'escalate',
] as const;
export type TransitionName = (typeof TRANSITION_NAMES)[number];

export type Field = 'reason' | 'assignee' | 'satisfaction' | 'hours';

export interface TransitionSpec {
  name: TransitionName;
  from: readonly Status[];
  /** The status after; null keeps the current one (a side row: from_status = to_status). */
  to: Status | null;
  roles: readonly ActorRole[];
  requires: readonly Field[];
  /** 中文 label, used as the log note's prefix. */
  label: string;
}

/** Every transition of the loop. */
export const TRANSITIONS: readonly TransitionSpec[] = [
  { name: 'file', from: ['reported'], to: 'filed', roles: ['dispatcher'], requires: [], label: '立案' },
  { name: 'reject', from: ['reported'], to: 'rejected', roles: ['dispatcher'], requires: ['reason'], label: '不予立案' },
  { name: 'dispatch', from: ['filed'], to: 'dispatched', roles: ['dispatcher'], requires: ['assignee'], label: '派遣' },
  { name: 'accept', from: ['dispatched'], to: 'accepted', roles: ['assignee'], requires: [], label: '接单' },
  { name: 'arrive', from: ['accepted'], to: 'arrived', roles: ['assignee'], requires: [], label: '到场' },
  { name: 'resolve', from: ['arrived'], to: 'resolved', roles: ['assignee'], requires: [], label: '处置完毕' },
  { name: 'close', from: ['resolved'], to: 'closed', roles: ['verifier'], requires: [], label: '核查通过，结案' },
  { name: 'evaluate', from: ['closed'], to: 'evaluated', roles: ['evaluator'], requires: ['satisfaction'], label: '评价' },
  { name: 'return', from: ['dispatched', 'accepted'], to: 'filed', roles: ['assignee'], requires: ['reason'], label: '回退' },
  { name: 'rework', from: ['resolved'], to: 'accepted', roles: ['verifier'], requires: ['reason'], label: '核查未通过，返工' },
  { name: 'reassign', from: IN_PROGRESS, to: 'dispatched', roles: ['dispatcher'], requires: ['assignee'], label: '流转' },
  { name: 'extension-request', from: IN_PROGRESS, to: null, roles: ['assignee'], requires: ['hours', 'reason'], label: '延期申请' },
  { name: 'extension-approve', from: IN_PROGRESS, to: null, roles: ['dispatcher', 'lead'], requires: [], label: '延期批准' },
  { name: 'extension-deny', from: IN_PROGRESS, to: null, roles: ['dispatcher', 'lead'], requires: ['reason'], label: '延期驳回' },
  { name: 'escalate', from: ['filed', ...IN_PROGRESS], to: null, roles: ['dispatcher', 'lead'], requires: [], label: '升级督办' },
];
const BY_NAME = new Map(TRANSITIONS.map((t) => [t.name, t]));

export function transitionSpec(name: TransitionName): TransitionSpec {
  return BY_NAME.get(name)!;
}

// Reasons (stable identifiers; the API returns them, the UI translates them).
export const UNKNOWN_TRANSITION = 'unknown-transition';
export const ILLEGAL_TRANSITION = 'illegal-transition';
export const ACTOR_NOT_PERMITTED = 'actor-not-permitted';
export const VERIFIER_IS_HANDLER = 'verifier-is-handler';
export const MISSING_FIELD = 'missing-field';
export const INVALID_FIELD = 'invalid-field';
export const ASSIGNEE_IS_SUPERVISOR = 'assignee-is-supervisor';
export const ASSIGNEE_UNCHANGED = 'assignee-unchanged';
export const EXTENSION_PENDING = 'extension-already-pending';
export const NO_EXTENSION_PENDING = 'no-extension-pending';
export const TOP_TIER = 'already-top-tier';
export const ASSIGNEE_TIER_MISMATCH = 'assignee-tier-mismatch';
export type RejectReason =
  | typeof UNKNOWN_TRANSITION | typeof ILLEGAL_TRANSITION | typeof ACTOR_NOT_PERMITTED | typeof VERIFIER_IS_HANDLER
  | typeof MISSING_FIELD | typeof INVALID_FIELD | typeof ASSIGNEE_IS_SUPERVISOR | typeof ASSIGNEE_UNCHANGED
  | typeof EXTENSION_PENDING | typeof NO_EXTENSION_PENDING | typeof TOP_TIER | typeof ASSIGNEE_TIER_MISMATCH;

/** Reasons given when rejecting a report (不予立案). */
export const REJECT_REASONS = ['invalid', 'duplicate'] as const;
export type RejectKind = (typeof REJECT_REASONS)[number];
const REJECT_LABEL: Record<RejectKind, string> = { invalid: '无效', duplicate: '重复' };

/** The most working hours one extension may add (two working weeks of 6.5 h days). */
export const MAX_EXTENSION_HOURS = 65;

/** The event columns the lifecycle reads and writes (a subset of the events row). */
export interface EventState {
  status: Status;
  tier: Tier;
  assignee_id: number | null;
  unit_id: number | null;
  reported_at: number;
  filed_at: number | null;
  dispatched_at: number | null;
  accepted_at: number | null;
  arrived_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  evaluated_at: number | null;
  due_at: number;
  satisfaction: number | null;
  rework_count: number;
  extension_count: number;
  extension_pending: 0 | 1;
  escalated: 0 | 1;
  escalation_level: number;
  warned_at: number | null;
  breached_at: number | null;
  /** The verification deadline (核查时限, on-time.ts); absent where the caller did not load it. */
  verify_due_at?: number | null;
}

/** What the pure machine needs beyond the row: facts the service looked up. */
export interface EventContext {
  /** Everyone who has been the assignee while the case was in progress (may not verify it). */
  handlers: readonly number[];
  /** The block's supervisor (may not handle the block's cases). */
  supervisorId: number | null;
  /** Working hours asked for by the pending extension request, if any. */
  pendingExtensionHours: number | null;
}

export type EventChanges = Partial<EventState>;

export interface LogRow {
  at: number;
  actor_id: number | null;
  actor_role: string;
  from_status: Status;
  to_status: Status;
  assignee_id: number | null;
  note: string;
}

export interface TransitionRequest {
  /** A transition name, or a target status (resolved against the current status). */
  to: string;
  note?: string;
  /** The new assignee (dispatch, reassign, escalate) with the tier they work at and their unit. */
  assignee?: { id: number; tier: Tier; unitId: number | null };
  /** reject: invalid | duplicate; return, rework, extension: free text. */
  reason?: string;
  /** extension-request / extension-approve: working hours. */
  hours?: number;
  /** evaluate: 1–5. */
  satisfaction?: number;
}

export type Plan =
  | { ok: true; transition: TransitionName; changes: EventChanges; log: LogRow[] }
  | { ok: false; reason: RejectReason; detail: string; allowed: TransitionName[]; field?: Field };

const NEXT_TIER: Record<Tier, Tier | null> = { block: 'centre', centre: 'department', department: null };
export const nextTier = (t: Tier): Tier | null => NEXT_TIER[t];

/** The transition a request's `to` names in this status: a transition name, or the status-changing transition to it. */
export function resolveTransition(status: Status, to: string): TransitionSpec | undefined {
  const byName = BY_NAME.get(to as TransitionName);
  if (byName) return byName;
  return TRANSITIONS.find((t) => t.to === to && t.to !== status && t.from.includes(status));
}

function roleFor(spec: TransitionSpec, actor: Actor): ActorRole | undefined {
  return spec.roles.find((r) => actor.grants[r] !== undefined);
}

/** Does the state allow this transition beyond its from-status (pending extension, top tier)? */
function stateAllows(spec: TransitionSpec, state: EventState): boolean {
  switch (spec.name) {
    case 'extension-request':
      return state.extension_pending === 0;
    case 'extension-approve':
    case 'extension-deny':
      return state.extension_pending === 1;
    case 'escalate':
      return NEXT_TIER[state.tier] !== null;
    default:
      return true;
  }
}

/** Transitions this actor may make now (given back with a refusal, and the console's buttons). Verifiers who handled the case get no close/rework. */
export function allowedTransitions(state: EventState, actor: Actor, ctx?: Pick<EventContext, 'handlers'>): TransitionName[] {
  return TRANSITIONS.filter(
    (t) =>
      t.from.includes(state.status) &&
      stateAllows(t, state) &&
      roleFor(t, actor) !== undefined &&
      !(t.roles.includes('verifier') && roleFor(t, actor) === 'verifier' && actor.id !== null && ctx?.handlers.includes(actor.id)),
  ).map((t) => t.name);
}

/** Transitions legal from a status for someone (any actor). */
export function transitionsFrom(status: Status): TransitionName[] {
  return TRANSITIONS.filter((t) => t.from.includes(status)).map((t) => t.name);
}

/** The status-changing (from, to) pairs of the loop: the reference for table-driven tests. */
export function legalStatusPairs(): [Status, Status][] {
  const out: [Status, Status][] = [];
  for (const t of TRANSITIONS) for (const f of t.from) if (t.to !== null && t.to !== f) out.push([f, t.to]);
  return out;
}

const fail = (
  reason: RejectReason, detail: string, state: EventState, actor: Actor, ctx: EventContext, field?: Field,
): Plan => ({ ok: false, reason, detail, allowed: allowedTransitions(state, actor, ctx), ...(field ? { field } : {}) });

const isText = (s: unknown): s is string => typeof s === 'string' && s.trim().length > 0;
const join = (label: string, ...parts: (string | undefined)[]) => {
  const rest = parts.filter(isText).map((s) => s.trim());
  return rest.length ? `${label}：${rest.join('；')}` : label;
};

/**
 * Plans one transition: checks the from-status, the actor's role, the verifier ≠ handler rule and the required
 * fields, and returns the column changes and log rows — or the reason it is refused, with the transitions the actor
 * may make instead.
 */
export function planTransition(
  state: EventState,
  request: TransitionRequest,
  actor: Actor,
  now: number,
  ctx: EventContext,
  calendar: WorkCalendar = DEFAULT_CALENDAR,
): Plan {
  const spec = resolveTransition(state.status, request.to);
  if (!spec) {
    const known = (STATUSES as readonly string[]).includes(request.to);
    return fail(
      known ? ILLEGAL_TRANSITION : UNKNOWN_TRANSITION,
      known
        ? `No transition leads from ${state.status} to ${request.to}`
        : `Unknown transition '${request.to}'; give a status or one of ${TRANSITION_NAMES.join(', ')}`,
      state, actor, ctx,
    );
  }
  if (!spec.from.includes(state.status) || !stateAllows(spec, state)) {
    const why =
      !spec.from.includes(state.status)
        ? `${spec.name} is possible from ${spec.from.join(', ')}, not from ${state.status}`
        : spec.name === 'extension-request'
          ? 'An extension request is already pending'
          : spec.name === 'escalate'
            ? `The case is already at the top tier (${state.tier})`
            : 'No extension request is pending';
    const reason =
      !spec.from.includes(state.status) ? ILLEGAL_TRANSITION
      : spec.name === 'extension-request' ? EXTENSION_PENDING
      : spec.name === 'escalate' ? TOP_TIER
      : NO_EXTENSION_PENDING;
    return fail(reason, why, state, actor, ctx);
  }
  const role = roleFor(spec, actor);
  if (!role) {
    return fail(ACTOR_NOT_PERMITTED, `${spec.name} is for the ${spec.roles.join(' or ')}; this actor is ${Object.keys(actor.grants).join(', ') || 'none of those'}`, state, actor, ctx);
  }
  if (role === 'verifier' && actor.id !== null && ctx.handlers.includes(actor.id)) {
    return fail(VERIFIER_IS_HANDLER, `Staff ${actor.id} handled this case and may not verify it`, state, actor, ctx);
  }

  // Required fields.
  for (const f of spec.requires) {
    const v = f === 'assignee' ? request.assignee : request[f];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      return fail(MISSING_FIELD, `${spec.name} needs '${f}'`, state, actor, ctx, f);
    }
  }
  if (spec.name === 'reject' && !(REJECT_REASONS as readonly string[]).includes(request.reason!)) {
    return fail(INVALID_FIELD, `reason must be one of ${REJECT_REASONS.join(', ')}`, state, actor, ctx, 'reason');
  }
  if (spec.name === 'evaluate') {
    const s = request.satisfaction!;
    if (!Number.isInteger(s) || s < 1 || s > 5) return fail(INVALID_FIELD, 'satisfaction must be an integer from 1 to 5', state, actor, ctx, 'satisfaction');
  }
  const hours = spec.name === 'extension-approve' ? request.hours ?? ctx.pendingExtensionHours ?? undefined : request.hours;
  if (spec.name === 'extension-request' || spec.name === 'extension-approve') {
    if (hours === undefined) return fail(MISSING_FIELD, `${spec.name} needs 'hours'`, state, actor, ctx, 'hours');
    if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_EXTENSION_HOURS) {
      return fail(INVALID_FIELD, `hours must be more than 0 and at most ${MAX_EXTENSION_HOURS} working hours`, state, actor, ctx, 'hours');
    }
  }
  const assignee = request.assignee;
  if (assignee && (spec.name === 'dispatch' || spec.name === 'reassign' || spec.name === 'escalate')) {
    if (ctx.supervisorId !== null && assignee.id === ctx.supervisorId) {
      return fail(ASSIGNEE_IS_SUPERVISOR, `Staff ${assignee.id} supervises this block and may not handle its cases`, state, actor, ctx, 'assignee');
    }
    if (spec.name === 'reassign' && assignee.id === state.assignee_id) {
      return fail(ASSIGNEE_UNCHANGED, `Staff ${assignee.id} is already the assignee`, state, actor, ctx, 'assignee');
    }
  }
  if (spec.name === 'escalate') {
    const target = NEXT_TIER[state.tier]!;
    if (state.status !== 'filed' && !assignee) return fail(MISSING_FIELD, `escalate while ${state.status} needs 'assignee' at the ${target} tier`, state, actor, ctx, 'assignee');
    if (assignee && assignee.tier !== target) {
      return fail(ASSIGNEE_TIER_MISMATCH, `The assignee works at the ${assignee.tier} tier; escalation from ${state.tier} goes to ${target}`, state, actor, ctx, 'assignee');
    }
  }

  // Changes and log rows.
  const from = state.status;
  const to = spec.to ?? from;
  const changes: EventChanges = {};
  if (to !== from) changes.status = to;
  let logAssignee = state.assignee_id;
  let note = join(spec.label, request.note);
  const stampOnce = (col: 'filed_at' | 'dispatched_at' | 'accepted_at' | 'arrived_at') => {
    if (state[col] === null) changes[col] = now;
  };
  switch (spec.name) {
    case 'file':
      changes.filed_at = now;
      break;
    case 'reject':
      // A rejected case carries its decision time in filed_at (as the history does).
      changes.filed_at = now;
      note = join(`${spec.label}（${REJECT_LABEL[request.reason as RejectKind]}）`, request.note);
      break;
    case 'dispatch':
    case 'reassign':
      stampOnce('dispatched_at');
      changes.assignee_id = assignee!.id;
      if (assignee!.unitId !== null) changes.unit_id = assignee!.unitId;
      logAssignee = assignee!.id;
      break;
    case 'accept':
      stampOnce('accepted_at');
      break;
    case 'arrive':
      stampOnce('arrived_at');
      break;
    case 'resolve':
      changes.resolved_at = now;
      changes.verify_due_at = verifyDueAt(now, calendar);
      if (state.extension_pending) changes.extension_pending = 0;
      break;
    case 'close':
      changes.closed_at = now;
      break;
    case 'evaluate':
      changes.evaluated_at = now;
      changes.satisfaction = request.satisfaction!;
      break;
    case 'return':
      changes.assignee_id = null;
      if (state.extension_pending) changes.extension_pending = 0;
      logAssignee = null;
      note = join(spec.label, request.reason, request.note);
      break;
    case 'rework':
      changes.resolved_at = null;
      changes.verify_due_at = null;
      changes.rework_count = state.rework_count + 1;
      note = join(spec.label, request.reason, request.note);
      break;
    case 'extension-request':
      changes.extension_pending = 1;
      note = join(`${spec.label}：${formatHours(hours!)}`, request.reason, request.note);
      break;
    case 'extension-approve':
      changes.extension_pending = 0;
      changes.extension_count = state.extension_count + 1;
      changes.due_at = addWorkingTime(state.due_at, hours!, 'working-hours', calendar);
      note = join(`${spec.label}：${formatHours(hours!)}`, request.note);
      break;
    case 'extension-deny':
      changes.extension_pending = 0;
      note = join(spec.label, request.reason, request.note);
      break;
    case 'escalate': {
      const target = NEXT_TIER[state.tier]!;
      changes.tier = target;
      changes.escalated = 1;
      if (assignee) {
        // With reassignment the new handler starts over from dispatched (a hand-off to the next tier).
        if (from !== 'dispatched') changes.status = 'dispatched';
        stampOnce('dispatched_at');
        changes.assignee_id = assignee.id;
        changes.unit_id = assignee.unitId;
        logAssignee = assignee.id;
      } else changes.unit_id = null; // filed: the next tier's dispatcher picks the unit when dispatching
      note = join(`${spec.label}：${TIER_LABEL[state.tier]}→${TIER_LABEL[target]}`, request.reason, request.note);
      break;
    }
  }
  const log: LogRow[] = [{
    at: now,
    actor_id: actor.id,
    actor_role: actor.grants[role]!,
    from_status: from,
    to_status: (changes.status ?? from) as Status,
    assignee_id: logAssignee,
    note,
  }];
  return { ok: true, transition: spec.name, changes, log };
}

const TIER_LABEL: Record<Tier, string> = { block: '家事自办', centre: '小事共办', department: '大事公办' };

/** 8 → '8个工作小时' (the note format the extension rows use; parseExtensionHours reads it back). */
export function formatHours(hours: number): string {
  return `${Math.round(hours * 100) / 100}个工作小时`;
}

/** The hours of an extension request row's note, or null. */
export function parseExtensionHours(note: string): number | null {
  const m = /^延期申请：([0-9]+(?:\.[0-9]+)?)个工作小时/.exec(note);
  return m ? Number(m[1]) : null;
}
