/**
 * KPI ticks: every `intervalMs` (default 30 s) today's key figures are computed by indexed aggregates and appended
 * to the live stream as a 'kpi.tick' message, so the wall's figures move without polling. The same figures answer
 * GET /api/kpi.
 */
import type { Kpi } from '../contract/api.ts';
import type { Db } from '../db/database.ts';
import { kpiQueries, type TodayKpi } from '../db/queries/kpi.ts';
import { toIso } from '../time.ts';
import type { LiveHub } from './hub.ts';
import { appendLiveMessage } from './messages.ts';

/** Today's figures as the API and the stream show them (times ISO 8601 in Asia/Shanghai, durations in seconds). */
export function toKpiView(k: TodayKpi): Kpi {
  return {
    day: toIso(k.dayStart).slice(0, 10),
    asOf: toIso(k.now),
    reports: k.reports,
    dispatched: k.dispatched,
    accepted: k.accepted,
    closed: k.closed,
    dueDecided: k.dueDecided,
    dueOnTime: k.dueOnTime,
    onTimeClosureRate: k.onTimeClosureRate === null ? null : Math.round(k.onTimeClosureRate * 10_000) / 10_000,
    overdue: k.overdue,
    open: k.open,
    medianResponseS: k.medianResponseMs === null ? null : Math.round(k.medianResponseMs / 100) / 10,
  };
}

export interface KpiTickerOptions {
  /** Time between ticks (ms). */
  intervalMs?: number;
  now?: () => number;
}

export interface KpiTicker {
  /** Computes, appends and announces one tick now; returns the figures. */
  tick: () => Kpi;
  stop: () => void;
}

/** Starts the periodic 'kpi.tick' messages (the timer does not keep the process alive). */
export function startKpiTicker(db: Db, live: LiveHub | null, options: KpiTickerOptions = {}): KpiTicker {
  const intervalMs = options.intervalMs ?? 30_000;
  if (!(intervalMs > 0)) throw new Error(`KPI tick interval must be a positive number of ms, got ${intervalMs}`);
  const now = options.now ?? Date.now;
  const q = kpiQueries(db);
  const tick = (): Kpi => {
    const t = now();
    const view = db.transaction(() => {
      const v = toKpiView(q.today(t));
      const { asOf: _asOf, ...payload } = v; // the message's own `at` carries the time
      appendLiveMessage(db, 'kpi.tick', payload, t);
      return v;
    })();
    live?.notify();
    return view;
  };
  const timer = setInterval(() => {
    try {
      if (db.open) tick();
      else clearInterval(timer);
    } catch (err) {
      console.error('kpi tick failed:', err);
    }
  }, intervalMs).unref();
  return { tick, stop: () => clearInterval(timer) };
}
