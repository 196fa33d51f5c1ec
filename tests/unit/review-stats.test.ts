import { describe, expect, it } from 'vitest';
import { flatnessOf } from '../../server/domain/stats/flatness.ts';
import { compositeScore, indicatorsOf, SCORE_WEIGHTS, emptyTally } from '../../server/domain/stats/indicators.ts';
import { kaplanMeier, kaplanMeierFromCounts } from '../../server/domain/stats/kaplan-meier.ts';
import { quantileSorted, summarize } from '../../server/domain/stats/percentiles.ts';
import { naturalMinutes, workingMinutes } from '../../server/domain/stats/response-intervals.ts';
import { createRng } from '../../server/domain/prng.ts';

describe('Kaplan–Meier', () => {
  // The 6-MP arm of Freireich et al. (1963), weeks in remission; * = censored. The estimates and Greenwood standard
  // errors are the worked example of Klein & Moeschberger, Survival Analysis (2nd ed., 2003), §4.2 (Table 4.1B),
  // also in Kleinbaum & Klein, Survival Analysis: A Self-Learning Text, chapter 2.
  const weeks = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35];
  const relapsed = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
  const book = [
    [6, 21, 0.857, 0.076], [7, 17, 0.807, 0.087], [10, 15, 0.753, 0.096], [13, 12, 0.69, 0.107],
    [16, 11, 0.627, 0.114], [22, 7, 0.538, 0.128], [23, 6, 0.448, 0.135],
  ];

  it('reproduces the textbook estimates and Greenwood standard errors', () => {
    const km = kaplanMeier(weeks, relapsed.map(Boolean));
    const withEvents = km.steps.filter((s) => s.events > 0);
    expect(withEvents.map((s) => s.t)).toEqual(book.map((b) => b[0]));
    withEvents.forEach((s, i) => {
      expect(s.atRisk).toBe(book[i][1]);
      expect(s.survival).toBeCloseTo(book[i][2], 3);
      expect(s.se).toBeCloseTo(book[i][3], 3);
      expect(s.lower).toBeLessThanOrEqual(s.survival);
      expect(s.upper).toBeGreaterThanOrEqual(s.survival);
      expect(s.lower).toBeGreaterThanOrEqual(0);
      expect(s.upper).toBeLessThanOrEqual(1);
    });
    expect(km.median).toBe(23);
    expect(km).toMatchObject({ n: 21, events: 9, censored: 12 });
    // Upper band never reaches 0.5 in 35 weeks: the median's upper limit is unknown.
    expect(km.medianUpper).toBeNull();
    expect(km.medianLower).not.toBeNull();
    expect(km.medianLower!).toBeLessThanOrEqual(23);
  });

  it('gives the same curve from counts as from individual times', () => {
    const a = kaplanMeier([1, 1, 2, 3, 3, 3, 5], [1, 0, 1, 1, 1, 0, 1].map(Boolean));
    const b = kaplanMeierFromCounts([1, 2, 3, 4, 5], [1, 1, 2, 0, 1], [1, 0, 1, 0, 0]);
    expect(b.steps).toEqual(a.steps);
    expect(a.steps.at(-1)!.survival).toBe(0);
    expect(a.median).toBe(3);
  });

  it('has no median while over half is still open', () => {
    expect(kaplanMeier([1, 2, 3], [true, false, false]).median).toBeNull();
  });
});

describe('percentiles (type 7)', () => {
  it('matches the definition on a small example (R: quantile(c(1,2,3,4,10)))', () => {
    const x = [1, 2, 3, 4, 10];
    expect(quantileSorted(x, 0.25)).toBe(2);
    expect(quantileSorted(x, 0.5)).toBe(3);
    expect(quantileSorted(x, 0.9)).toBeCloseTo(7.6, 12);
    const s = summarize([10, 3, 1, 4, 2])!;
    expect(s).toMatchObject({ n: 5, min: 1, q1: 2, median: 3, q3: 4, max: 10, mean: 4, whiskerLow: 1, whiskerHigh: 4 });
    expect(s.p90).toBeCloseTo(7.6, 12);
  });

  it('counting path equals sorting path on random integer data', () => {
    const rng = createRng(7);
    for (let round = 0; round < 20; round++) {
      const n = 1 + Math.floor(rng.next() * 500);
      const ints = Array.from({ length: n }, () => Math.floor(rng.next() ** 3 * 5000));
      const counted = summarize(ints)!;
      const sorted = [...ints].sort((a, b) => a - b);
      for (const [k, p] of [['q1', 0.25], ['median', 0.5], ['q3', 0.75], ['p90', 0.9]] as const) {
        expect(counted[k]).toBeCloseTo(quantileSorted(sorted, p), 9);
      }
      // The same data as non-integers (+0.5 each) goes through the sort path: every quantile shifts by 0.5.
      const halves = summarize(ints.map((v) => v + 0.5))!;
      expect(halves.median).toBeCloseTo(counted.median + 0.5, 9);
      expect(halves.whiskerHigh).toBeCloseTo(counted.whiskerHigh + 0.5, 9);
      expect(counted.min).toBe(sorted[0]);
      expect(counted.max).toBe(sorted[n - 1]);
    }
  });

  it('is null for no data', () => {
    expect(summarize([])).toBeNull();
  });
});

describe('indicators', () => {
  it('computes each rate from its own numerator and denominator', () => {
    const t = { ...emptyTally(), received: 10, rejected: 1, filed: 9, closed: 6, resolved: 8, reworked: 2, extended: 3, rated: 4, satisfied: 3, satisfactionSum: 17, onTimeDecided: 5, onTime: 4 };
    const ind = indicatorsOf(t);
    expect(ind.closureRate).toBeCloseTo(6 / 9);
    expect(ind.onTimeRate).toBeCloseTo(4 / 5);
    expect(ind.reworkRate).toBeCloseTo(2 / 8);
    expect(ind.extensionRate).toBeCloseTo(3 / 9);
    expect(ind.satisfactionRate).toBeCloseTo(3 / 4);
    expect(ind.satisfactionMean).toBeCloseTo(17 / 4);
    const w = SCORE_WEIGHTS;
    expect(ind.score).toBeCloseTo(100 * (w.closure * 6 / 9 + w.onTime * 0.8 + w.rework * 0.75 + w.extension * (6 / 9) + w.satisfaction * 0.75), 9);
  });

  it('leaves out components without data and renormalises the weights', () => {
    expect(compositeScore({ closure: 1, onTime: null, rework: null, extension: null, satisfaction: 0.5 }))
      .toBeCloseTo(100 * (0.25 + 0.2 * 0.5) / 0.45, 9);
    expect(indicatorsOf(emptyTally()).score).toBeNull();
  });
});

describe('flatness', () => {
  it('counts changes of assignee and the waits until the new assignee acts', () => {
    const f = flatnessOf([
      { at: 0, actor_id: 1, assignee_id: null }, // reported
      { at: 10, actor_id: 2, assignee_id: 5 }, // dispatched to 5: hand-off 1
      { at: 25, actor_id: 5, assignee_id: null }, // 5 returns it: waited 15
      { at: 40, actor_id: 2, assignee_id: 5 }, // re-dispatched to the same person: not a hand-off
      { at: 50, actor_id: 2, assignee_id: 6 }, // to 6: hand-off 2
      { at: 80, actor_id: 3, assignee_id: 7 }, // to 7 before 6 acted: hand-off 3, 6's wait ends here (30)
      { at: 81, actor_id: 7, assignee_id: 7 }, // 7 acts after 1
    ]);
    expect(f).toEqual({ handoffs: 3, waitMs: 15 + 30 + 1, waits: 3 });
  });
});

describe('response intervals', () => {
  const at = (iso: string): number => Date.parse(`${iso}+08:00`);
  it('counts working time across the National Day holiday and natural time straight', () => {
    // Reported Monday 2025-09-29 16:30; closed Thursday 2025-10-09 09:30. 1–8 Oct 2025 are days off (国庆+中秋) and
    // Saturday 11 Oct is a 调休 working day (not reached). Working time: 29 Sep 1 h + 30 Sep 6.5 h + 9 Oct 1 h.
    const c = {
      reported_at: at('2025-09-29T16:30:00'), filed_at: at('2025-09-29T16:40:00'), dispatched_at: null, arrived_at: null,
      resolved_at: null, closed_at: at('2025-10-09T09:30:00'),
    };
    expect(workingMinutes(c, 'close')).toBe((1 + 6.5 + 1) * 60);
    expect(naturalMinutes(c, 'close')).toBe(Math.floor((c.closed_at - c.reported_at) / 60_000));
    expect(workingMinutes(c, 'accept')).toBe(10);
    expect(naturalMinutes(c, 'dispatch')).toBeNaN();
  });

  it('counts a 调休 weekend working day as working time', () => {
    // Sunday 28 Sep 2025 is a make-up working day: 08:30–09:30 counts.
    const c = { reported_at: at('2025-09-28T08:30:00'), filed_at: null, dispatched_at: at('2025-09-28T09:30:00'), arrived_at: null, resolved_at: null, closed_at: null };
    expect(workingMinutes(c, 'dispatch')).toBe(60);
  });
});

describe('MinuteHistogram', () => {
  it('gives the same summary as summarize, with values beyond the counting range', async () => {
    const { MinuteHistogram, COUNTING_LIMIT } = await import('../../server/domain/stats/percentiles.ts');
    const rng = createRng(11);
    for (let round = 0; round < 20; round++) {
      const n = 1 + Math.floor(rng.next() * 400);
      const values = Array.from({ length: n }, () => (rng.next() < 0.1 ? COUNTING_LIMIT + Math.floor(rng.next() * 1e6) : Math.floor(rng.next() ** 2 * 3000)));
      const h = new MinuteHistogram();
      for (const v of values) h.add(v);
      const a = h.summary()!;
      const sorted = [...values].sort((x, y) => x - y);
      const b = { ...summarize(values.map((v) => v + 0.25))! }; // the sort path, shifted
      for (const k of ['min', 'q1', 'median', 'q3', 'p90', 'max', 'mean', 'whiskerLow', 'whiskerHigh'] as const) {
        expect(a[k], k).toBeCloseTo(b[k] - 0.25, 6);
      }
      expect(a.median).toBeCloseTo(quantileSorted(sorted, 0.5), 9);
    }
    expect(new MinuteHistogram().summary()).toBeNull();
  });
});
