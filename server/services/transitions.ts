/**
 * POST /api/events/:id/transitions: loads the event and the facts the lifecycle needs (who the actor is to it, who
 * handled it, the block's supervisor, the pending extension), asks the pure machine for a plan, and writes the
 * changes, the log row(s) and the live message in one transaction. Refusals become problems: 409 for a transition
 * the state does not allow (with `allowed`), 403 for an actor without the role, 422 for missing or invalid fields.
 */
import type { EventRow } from '../db/commands/events.ts';
import { ProblemError } from '../http/problem.ts';
import { invalidParam } from '../http/problem.ts';
import { appendLiveMessage } from '../live/messages.ts';
import { routeCommands } from '../db/commands/routes.ts';
import { routeOutcome } from '../domain/recommend.ts';
import {
  ACTOR_NOT_PERMITTED, ASSIGNEE_IS_SUPERVISOR, ASSIGNEE_TIER_MISMATCH, INVALID_FIELD, MISSING_FIELD, parseExtensionHours,
  planTransition, resolveTransition, UNKNOWN_TRANSITION, type Actor, type EventState, type RejectReason, type TransitionRequest,
} from '../domain/lifecycle.ts';
import { warningAt } from '../domain/escalation.ts';
import { proposeAssignee } from '../domain/report.ts';
import { actorFor, RESIDENT, tierOfRole } from '../domain/roles.ts';
import { TAXONOMY, type Tier } from '../contract/taxonomy.ts';
import { toIso } from '../time.ts';
import type { ServiceContext } from './context.ts';

export interface TransitionBody {
  to: string;
  /** Staff id, or 'resident' for the reporter's evaluation. */
  actor: number | 'resident';
  note?: string;
  assignee?: number;
  reason?: string;
  hours?: number;
  satisfaction?: number;
}

const BODY_FIELDS = ['to', 'actor', 'note', 'assignee', 'reason', 'hours', 'satisfaction'];

/** Checks the body's shape (400 on anything malformed). Values are the lifecycle's to judge. */
export function parseTransitionBody(raw: unknown): TransitionBody {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParam('body', 'must be a JSON object', 'body');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!BODY_FIELDS.includes(k)) throw invalidParam(k, `unknown field; allowed: ${BODY_FIELDS.join(', ')}`, 'body');
  if (typeof r.to !== 'string' || r.to.length === 0 || r.to.length > 40) throw invalidParam('to', 'must be a status or a transition name', 'body');
  const id = (name: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalidParam(name, 'must be a staff id (a positive integer)', 'body');
    return v;
  };
  const text = (name: string, v: unknown, max: number): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.length > max) throw invalidParam(name, `must be a string of at most ${max} characters`, 'body');
    return v;
  };
  const num = (name: string, v: unknown): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParam(name, 'must be a number', 'body');
    return v;
  };
  if (r.actor === undefined) throw invalidParam('actor', "is required: a staff id, or 'resident' for an evaluation", 'body');
  const body: TransitionBody = { to: r.to, actor: r.actor === 'resident' ? 'resident' : id('actor', r.actor) };
  const note = text('note', r.note, 500);
  const reason = text('reason', r.reason, 500);
  const hours = num('hours', r.hours);
  const satisfaction = num('satisfaction', r.satisfaction);
  if (note !== undefined) body.note = note;
  if (reason !== undefined) body.reason = reason;
  if (hours !== undefined) body.hours = hours;
  if (satisfaction !== undefined) body.satisfaction = satisfaction;
  if (r.assignee !== undefined && r.assignee !== null) body.assignee = id('assignee', r.assignee);
  return body;
}

const STATUS_OF: Record<RejectReason, number> = {
  'unknown-transition': 400,
  'illegal-transition': 409,
  'actor-not-permitted': 403,
  'verifier-is-handler': 409,
  'missing-field': 422,
  'invalid-field': 422,
  'assignee-is-supervisor': 422,
  'assignee-unchanged': 409,
  'extension-already-pending': 409,
  'no-extension-pending': 409,
  'already-top-tier': 409,
  'assignee-tier-mismatch': 422,
};

function stateOf(row: EventRow): EventState {
  return row as unknown as EventState;
}

export function createTransitionService(ctx: ServiceContext) {
  const { db, cmd } = ctx;

  /** The assignee's handling role: tier and unit (preferring a role in the event's subdistrict). */
  function assigneeOf(staffId: number, row: EventRow, versionId: number, at: number): { id: number; tier: Tier; unitId: number | null } {
    if (!cmd.staff(staffId)) throw new ProblemError(422, `No staff ${staffId}`, { errors: [{ in: 'body', name: 'assignee', detail: 'no such staff' }] });
    const all = cmd.assignments(staffId, versionId, at);
    if (all.some((a) => a.role === 'supervisor' && a.block_code === row.block_code)) {
      throw new ProblemError(422, `Staff ${staffId} supervises this block and may not handle its cases`, {
        type: `/problems/${ASSIGNEE_IS_SUPERVISOR}`,
        reason: ASSIGNEE_IS_SUPERVISOR,
        errors: [{ in: 'body', name: 'assignee', detail: 'is the block supervisor' }],
      });
    }
    const handling = all
      .filter((a) => tierOfRole(a.role) !== null && a.role !== 'centre-inspector')
      .sort((a, b) => Number(b.subdistrict_code === row.subdistrict_code) - Number(a.subdistrict_code === row.subdistrict_code));
    const a = handling[0];
    if (!a) {
      throw new ProblemError(422, `Staff ${staffId} has no active role that handles cases`, {
        reason: INVALID_FIELD,
        errors: [{ in: 'body', name: 'assignee', detail: 'has no active governor, assistant, centre-staff or officer role' }],
      });
    }
    return { id: staffId, tier: tierOfRole(a.role)!, unitId: a.unit_id };
  }

  /** The proposal for a dispatch without an assignee: the block's governor, or the unit's least-loaded handler. */
  function proposed(row: EventRow, versionId: number, at: number): number | null {
    const category = TAXONOMY.byCode.get(row.category_code);
    if (!category) return null;
    if (row.tier === 'block') return cmd.blockTeam(versionId, row.block_code, at).governor;
    if (row.tier !== category.tier || row.unit_id === null) return null; // escalated: the dispatcher chooses
    const handlers = cmd.unitHandlers(row.unit_id, at);
    const load = cmd.openLoad(handlers);
    return proposeAssignee(category, null, row.unit_id, handlers.map((id) => ({ staffId: id, unitId: row.unit_id!, open: load.get(id) ?? 0 }))).assigneeId;
  }

  return {
    /** Applies one transition; returns the event id. Throws a problem when refused (nothing is written then). */
    transition(eventId: number, body: TransitionBody): { id: number; transition: string } {
      const at = ctx.now();
      const result = db.transaction(() => {
        const row = cmd.row(eventId);
        if (!row) throw new ProblemError(404, `No event ${eventId}`);
        const versionId = ctx.q.versions.current(at)?.id ?? row.version_id;
        let actor: Actor;
        if (body.actor === 'resident') actor = RESIDENT;
        else {
          if (!cmd.staff(body.actor)) {
            throw new ProblemError(422, `No staff ${body.actor}`, { errors: [{ in: 'body', name: 'actor', detail: 'no such staff' }] });
          }
          actor = actorFor(body.actor, cmd.assignments(body.actor, versionId, at), row);
        }
        const spec = resolveTransition(row.status as EventState['status'], body.to);
        const request: TransitionRequest = { to: body.to, note: body.note, reason: body.reason, hours: body.hours, satisfaction: body.satisfaction };
        let assigneeId = body.assignee;
        if (assigneeId === undefined && spec?.name === 'dispatch') assigneeId = proposed(row, versionId, at) ?? undefined;
        if (assigneeId !== undefined && spec && ['dispatch', 'reassign', 'escalate'].includes(spec.name)) {
          request.assignee = assigneeOf(assigneeId, row, versionId, at);
        }
        const team = cmd.blockTeam(row.version_id, row.block_code, at);
        const pendingNote = row.extension_pending ? cmd.lastExtensionRequestNote(eventId) : null;
        const plan = planTransition(stateOf(row), request, actor, at, {
          handlers: cmd.handlers(eventId),
          supervisorId: team.supervisor,
          pendingExtensionHours: pendingNote ? parseExtensionHours(pendingNote) : null,
        }, ctx.calendar);
        if (!plan.ok) {
          const status = STATUS_OF[plan.reason];
          const fieldReason = plan.reason === MISSING_FIELD || plan.reason === INVALID_FIELD || plan.reason === ASSIGNEE_IS_SUPERVISOR || plan.reason === ASSIGNEE_TIER_MISMATCH;
          throw new ProblemError(status, plan.detail, {
            type: `/problems/${plan.reason}`,
            title: status === 409 ? 'Transition not allowed now' : status === 403 ? 'Not permitted' : status === 400 ? 'Unknown transition' : 'Invalid transition',
            reason: plan.reason,
            eventStatus: row.status,
            allowed: plan.allowed,
            ...(fieldReason && plan.field ? { errors: [{ in: 'body' as const, name: plan.field, detail: plan.detail }] } : {}),
            ...(plan.reason === UNKNOWN_TRANSITION ? { errors: [{ in: 'body' as const, name: 'to', detail: plan.detail }] } : {}),
            ...(plan.reason === ACTOR_NOT_PERMITTED ? { actorRoles: Object.keys(actor.grants) } : {}),
          });
        }
        if (plan.changes.due_at !== undefined && plan.changes.due_at !== row.due_at) {
          // An approved extension moved the due time: the stored warning instant moves with it (the sweep reads it).
          // (Unknown category: left unset, and the sweeper fills it in from the categories table.)
          const category = TAXONOMY.byCode.get(row.category_code);
          (plan.changes as Record<string, unknown>).warn_at = category
            ? warningAt(row.reported_at, plan.changes.due_at, category.warningRatio, category.deadline.unit, ctx.calendar)
            : null;
        }
        cmd.updateEvent(eventId, plan.changes);
        for (const l of plan.log) cmd.insertLog({ event_id: eventId, ...l });
        const after = { ...row, ...plan.changes } as EventRow;
        const routeEnd = routeOutcome(plan.transition, after.status); // the dispatch route: arrived, or the trip is off
        if (routeEnd) routeCommands(db).settle(eventId, routeEnd);
        appendLiveMessage(db, 'event.transitioned', {
          id: eventId, caseNo: row.case_no, transition: plan.transition, from: row.status, to: after.status,
          actorId: actor.id, assigneeId: after.assignee_id, tier: after.tier, blockCode: row.block_code,
          subdistrictCode: row.subdistrict_code, lon: row.lon, lat: row.lat, dueAt: toIso(after.due_at),
        }, at);
        return { id: eventId, transition: plan.transition };
      }).immediate();
      ctx.live?.notify();
      return result;
    },
  };
}

export type TransitionService = ReturnType<typeof createTransitionService>;
