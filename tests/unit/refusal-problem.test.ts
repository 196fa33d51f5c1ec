/**
 * Refusal reasons → problem+json: every reason a service may refuse with is answered with its status through the
 * app's one error handler (400 malformed, 403 not permitted, 404 not found, 409 illegal transition or conflict, 422
 * invalid values), with its fields as `errors` and its facts as extension members.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { DomainError, REFUSAL_REASONS, refuse, type RefusalReason } from '../../server/domain/refusal.ts';
import { onError } from '../../server/http/problem.ts';
import { problemOfRefusal, statusOfReason } from '../../server/http/refusal-problem.ts';

const EXPECTED: Record<RefusalReason, number> = {
  'invalid-parameter': 400,
  'unknown-transition': 400,
  'actor-not-permitted': 403,
  'not-found': 404,
  'illegal-transition': 409,
  'verifier-is-handler': 409,
  'assignee-unchanged': 409,
  'extension-already-pending': 409,
  'no-extension-pending': 409,
  'already-top-tier': 409,
  'idempotency-conflict': 409,
  'extension-cap-reached': 409,
  'report-not-verified': 409,
  'report-already-verified': 409,
  'report-verification-not-needed': 409,
  'photos-not-accepted': 422,
  'already-located': 409,
  'missing-field': 422,
  'invalid-field': 422,
  'assignee-is-supervisor': 422,
  'assignee-tier-mismatch': 422,
  'invalid-report': 422,
  'unknown-staff': 422,
  'no-candidate': 422,
  'assignee-not-eligible': 422,
  'sign-in-required': 401,
  'bad-credentials': 401,
  'locked-out': 429,
  'role-not-permitted': 403,
  'out-of-scope': 403,
  'csrf-refused': 403,
};

function appThrowing(err: unknown) {
  return new Hono()
    .get('/x', () => {
      throw err;
    })
    .onError(onError);
}

describe('refusal reasons → problem+json', () => {
  it('the table names every reason', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...REFUSAL_REASONS].sort());
  });

  for (const reason of REFUSAL_REASONS) {
    it(`${reason} → ${EXPECTED[reason]}`, async () => {
      expect(statusOfReason(reason)).toBe(EXPECTED[reason]);
      const res = await appThrowing(refuse(reason, `refused: ${reason}`)).request('/x');
      expect(res.status).toBe(EXPECTED[reason]);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ type: `/problems/${reason}`, status: EXPECTED[reason], detail: `refused: ${reason}`, reason, instance: '/x' });
      expect(typeof body.title).toBe('string');
      expect(body.errors).toBeUndefined();
    });
  }

  it('fields become errors; facts become members, and cannot override the mapped ones', async () => {
    const err = new DomainError({
      reason: 'illegal-transition',
      detail: 'Event 7 is closed',
      fields: [{ in: 'body', name: 'to', detail: 'not from closed' }],
      facts: { eventStatus: 'closed', allowed: ['evaluate'], status: 200, type: 'x' },
    });
    const body = (await (await appThrowing(err).request('/x')).json()) as Record<string, unknown>;
    expect(body).toEqual({
      type: '/problems/illegal-transition', title: 'Transition not allowed now', status: 409, detail: 'Event 7 is closed',
      reason: 'illegal-transition', eventStatus: 'closed', allowed: ['evaluate'], instance: '/x',
      errors: [{ in: 'body', name: 'to', detail: 'not from closed' }],
    });
    expect(problemOfRefusal(err.refusal).status).toBe(409);
  });

  it('an unexpected error is still a logged 500, not a refusal', async () => {
    const log = console.error;
    console.error = () => {};
    try {
      const res = await appThrowing(new Error('boom')).request('/x');
      expect(res.status).toBe(500);
      expect(((await res.json()) as { reason?: string }).reason).toBeUndefined();
    } finally {
      console.error = log;
    }
  });
});
