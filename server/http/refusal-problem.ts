/**
 * The one place where the domain's refusal reasons become HTTP: each reason's status and title. 400 for malformed
 * input, 401 without a sign-in, 403 for an actor without the role (or outside their area), 404 for a missing record, 409 for a transition the state does not allow
 * or a conflicting write, 422 for well-formed but invalid values, 429 for a locked-out sign-in. The problem's type is `/problems/<reason>`; the
 * refusal's fields become `errors` and its facts (allowed transitions, the event's status, …) extension members.
 */
import type { FieldRefusal, Refusal, RefusalReason } from '../domain/refusal.ts';

export const REFUSAL_STATUS: Readonly<Record<RefusalReason, [status: 400 | 401 | 403 | 404 | 409 | 422 | 429, title: string]>> = {
  'invalid-parameter': [400, 'Invalid parameter'],
  'unknown-transition': [400, 'Unknown transition'],
  'actor-not-permitted': [403, 'Not permitted'],
  'sign-in-required': [401, 'Sign-in required'],
  'bad-credentials': [401, 'Wrong user name or password'],
  'locked-out': [429, 'Too many failed sign-ins'],
  'role-not-permitted': [403, 'Not permitted for this role'],
  'out-of-scope': [403, 'Outside your area'],
  'csrf-refused': [403, 'Cross-site request refused'],
  'not-found': [404, 'Not found'],
  'illegal-transition': [409, 'Transition not allowed now'],
  'verifier-is-handler': [409, 'A handler may not verify the case'],
  'assignee-unchanged': [409, 'Assignee unchanged'],
  'extension-already-pending': [409, 'An extension is already pending'],
  'no-extension-pending': [409, 'No extension is pending'],
  'already-top-tier': [409, 'Already at the top tier'],
  'extension-cap-reached': [409, 'No more extensions allowed'],
  'report-not-verified': [409, 'The report is not verified on site yet'],
  'report-already-verified': [409, 'The report is verified already'],
  'report-verification-not-needed': [409, 'This report needs no on-site verification'],
  'idempotency-conflict': [409, 'Idempotency key reused'],
  'already-located': [409, 'Already located'],
  'missing-field': [422, 'Missing field'],
  'invalid-field': [422, 'Invalid field'],
  'assignee-is-supervisor': [422, 'The assignee supervises the block'],
  'assignee-tier-mismatch': [422, 'The assignee works at another tier'],
  'photos-not-accepted': [422, 'No photos with this step'],
  'invalid-report': [422, 'Invalid report'],
  'unknown-staff': [422, 'Unknown staff'],
  'no-candidate': [422, 'No candidate'],
  'assignee-not-eligible': [422, 'Assignee not eligible'],
};

/** The HTTP status a refusal reason is answered with. */
export function statusOfReason(reason: RefusalReason): number {
  return REFUSAL_STATUS[reason][0];
}

/** The problem+json members of a refusal (server/http/problem.ts renders them). */
export interface RefusalProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  reason: RefusalReason;
  errors?: FieldRefusal[];
  [extension: string]: unknown;
}

/** The problem+json body of a refusal. */
export function problemOfRefusal(refusal: Refusal): RefusalProblem {
  const [status, title] = REFUSAL_STATUS[refusal.reason];
  return {
    ...refusal.facts,
    type: `/problems/${refusal.reason}`,
    title,
    status,
    detail: refusal.detail,
    reason: refusal.reason,
    ...(refusal.fields?.length ? { errors: refusal.fields } : {}),
  };
}
