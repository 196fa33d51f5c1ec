/**
 * The lifecycle plan of one case, drawn once when the case is reported (or picked up): whether it is rejected, how
 * long each hand-off takes, whether the first assignee hands it back (回退), asks for an extension (延期), runs late,
 * fails verification once (返工), and how the resident rates it. Delays are simulated milliseconds; the simulator
 * acts on them through the public API. Pure: the same generator state gives the same plan.
 *
 * Shapes follow the seeded history: patrol cases are filed within minutes, hotline ones within the hour (slower at
 * night unless urgent or on a natural-hour deadline); block-tier staff are on site within half an hour, centres and
 * departments within two hours; ≈5 % rework, ≈10 % late, extensions mostly on working-day deadlines.
 */
import type { Rng } from '../domain/prng.ts';
import type { DeadlineUnit, Tier } from '../contract/taxonomy.ts';
import type { Channel, Kind } from './reports.ts';

const MINUTE = 60_000;

export interface CaseFacts {
  kind: Kind;
  channel: Channel;
  tier: Tier;
  urgent: boolean;
  deadlineUnit: DeadlineUnit;
  /** Reported at night (20:00–06:00 local). */
  night: boolean;
  /** A repeat of a recent report. */
  duplicate: boolean;
}

export interface CasePlan {
  /** Rejected at filing, and why. */
  reject: 'duplicate' | 'invalid' | null;
  fileDelay: number;
  dispatchDelay: number;
  /** The first assignee hands the case back (回退) after this delay; null: no return. */
  returnAfter: number | null;
  acceptDelay: number;
  /** Travel time over the route's own time (block staff on foot or e-bike are slower than a patrol car). */
  travelFactor: number;
  /** Travel time when no route can be drawn. */
  travelFallback: number;
  /** Work on site, arrival to resolution. */
  work: number;
  /** Resolved after the deadline: resolution waits until this multiple of the allowed time has passed. */
  lateFactor: number | null;
  extension: { after: number; hours: number; approve: boolean; decisionDelay: number } | null;
  /** The verifier sends it back once (返工), after this delay; the assignee redoes the work. */
  rework: { after: number; redo: number } | null;
  closeDelay: number;
  /** The resident's rating, and when; null: no evaluation. */
  evaluation: { after: number; satisfaction: number } | null;
}

/** Share of cases that run past their deadline, and that fail verification once. */
export const LATE_SHARE = 0.1;
export const REWORK_SHARE = 0.05;

const logUniform = (rng: Rng, lo: number, hi: number): number => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));
const minutes = (rng: Rng, lo: number, hi: number, k = 1): number => Math.round(logUniform(rng, lo, hi) * MINUTE * k);

/** Draws a case's plan. */
export function planCase(rng: Rng, f: CaseFacts): CasePlan {
  const roundTheClock = f.urgent || f.deadlineUnit === 'natural-hours';
  const speed = roundTheClock ? 0.35 : 1;
  const nightSlow = f.night && !roundTheClock ? 3 : 1;

  const fileDelay =
    f.channel === 'patrol' ? minutes(rng, 1, 8, speed)
    : f.channel === 'consultation' ? minutes(rng, 20, 240, speed)
    : f.channel === 'walk-in' ? minutes(rng, 5, 30, speed)
    : minutes(rng, 3, 60, speed * nightSlow);

  const rejectRoll = rng.next();
  const invalidP = f.channel === 'patrol' ? 0.005 : f.kind === 'suggestion' ? 0.01 : 0.02;
  const reject: CasePlan['reject'] = f.duplicate ? 'duplicate' : rejectRoll < invalidP ? 'invalid' : null;

  const dispatchDelay = minutes(rng, 2, 25, speed * nightSlow);
  const returnRoll = rng.next();
  const returnAfter = f.tier !== 'block' && returnRoll < 0.04 ? minutes(rng, 10, 90) : null;
  const acceptDelay = minutes(rng, 3, 45, speed);

  const travelFactor = f.tier === 'block' ? 2.2 + rng.next() * 0.8 : 1.1 + rng.next() * 0.5;
  const travelFallback =
    f.kind === 'suggestion' ? minutes(rng, 30, 240) : f.tier === 'block' ? minutes(rng, 5, 30, speed) : minutes(rng, 15, 90, speed);
  const work = f.kind === 'suggestion' ? minutes(rng, 20, 180) : minutes(rng, 10, 90, roundTheClock ? 0.6 : 1);

  const lateRoll = rng.next();
  const lateFactor = lateRoll < LATE_SHARE ? 1.05 + 0.6 * rng.next() ** 2 : null;

  const extRoll = rng.next();
  const extP = f.deadlineUnit === 'working-days' ? 0.08 : 0.02;
  const extension =
    extRoll < extP
      ? { after: minutes(rng, 10, 60), hours: rng.pick([4, 6.5, 13, 19.5]), approve: rng.chance(0.8), decisionDelay: minutes(rng, 5, 60) }
      : null;

  const reworkRoll = rng.next();
  const rework = reworkRoll < REWORK_SHARE ? { after: minutes(rng, 10, 120), redo: minutes(rng, 20, 120) } : null;

  const closeDelay = minutes(rng, 10, 180);
  const evalP = f.channel === 'patrol' ? 0.35 : 0.75;
  const evalRoll = rng.next();
  const late = lateFactor !== null;
  const satisfaction = rng.weighted([5, 4, 3, 2, 1], late ? [25, 30, 25, 12, 8] : [62, 25, 8, 3, 2]);
  const evaluation = evalRoll < evalP ? { after: minutes(rng, 10, 240), satisfaction } : null;

  return {
    reject, fileDelay, dispatchDelay, returnAfter, acceptDelay, travelFactor, travelFallback, work, lateFactor,
    extension, rework, closeDelay, evaluation,
  };
}
