/**
 * API and display tokens (admins): GET /api/tokens lists them (never the secret), POST /api/tokens
 * { role, subdistrict?, staffId?, label?, kind? } makes one and shows its secret once, DELETE /api/tokens/:id revokes.
 */
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { isRole } from '../domain/permissions.ts';
import { callerOf, permit } from '../http/auth.ts';
import { invalidParam } from '../http/problem.ts';
import { noQuery, parseCode, parseId, queryValidator } from '../http/validate.ts';
import type { Accounts, NewToken, TokenInfo } from '../services/accounts.ts';
import { toIso } from '../time.ts';
import { readJson } from './event-writes.ts';

const present = (t: TokenInfo) => ({
  ...t,
  createdAt: toIso(t.createdAt),
  expiresAt: t.expiresAt === null ? null : toIso(t.expiresAt),
  revokedAt: t.revokedAt === null ? null : toIso(t.revokedAt),
  lastUsedAt: t.lastUsedAt === null ? null : toIso(t.lastUsedAt),
});

function parseNewToken(raw: unknown): NewToken {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParam('body', 'must be a JSON object', 'body');
  const r = raw as Record<string, unknown>;
  const allowed = ['role', 'subdistrict', 'staffId', 'label', 'kind'];
  for (const k of Object.keys(r)) if (!allowed.includes(k)) throw invalidParam(k, `unknown field; allowed: ${allowed.join(', ')}`, 'body');
  const t: NewToken = {};
  if (r.staffId !== undefined) {
    if (typeof r.staffId !== 'number' || !Number.isSafeInteger(r.staffId) || r.staffId < 1) throw invalidParam('staffId', 'must be a staff id', 'body');
    t.staffId = r.staffId;
  } else if (!isRole(r.role)) throw invalidParam('role', 'must be a role (or give staffId)', 'body');
  else t.role = r.role;
  if (r.subdistrict !== undefined) t.subdistrict = parseCode('subdistrict', String(r.subdistrict), 9);
  if (r.label !== undefined) {
    if (typeof r.label !== 'string' || r.label.length > 200) throw invalidParam('label', 'must be a string of at most 200 characters', 'body');
    t.label = r.label;
  }
  if (r.kind !== undefined) {
    if (r.kind !== 'api' && r.kind !== 'display') throw invalidParam('kind', 'must be api or display', 'body');
    t.kind = r.kind;
  }
  return t;
}

export function tokenRoutes(accounts: Accounts) {
  return new Hono()
    .get('/', permit('accounts:manage'), queryValidator([], () => ({})), (c) => c.json({ items: accounts.listTokens().map(present) }))
    .post('/', permit('accounts:manage'), noQuery(), async (c) => {
      const made = accounts.createToken(parseNewToken(await readJson(c)), callerOf(c));
      const info = accounts.listTokens().find((t) => t.id === made.id)!;
      return c.json({ ...present(info), token: made.token }, 201);
    })
    .delete('/:id', permit('accounts:manage'), validator('param', (v) => ({ id: parseId('id', String(v.id)) })), noQuery(), (c) =>
      c.json(present(accounts.revokeToken(c.req.valid('param').id, callerOf(c)))),
    );
}
