/**
 * What each demo report is — its kind, channel and fate — so that the last 12 months hit fixed targets (scaled by
 * N / 30,000) exactly, by sequential selection sampling: consultation-channel events, demands that reached resolved
 * or later, and suggestions. Before that window the mix follows the reform's ramp.
 */
import type { Rng } from '../../domain/prng.ts';
import type { Channel, Kind } from '../../domain/report-input.ts';
import { DAY, HOUR } from './history-rhythm.ts';

/** Last-12-month targets of the demo for 30,000 events (scaled proportionally for other sizes). */
export const LAST_YEAR_TARGETS = { perEvents: 30_000, consultation: 2_543, demandsResolved: 2_937, suggestions: 3_000 } as const;

/** Start of the "last 12 months" window the targets refer to. */
export function lastYearStart(now: number): number {
  return now - 365 * DAY;
}

/** The exact last-12-month figures the history will contain for N events (before capping for very short spans). */
export function lastYearQuotas(events: number): { consultation: number; demandsResolved: number; suggestions: number } {
  const scale = events / LAST_YEAR_TARGETS.perEvents;
  return {
    consultation: Math.round(LAST_YEAR_TARGETS.consultation * scale),
    demandsResolved: Math.round(LAST_YEAR_TARGETS.demandsResolved * scale),
    suggestions: Math.round(LAST_YEAR_TARGETS.suggestions * scale),
  };
}


/** natural: as it comes; resolve: must reach resolved before now; reject: rejected at filing; open: still open. */
export type Fate = 'natural' | 'resolve' | 'reject' | 'open';

const CHANNELS_NO_CONSULT: Record<Kind, readonly [Channel[], number[]]> = {
  incident: [['patrol', 'hotline', 'wechat'], [80, 12, 8]],
  demand: [['hotline', 'wechat', 'walk-in'], [45, 40, 15]],
  suggestion: [['wechat', 'hotline', 'walk-in'], [50, 20, 30]],
};

export interface Drawn {
  kind: Kind;
  channel: Channel;
  fate: Fate;
  /** Reported inside the last 12 months. */
  inWindow: boolean;
}

/** The sampler over one history: call `draw` once per report, in time order. */
export class ReportMix {
  private dLeft: number;
  private sLeft: number;
  private csLeft: number;
  private cdLeft: number;
  private eligibleLeft: number;
  private nonDLeft: number;
  /** A demand reported after this may not be resolved yet. */
  private readonly eligibleEnd: number;

  /** `windowCount` reports fall in [windowStart, now], `eligibleCount` of them before now − 48 h. */
  constructor(
    private readonly windowStart: number,
    private readonly now: number,
    windowCount: number,
    eligibleCount: number,
    quotas: { consultation: number; demandsResolved: number; suggestions: number },
  ) {
    this.eligibleEnd = now - 48 * HOUR;
    this.dLeft = Math.min(quotas.demandsResolved, Math.floor(eligibleCount * 0.4));
    this.sLeft = Math.min(quotas.suggestions, Math.floor(windowCount * 0.4));
    const consult = Math.min(quotas.consultation, this.sLeft + this.dLeft);
    this.csLeft = Math.min(Math.round(consult * 0.6), this.sLeft);
    this.cdLeft = Math.min(consult - this.csLeft, this.dLeft);
    this.csLeft = Math.min(consult - this.cdLeft, this.sLeft);
    this.eligibleLeft = eligibleCount;
    this.nonDLeft = windowCount - this.dLeft;
  }

  /** Kind, channel and fate of the report at t0 (r: how far the reform had ramped up, 0 … 1). */
  draw(rng: Rng, t0: number, r: number): Drawn {
    const now = this.now;
    let kind: Kind;
    let channel: Channel | null = null;
    let fate: Fate = 'natural';
    const inWindow = t0 >= this.windowStart;
    if (inWindow) {
      const eligible = t0 < this.eligibleEnd;
      let isD = false;
      if (eligible) {
        isD = this.dLeft > 0 && rng.next() * this.eligibleLeft < this.dLeft;
        this.eligibleLeft--;
      }
      if (isD) {
        kind = 'demand';
        fate = 'resolve';
        if (this.cdLeft > 0 && rng.next() * this.dLeft < this.cdLeft) {
          channel = 'consultation';
          this.cdLeft--;
        }
        this.dLeft--;
      } else {
        const isS = this.sLeft > 0 && rng.next() * this.nonDLeft < this.sLeft;
        this.nonDLeft--;
        if (isS) {
          kind = 'suggestion';
          if (this.csLeft > 0 && rng.next() * this.sLeft < this.csLeft) {
            channel = 'consultation';
            this.csLeft--;
          }
          this.sLeft--;
        } else if (rng.chance(eligible ? 0.05 : 0.3)) {
          kind = 'demand';
          fate = !eligible ? 'open' : t0 < now - 30 * DAY || rng.chance(0.3) ? 'reject' : 'open';
        } else kind = 'incident';
      }
      if (channel === null) {
        const [list, w] = CHANNELS_NO_CONSULT[kind];
        channel = rng.weighted(list, w);
      }
    } else {
      const pS = 0.08 + 0.2 * r;
      const u = rng.next();
      kind = u < pS ? 'suggestion' : u < pS + 0.3 ? 'demand' : 'incident';
      const pC = kind === 'suggestion' ? 0.35 + 0.25 * r : kind === 'demand' ? 0.15 + 0.15 * r : 0;
      if (rng.chance(pC)) channel = 'consultation';
      else {
        const [list, w] = CHANNELS_NO_CONSULT[kind];
        channel = rng.weighted(list, w);
      }
    }
    return { kind, channel, fate, inWindow };
  }
}
