/** The query parameters GET /api/events and GET /api/events/columns share: a time span and a status filter. */
import { STATUSES, type Status } from '../db/queries/events.ts';
import { invalidParam } from '../http/problem.ts';
import { parseEnumList, parseIsoDate } from '../http/validate.ts';

/** Statuses, plus `open` (any unfinished status) and `overdue` (open and past due). */
export const STATUS_VALUES = [...STATUSES, 'open', 'overdue'] as const;

export interface StatusFilter {
  statuses: Status[];
  open: boolean;
  overdue: boolean;
}

/** `from`, `to` (a date alone means its whole day; later than `from`) and `status`, each when given. */
export function parseSpanAndStatus(raw: { from?: string; to?: string; status?: string }): { from?: number; to?: number; status?: StatusFilter } {
  const f: { from?: number; to?: number; status?: StatusFilter } = {};
  if (raw.from !== undefined) f.from = parseIsoDate('from', raw.from);
  if (raw.to !== undefined) f.to = parseIsoDate('to', raw.to, { endOfDay: true });
  if (f.from !== undefined && f.to !== undefined && !(f.to > f.from)) throw invalidParam('to', 'must be later than from');
  if (raw.status !== undefined) {
    const values = parseEnumList('status', raw.status, STATUS_VALUES);
    f.status = {
      statuses: values.filter((v): v is Status => v !== 'open' && v !== 'overdue'),
      open: values.includes('open'),
      overdue: values.includes('overdue'),
    };
  }
  return f;
}
