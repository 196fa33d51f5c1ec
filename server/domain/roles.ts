/**
 * Who an actor is to an event, from their active role assignments. Pure: the service loads the assignments.
 *
 *   dispatcher  staff (or the inspector) of the guidance centre (综合指导中心) of the event's subdistrict
 *   lead        a centre inspector of the event's subdistrict: the guidance centre's, or the event's own unit's
 *   assignee    the event's current assignee
 *   verifier    someone outside the handling unit (管办分离): the supervisor of the event's block, or an inspector of
 *               the guidance centre of the event's subdistrict — unless the guidance centre is itself the handling unit.
 *               Inspectors of the other centres are leads of their own cases, never verifiers.
 *   evaluator   the resident channel (no staff id)
 */
import type { Actor, ActorRole } from './lifecycle.ts';
import type { Tier } from '../contract/taxonomy.ts';

export type StaffRole = 'governor' | 'assistant' | 'supervisor' | 'centre-staff' | 'centre-inspector' | 'officer';

export interface Assignment {
  role: StaffRole;
  block_code: string | null;
  unit_id: number | null;
  unit_kind: 'centre' | 'department' | null;
  unit_key: string | null;
  /** The subdistrict of the block or the unit. */
  subdistrict_code: string;
}

export interface EventFacts {
  block_code: string;
  subdistrict_code: string;
  unit_id: number | null;
  assignee_id: number | null;
}

/** The tier at which a staff role handles cases. */
export function tierOfRole(role: StaffRole): Tier | null {
  if (role === 'governor' || role === 'assistant') return 'block';
  if (role === 'centre-staff' || role === 'centre-inspector') return 'centre';
  if (role === 'officer') return 'department';
  return null; // supervisors supervise
}

/** The actor's lifecycle roles for this event, each labelled with the staff role that grants it. */
export function actorFor(staffId: number, assignments: readonly Assignment[], e: EventFacts): Actor {
  const grants: Partial<Record<ActorRole, string>> = {};
  const here = assignments.filter((a) => a.subdistrict_code === e.subdistrict_code);
  for (const a of here) {
    const guidance = a.unit_kind === 'centre' && a.unit_key === 'guidance';
    if (guidance && (a.role === 'centre-staff' || a.role === 'centre-inspector')) grants.dispatcher ??= a.role;
    if (a.role === 'centre-inspector' && (guidance || a.unit_id === e.unit_id)) grants.lead ??= a.role;
    if (a.role === 'supervisor' && a.block_code === e.block_code) grants.verifier = 'supervisor';
    if (a.role === 'centre-inspector' && guidance && a.unit_id !== e.unit_id) grants.verifier ??= 'centre-inspector';
  }
  if (e.assignee_id !== null && staffId === e.assignee_id) {
    const tied =
      assignments.find((a) => a.block_code !== null && a.block_code === e.block_code && a.role !== 'supervisor') ??
      assignments.find((a) => a.unit_id !== null && a.unit_id === e.unit_id) ??
      assignments[0];
    grants.assignee = tied?.role ?? 'staff';
  }
  return { id: staffId, grants };
}

/** The resident channel (评价 by the reporter). */
export const RESIDENT: Actor = { id: null, grants: { evaluator: 'resident' } };

/** A caller with no lifecycle role (an account without a staff row): every transition is refused. */
export const NOBODY: Actor = { id: null, grants: {} };

/** The escalation sweeper. */
export const SYSTEM: Actor = { id: null, grants: { system: 'system' } };
