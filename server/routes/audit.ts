/**
 * GET /api/audit (admins): the audit log, newest first, filtered by `from`, `to` (ISO dates or instants), `action`
 * (e.g. `event.transition`, or a prefix `event.`), `account`, `target` (e.g. `event:12`); keyset pages by
 * `before` (an id); `format=csv` gives the selection as CSV with a UTF-8 BOM.
 */
import { Hono } from 'hono';
import type { AuditRow } from '../db/commands/audit.ts';
import { permit } from '../http/auth.ts';
import { invalidParam } from '../http/problem.ts';
import { parseEnum, parseId, parseIntInRange, parseIsoDate, queryValidator } from '../http/validate.ts';
import type { Audit } from '../services/audit.ts';
import { toIso } from '../time.ts';

const QUERY = ['from', 'to', 'action', 'account', 'target', 'before', 'limit', 'format'] as const;
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 10_000;

const present = (r: AuditRow) => ({
  id: r.id,
  at: toIso(r.at),
  actor: r.actor,
  accountId: r.account_id,
  staffId: r.staff_id,
  ip: r.ip,
  action: r.action,
  target: r.target,
  before: r.before === null ? null : (JSON.parse(r.before) as unknown),
  after: r.after === null ? null : (JSON.parse(r.after) as unknown),
});

const CSV_COLUMNS = ['id', 'at', 'actor', 'account_id', 'staff_id', 'ip', 'action', 'target', 'before', 'after'] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading =, +, - or @ would be a formula to a spreadsheet program.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditRoutes(audit: Audit) {
  return new Hono().get(
    '/', permit('audit:read'),
    queryValidator(QUERY, (raw) => {
      const action = raw.action;
      if (action !== undefined && !/^[a-z0-9.-]{1,64}$/.test(action)) throw invalidParam('action', 'must be an action name such as event.transition, or a prefix such as event.');
      const target = raw.target;
      if (target !== undefined && !/^[a-z0-9]+:[A-Za-z0-9-]{1,40}$/.test(target)) throw invalidParam('target', 'must be kind:id, e.g. event:12');
      return {
        from: raw.from === undefined ? undefined : parseIsoDate('from', raw.from),
        to: raw.to === undefined ? undefined : parseIsoDate('to', raw.to),
        action,
        target,
        accountId: raw.account === undefined ? undefined : parseId('account', raw.account, 'query'),
        beforeId: raw.before === undefined ? undefined : parseId('before', raw.before, 'query'),
        limit: raw.limit === undefined ? DEFAULT_LIMIT : parseIntInRange('limit', raw.limit, 1, MAX_LIMIT),
        format: raw.format === undefined ? 'json' : parseEnum('format', raw.format, ['json', 'csv'] as const),
      };
    }),
    (c) => {
      const { format, ...f } = c.req.valid('query');
      const rows = audit.list(f);
      if (format === 'csv') {
        const lines = [CSV_COLUMNS.join(',')];
        for (const r of rows) lines.push([r.id, toIso(r.at), r.actor, r.account_id, r.staff_id, r.ip, r.action, r.target, r.before, r.after].map(csvCell).join(','));
        return c.body(`\uFEFF${lines.join('\r\n')}\r\n`, 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="audit.csv"',
          'Cache-Control': 'no-store',
        });
      }
      const last = rows[rows.length - 1];
      return c.json({ items: rows.map(present), nextBefore: rows.length === f.limit && last ? last.id : null }, 200, { 'Cache-Control': 'no-store' });
    },
  );
}
