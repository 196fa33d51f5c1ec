/**
 * POST /api/events/:id/transitions: loads the event and the facts the lifecycle needs (who the actor is to it, who
 * handled it, the block's supervisor, the pending extension), asks the pure machine for a plan, and writes the
 * changes, the log row(s) and the live message in one transaction. A refusal is thrown as the lifecycle's reason
 * (a DomainError) with the transitions the actor may make now, the event's status and the offending field.
 */
import type { EventRow } from '../db/commands/events.ts';
import { appendLiveMessage } from '../live/messages.ts';
import { routeCommands } from '../db/commands/routes.ts';
import { routeOutcome } from '../domain/recommend.ts';
import {
  ACTOR_NOT_PERMITTED, ASSIGNEE_IS_SUPERVISOR, INVALID_FIELD, parseExtensionHours, planTransition, resolveTransition,
  UNKNOWN_TRANSITION, type Actor, type EventState, type Photo, type TransitionRequest,
} from '../domain/lifecycle.ts';
import { addWorkingTime } from '../domain/working-time.ts';
import { warningAt } from '../domain/escalation.ts';
import { NOT_FOUND, OUT_OF_SCOPE, refuse, refuseField, UNKNOWN_STAFF } from '../domain/refusal.ts';
import { inScope } from '../domain/scope.ts';
import { proposeAssignee } from '../domain/assignee-proposal.ts';
import { actorFor, NOBODY, RESIDENT, tierOfRole } from '../domain/roles.ts';
import type { Caller } from '../domain/principal.ts';
import { TAXONOMY, type Tier } from '../contract/taxonomy.ts';
import { toIso } from '../time.ts';
import type { ServiceContext } from './context.ts';

export interface TransitionBody {
  to: string;
  note?: string;
  assignee?: number;
  reason?: string;
  hours?: number;
  satisfaction?: number;
  /** suspend: the review date, ISO 8601 (a date alone means its start in Asia/Shanghai). */
  reviewAt?: number;
  /** revisit: satisfied | dissatisfied. */
  result?: string;
  /** arrive, resolve, close, rework: before/after photo links. */
  photos?: Photo[];
}

function stateOf(row: EventRow): EventState {
  return row as unknown as EventState;
}

export function createTransitionService(ctx: ServiceContext) {
  const { db, cmd } = ctx;

  /** The assignee's handling role: tier and unit (preferring a role in the event's subdistrict). */
  function assigneeOf(staffId: number, row: EventRow, versionId: number, at: number): { id: number; tier: Tier; unitId: number | null } {
    if (!cmd.staff(staffId)) throw refuseField(UNKNOWN_STAFF, `No staff ${staffId}`, 'assignee', 'no such staff');
    const all = cmd.assignments(staffId, versionId, at);
    if (all.some((a) => a.role === 'supervisor' && a.block_code === row.block_code)) {
      throw refuseField(ASSIGNEE_IS_SUPERVISOR, `Staff ${staffId} supervises this block and may not handle its cases`, 'assignee', 'is the block supervisor');
    }
    const handling = all
      .filter((a) => tierOfRole(a.role) !== null && a.role !== 'centre-inspector')
      .sort((a, b) => Number(b.subdistrict_code === row.subdistrict_code) - Number(a.subdistrict_code === row.subdistrict_code));
    const a = handling[0];
    if (!a) {
      throw refuseField(INVALID_FIELD, `Staff ${staffId} has no active role that handles cases`, 'assignee',
        'has no active governor, assistant, centre-staff or officer role');
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
    /** Applies one transition; returns the event id. Throws a DomainError when refused (nothing is written then). */
    transition(eventId: number, body: TransitionBody, caller: Caller): { id: number; transition: string } {
      const at = ctx.now();
      const result = db.transaction(() => {
        const row = cmd.row(eventId);
        if (!row) throw refuse(NOT_FOUND, `No event ${eventId}`);
        const versionId = ctx.q.versions.current(at)?.id ?? row.version_id;
        if (!inScope(caller.principal, row)) throw refuse(OUT_OF_SCOPE, `Event ${eventId} lies outside your subdistrict`);
        // The actor is the caller: a staff member's account acts as that staff member, an integration as the
        // resident channel (评价), anyone else holds no lifecycle role and is refused by the machine.
        const staffId = caller.principal?.staffId ?? null;
        let actor: Actor;
        if (staffId !== null) actor = actorFor(staffId, cmd.assignments(staffId, versionId, at), row);
        else actor = caller.principal?.role === 'integration' ? RESIDENT : NOBODY;
        const state = stateOf(row);
        const spec = resolveTransition(state.status, body.to, state);
        const request: TransitionRequest = {
          to: body.to, note: body.note, reason: body.reason, hours: body.hours, satisfaction: body.satisfaction,
          reviewAt: body.reviewAt, result: body.result, photos: body.photos,
        };
        let assigneeId = body.assignee;
        if (assigneeId === undefined && spec?.name === 'dispatch') assigneeId = proposed(row, versionId, at) ?? undefined;
        if (assigneeId !== undefined && spec && ['dispatch', 'reassign', 'escalate'].includes(spec.name)) {
          request.assignee = assigneeOf(assigneeId, row, versionId, at);
        }
        const team = cmd.blockTeam(row.version_id, row.block_code, at);
        const pendingNote = row.extension_pending ? cmd.lastExtensionRequestNote(eventId) : null;
        const category = TAXONOMY.byCode.get(row.category_code);
        const plan = planTransition(state, request, actor, at, {
          handlers: cmd.handlers(eventId),
          supervisorId: team.supervisor,
          pendingExtensionHours: pendingNote ? parseExtensionHours(pendingNote) : null,
          maxExtensions: ctx.maxExtensions,
          deadlineUnit: category?.deadline.unit,
          // 重办 starts the category's clock over from now.
          redoDueAt: spec?.name === 'revisit' && category ? addWorkingTime(at, category.deadline.value, category.deadline.unit, ctx.calendar) : undefined,
        }, ctx.calendar);
        if (!plan.ok) {
          const field = plan.reason === UNKNOWN_TRANSITION ? 'to' : plan.field;
          throw refuse(plan.reason, plan.detail, {
            ...(field ? { fields: [{ in: 'body', name: field, detail: plan.detail }] } : {}),
            facts: {
              eventStatus: row.status,
              allowed: plan.allowed,
              ...(plan.reason === ACTOR_NOT_PERMITTED ? { actorRoles: Object.keys(actor.grants) } : {}),
            },
          });
        }
        if (plan.changes.due_at !== undefined && plan.changes.due_at !== row.due_at && !('warn_at' in plan.changes)) {
          // An approved extension (or 重办) moved the due time: the stored warning instant follows (the sweep reads
          // it). Resuming from 挂账 moves it itself, by the paused time. Unknown category: left unset, and the
          // sweeper fills it in from the categories table.
          (plan.changes as Record<string, unknown>).warn_at = category
            ? warningAt(row.reported_at, plan.changes.due_at, category.warningRatio, category.deadline.unit, ctx.calendar)
            : null;
        }
        cmd.updateEvent(eventId, plan.changes);
        for (const l of plan.log) {
          const logId = cmd.insertLog({ event_id: eventId, ...l });
          for (const p of plan.photos) cmd.insertPhoto(logId, eventId, p.kind, p.url);
        }
        const after = { ...row, ...plan.changes } as EventRow;
        const routeEnd = routeOutcome(plan.transition, after.status); // the dispatch route: arrived, or the trip is off
        if (routeEnd) routeCommands(db).settle(eventId, routeEnd);
        appendLiveMessage(db, 'event.transitioned', {
          id: eventId, caseNo: row.case_no, transition: plan.transition, from: state.status, to: after.status as EventState['status'],
          actorId: actor.id, assigneeId: after.assignee_id, tier: after.tier, blockCode: row.block_code,
          subdistrictCode: row.subdistrict_code, lon: row.lon, lat: row.lat, dueAt: toIso(after.due_at),
          ...(plan.transition === 'urge' || plan.transition === 'suspend' || plan.transition === 'void' ? { reason: body.reason ?? null } : {}),
          ...(plan.transition === 'suspend' ? { reviewAt: toIso(body.reviewAt!) } : {}),
          ...(plan.transition === 'revisit' ? { result: body.result } : {}),
          ...(plan.photos.length ? { photos: plan.photos.length } : {}),
        }, at);
        ctx.audit.record(caller, {
          action: 'event.transition', target: `event:${eventId}`,
          before: { status: row.status, assignee: row.assignee_id, tier: row.tier, dueAt: row.due_at },
          after: { transition: plan.transition, status: after.status, assignee: after.assignee_id, tier: after.tier, dueAt: after.due_at },
        }, at);
        return { id: eventId, transition: plan.transition };
      }).immediate();
      ctx.live?.notify();
      return result;
    },
  };
}

export type TransitionService = ReturnType<typeof createTransitionService>;
