/**
 * Why a service refuses a request, in the domain's words. Services throw a `DomainError` carrying a `Refusal`
 * (a reason constant, a sentence, the offending fields and any facts that help the caller act, such as the
 * transitions allowed now); the HTTP layer alone turns a reason into a status (server/http/refusal-problem.ts).
 * Nothing here knows HTTP.
 */
import {
  ACTOR_NOT_PERMITTED, ASSIGNEE_IS_SUPERVISOR, ASSIGNEE_TIER_MISMATCH, ASSIGNEE_UNCHANGED, EXTENSION_CAP_REACHED,
  EXTENSION_PENDING, ILLEGAL_TRANSITION, INVALID_FIELD, MISSING_FIELD, NO_EXTENSION_PENDING, PHOTOS_NOT_ACCEPTED,
  REPORT_ALREADY_VERIFIED, REPORT_NOT_VERIFIED, TOP_TIER, UNKNOWN_TRANSITION, VERIFICATION_NOT_NEEDED, VERIFIER_IS_HANDLER,
} from './lifecycle.ts';

/** No such record (event, staff member, …). */
export const NOT_FOUND = 'not-found';
/** Input of the wrong shape or type: a missing field, a string where a number belongs, an unknown field. */
export const INVALID_PARAMETER = 'invalid-parameter';
/** A well-formed report whose values the district cannot take (a point outside it, an unknown category). */
export const INVALID_REPORT = 'invalid-report';
/** An idempotency key already stored with a different report. */
export const IDEMPOTENCY_CONFLICT = 'idempotency-conflict';
/** A staff id that names nobody. */
export const UNKNOWN_STAFF = 'unknown-staff';
/** A dispatch without an assignee for which no fit handler was found. */
export const NO_CANDIDATE = 'no-candidate';
/** A named assignee outside the case's handler pool. */
export const ASSIGNEE_NOT_ELIGIBLE = 'assignee-not-eligible';
/** A request awaiting location that was located already (its case is named in the facts). */
export const ALREADY_LOCATED = 'already-located';
/** No signed-in user or valid token, where the route needs one. */
export const SIGN_IN_REQUIRED = 'sign-in-required';
/** A wrong user name or password (which of the two is not said). */
export const BAD_CREDENTIALS = 'bad-credentials';
/** Too many failed sign-ins: the account waits out its back-off. */
export const LOCKED_OUT = 'locked-out';
/** The role holds no permission for this route. */
export const ROLE_NOT_PERMITTED = 'role-not-permitted';
/** The record lies outside the caller's subdistrict or blocks. */
export const OUT_OF_SCOPE = 'out-of-scope';
/** A write from the browser session without its CSRF token, or from another site. */
export const CSRF_REFUSED = 'csrf-refused';

/** Every reason a service may refuse with: the lifecycle's and the ones above. */
export const REFUSAL_REASONS = [
  UNKNOWN_TRANSITION, ILLEGAL_TRANSITION, ACTOR_NOT_PERMITTED, VERIFIER_IS_HANDLER, MISSING_FIELD, INVALID_FIELD,
  ASSIGNEE_IS_SUPERVISOR, ASSIGNEE_UNCHANGED, EXTENSION_PENDING, NO_EXTENSION_PENDING, TOP_TIER, ASSIGNEE_TIER_MISMATCH,
  EXTENSION_CAP_REACHED, REPORT_NOT_VERIFIED, REPORT_ALREADY_VERIFIED, VERIFICATION_NOT_NEEDED, PHOTOS_NOT_ACCEPTED,
  NOT_FOUND, INVALID_PARAMETER, INVALID_REPORT, IDEMPOTENCY_CONFLICT, UNKNOWN_STAFF, NO_CANDIDATE, ASSIGNEE_NOT_ELIGIBLE,
  ALREADY_LOCATED, SIGN_IN_REQUIRED, BAD_CREDENTIALS, LOCKED_OUT, ROLE_NOT_PERMITTED, OUT_OF_SCOPE, CSRF_REFUSED,
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** One offending input: where it was (the body, the query, the path or a header), its name and what is wrong. */
export interface FieldRefusal {
  in: 'query' | 'path' | 'body' | 'header';
  name: string;
  detail: string;
}

export interface Refusal {
  reason: RefusalReason;
  /** One sentence for a person: what was refused and why. */
  detail: string;
  fields?: FieldRefusal[];
  /** Facts the caller can act on, given back as they are (e.g. `eventStatus`, `allowed`, `actorRoles`). */
  facts?: Record<string, unknown>;
}

/** A refusal on its way out of a service; nothing was written. */
export class DomainError extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(refusal.detail);
    this.name = 'DomainError';
    this.refusal = refusal;
  }
  get reason(): RefusalReason {
    return this.refusal.reason;
  }
}

/** `throw refuse(NOT_FOUND, 'No event 7')`. */
export function refuse(
  reason: RefusalReason,
  detail: string,
  more: { fields?: FieldRefusal[]; facts?: Record<string, unknown> } = {},
): DomainError {
  return new DomainError({ reason, detail, ...more });
}

/** A refusal naming one body field. */
export function refuseField(reason: RefusalReason, detail: string, name: string, fieldDetail: string, facts?: Record<string, unknown>): DomainError {
  return refuse(reason, detail, { fields: [{ in: 'body', name, detail: fieldDetail }], ...(facts ? { facts } : {}) });
}
