/** The body of POST /api/events/:id/transitions: its shape checked here (400), its values judged by the lifecycle. */
import { invalidParam } from '../http/problem.ts';
import type { TransitionBody } from '../services/transitions.ts';

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
