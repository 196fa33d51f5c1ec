/**
 * The escalation sweeper: every `intervalMs` it finds open cases that crossed their warning threshold (预警) or
 * their due time (超期) and escalates each once — columns, a system log row and a live message per step, one
 * transaction per sweep — then wakes the live hub.
 */
import { eventCommands, type EventCommands } from '../db/commands/events.ts';
import type { Db } from '../db/database.ts';
import { escalationSteps, warningAt, type EscalationState } from '../domain/escalation.ts';
import type { Status } from '../domain/lifecycle.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';
import { appendLiveMessage } from '../live/messages.ts';
import { toIso } from '../time.ts';
import type { LiveNotifier } from './context.ts';

export interface SweeperOptions {
  db: Db;
  now?: () => number;
  live?: LiveNotifier;
  /** Time between sweeps (default 30 s). */
  intervalMs?: number;
  calendar?: WorkCalendar;
  /** Called with each sweep's error (default: console.error); the sweeper keeps running. */
  onError?: (err: unknown) => void;
}

export interface SweepResult {
  warned: number;
  breached: number;
}

const commands = new WeakMap<Db, EventCommands>();

/** One sweep at `now`: escalates every case that is due for it. Exposed for tests and the CLI. */
export function sweepEscalations(db: Db, now: number, live?: LiveNotifier, calendar: WorkCalendar = DEFAULT_CALENDAR): SweepResult {
  let cmd = commands.get(db);
  if (!cmd) commands.set(db, (cmd = eventCommands(db)));
  const result: SweepResult = { warned: 0, breached: 0 };
  db.transaction(() => {
    for (const r of cmd.openForEscalation(now)) {
      const state: EscalationState = { ...r, status: r.status as Status };
      const warnAt = warningAt(r.reported_at, r.due_at, r.warning_ratio, r.deadline_unit, calendar);
      const { steps, changes } = escalationSteps(state, now, warnAt);
      if (steps.length === 0) continue;
      cmd.updateEvent(r.id, changes as Record<string, unknown>);
      for (const s of steps) {
        cmd.insertLog({ event_id: r.id, ...s.log });
        appendLiveMessage(db, 'event.transitioned', {
          id: r.id, transition: s.level === 1 ? 'warning' : 'breach', from: r.status, to: r.status, escalationLevel: s.level,
          assigneeId: r.assignee_id, dueAt: toIso(r.due_at), warningAt: toIso(warnAt),
        }, now);
        if (s.level === 1) result.warned++;
        else result.breached++;
      }
    }
  }).immediate();
  if (result.warned + result.breached > 0) live?.notify();
  return result;
}

/** Starts sweeping now and every intervalMs; returns stop(). */
export function startEscalationSweeper(options: SweeperOptions): () => void {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((err: unknown) => console.error('escalation sweep failed:', err));
  const run = () => {
    try {
      sweepEscalations(options.db, now(), options.live, options.calendar);
    } catch (err) {
      onError(err);
    }
  };
  const first = setImmediate(run);
  const timer = setInterval(run, options.intervalMs ?? 30_000);
  timer.unref();
  return () => {
    clearImmediate(first);
    clearInterval(timer);
  };
}

