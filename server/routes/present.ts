/** Row → API shape mappers shared by several routes (times become ISO 8601 with +08:00). */
import { maskPhone } from '../domain/personal-data.ts';
import { hasDeadline } from '../contract/deadline.ts';
import type { EventDetail, EventSummary, LogEntry, Photo, Staff, StaffItem } from '../contract/api.ts';
import { isClockStatus } from '../contract/statuses.ts';
import type { EventDetailRow, EventLogRow, EventSummaryRow } from '../db/queries/events.ts';
import type { StaffRow } from '../db/queries/staff.ts';
import type { TeamRow } from '../db/queries/blocks.ts';
import { toIso, toIsoOrNull } from '../time.ts';

export type { EventSummary, PersonRef, Staff } from '../contract/api.ts';

/** Rounds a coordinate to 6 decimals (≈0.1 m), dropping floating-point noise like 112.80499999999999. */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function toEventSummary(r: EventSummaryRow, now: number): EventSummary {
  return {
    id: r.id,
    caseNo: r.case_no,
    kind: r.kind,
    channel: r.channel,
    category: { code: r.category_code, name: r.category_name },
    status: r.status,
    priority: r.priority,
    tier: r.tier,
    lon: round6(r.lon),
    lat: round6(r.lat),
    blockCode: r.block_code,
    communityCode: r.community_code,
    subdistrictCode: r.subdistrict_code,
    reportedAt: toIso(r.reported_at),
    dueAt: hasDeadline(r.due_at) ? toIso(r.due_at) : null,
    closedAt: toIsoOrNull(r.closed_at),
    overdue: isClockStatus(r.status) && r.due_at < now,
    assignee: r.assignee_id === null ? null : { id: r.assignee_id, name: r.assignee_name ?? '' },
  };
}

/**
 * The full case: the summary object with the detail fields added onto it (not spread into a new object: this
 * answers every report, POST /api/events, and copying the summary was a measurable part of that).
 */
type Photos = ReadonlyMap<number, Photo[]>;
const NO_PHOTOS: Photos = new Map();

export function toEventDetail(r: EventDetailRow, log: EventLogRow[], now: number, photos: Photos = NO_PHOTOS): EventDetail {
  return Object.assign(toEventSummary(r, now), {
    text: r.text,
    reporter: r.reporter,
    filedAt: toIsoOrNull(r.filed_at),
    dispatchedAt: toIsoOrNull(r.dispatched_at),
    acceptedAt: toIsoOrNull(r.accepted_at),
    arrivedAt: toIsoOrNull(r.arrived_at),
    resolvedAt: toIsoOrNull(r.resolved_at),
    evaluatedAt: toIsoOrNull(r.evaluated_at),
    satisfaction: r.satisfaction,
    reworkCount: r.rework_count,
    extensionCount: r.extension_count,
    escalated: r.escalated === 1,
    // Rows written before these columns existed (a fresh report's in-memory row) leave them undefined.
    verifyDueAt: toIsoOrNull(r.verify_due_at ?? null),
    verifyOverdue: (r.verify_breached_at ?? null) !== null,
    reportVerifiedAt: toIsoOrNull(r.report_verified_at ?? null),
    suspendedAt: toIsoOrNull(r.suspended_at ?? null),
    suspendedFrom: r.suspended_from ?? null,
    reviewAt: toIsoOrNull(r.review_at ?? null),
    voidedAt: toIsoOrNull(r.voided_at ?? null),
    log: log.map((l): LogEntry => ({
      id: l.id,
      at: toIso(l.at),
      actor: l.actor_id === null ? null : { id: l.actor_id, name: l.actor_name ?? '' },
      actorRole: l.actor_role,
      from: l.from_status,
      to: l.to_status,
      assignee: l.assignee_id === null ? null : { id: l.assignee_id, name: l.assignee_name ?? '' },
      note: l.note,
      photos: photos.get(l.id) ?? [],
    })),
  });
}

/** A staff member; the phone number whole only for callers who may see staff contacts (else 138****1234). */
export function toStaff(r: TeamRow, wholePhone: boolean): Staff {
  return { id: r.staff_id, name: r.name, phone: wholePhone ? r.phone : maskPhone(r.phone), role: r.role, gender: r.gender };
}

export function toStaffWithRole(r: StaffRow, wholePhone: boolean): StaffItem {
  return {
    id: r.id,
    name: r.name,
    phone: wholePhone ? r.phone : maskPhone(r.phone),
    gender: r.gender,
    role: r.role,
    blockCode: r.block_code,
    subdistrictCode: r.subdistrict_code,
    unit:
      r.unit_id === null
        ? null
        : { id: r.unit_id, kind: r.unit_kind!, key: r.unit_key!, name: r.unit_name! },
    position:
      r.pos_lon === null || r.pos_lat === null || r.pos_at === null
        ? null
        : { lon: round6(r.pos_lon), lat: round6(r.pos_lat), at: toIso(r.pos_at) },
  };
}
