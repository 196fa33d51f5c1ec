/**
 * The recommender's score: parts in 0..1 whose weighted sum is the score, and ownership, load and SLA urgency moving
 * the ranking the documented way; reasons; the route outcome of transitions.
 */
import { describe, expect, it } from 'vitest';
import {
  ETA_HALF_S, LOAD_HALF, OWNERSHIP, rankCandidates, routeOutcome, scoreCandidate, WEIGHTS, type CandidateInput,
} from '../../server/domain/recommend.ts';

const DAY = 86_400;
const c = (over: Partial<CandidateInput> = {}): CandidateInput => ({
  ownership: 'own-block', openLoad: 0, etaSeconds: 300, hasPosition: true, positionAgeSeconds: 60, ...over,
});
const order = (cands: CandidateInput[], remaining: number) => rankCandidates(cands, remaining).map((s) => s.index);

describe('score', () => {
  it('weights sum to 1 and the parts sum to the score', () => {
    expect(WEIGHTS.eta + WEIGHTS.ownership + WEIGHTS.load + WEIGHTS.sla).toBeCloseTo(1, 12);
    const inputs: CandidateInput[] = [];
    for (const ownership of Object.keys(OWNERSHIP) as CandidateInput['ownership'][]) {
      for (const openLoad of [0, 1, 4, 20]) {
        for (const etaSeconds of [0, 60, 600, 3600, null]) inputs.push(c({ ownership, openLoad, etaSeconds, hasPosition: etaSeconds !== null }));
      }
    }
    for (const remaining of [-3600, 0, 900, 4 * 3600, 5 * DAY]) {
      for (const s of rankCandidates(inputs, remaining)) {
        const p = s.parts;
        for (const v of Object.values(p)) expect(v >= 0 && v <= 1).toBe(true);
        expect(s.score).toBeGreaterThanOrEqual(0);
        expect(s.score).toBeLessThanOrEqual(1);
        expect(WEIGHTS.eta * p.eta + WEIGHTS.ownership * p.ownership + WEIGHTS.load * p.load + WEIGHTS.sla * p.sla).toBeCloseTo(s.score, 12);
      }
    }
  });

  it('parts follow their documented curves', () => {
    const s = scoreCandidate(c({ etaSeconds: ETA_HALF_S, openLoad: LOAD_HALF }), 10 * DAY);
    expect(s.parts.eta).toBeCloseTo(0.5, 12);
    expect(s.parts.load).toBeCloseTo(0.5, 12);
    expect(s.parts.ownership).toBe(1);
    expect(s.parts.sla).toBeCloseTo(1 - ETA_HALF_S / (10 * DAY), 12);
    expect(scoreCandidate(c({ etaSeconds: 0 }), 1).parts.eta).toBe(1);
    const none = scoreCandidate(c({ etaSeconds: null, hasPosition: false }), DAY);
    expect(none.parts.eta).toBe(0);
    expect(none.parts.sla).toBe(0);
    expect(scoreCandidate(c({ ownership: 'neighbour-block' }), DAY).parts.ownership).toBe(OWNERSHIP['neighbour-block']);
  });

  it('each part is monotone: nearer, lighter and owning never score lower', () => {
    for (const remaining of [600, 7200, DAY]) {
      let prev = Infinity;
      for (const eta of [0, 30, 120, 600, 1800, 7200]) {
        const s = scoreCandidate(c({ etaSeconds: eta }), remaining).score;
        expect(s).toBeLessThanOrEqual(prev);
        prev = s;
      }
      prev = Infinity;
      for (const load of [0, 1, 2, 5, 10]) {
        const s = scoreCandidate(c({ openLoad: load }), remaining).score;
        expect(s).toBeLessThan(prev);
        prev = s;
      }
    }
  });
});

describe('ranking', () => {
  it('ownership: the own block team beats a neighbour at the same ETA and load, and even a somewhat nearer one', () => {
    expect(order([c({ ownership: 'neighbour-block' }), c({ ownership: 'own-block' })], DAY)).toEqual([1, 0]);
    expect(order([c({ ownership: 'neighbour-block', etaSeconds: 240 }), c({ ownership: 'own-block', etaSeconds: 420 })], DAY)).toEqual([1, 0]);
    // … but not a much nearer one
    expect(order([c({ ownership: 'neighbour-block', etaSeconds: 60 }), c({ ownership: 'own-block', etaSeconds: 3600 })], DAY)).toEqual([0, 1]);
    expect(order([c({ ownership: 'other-unit' }), c({ ownership: 'responsible-unit' })], DAY)).toEqual([1, 0]);
  });

  it('load: the lighter-loaded of two equally near owners goes first', () => {
    expect(order([c({ openLoad: 4 }), c({ openLoad: 1 }), c({ openLoad: 0 })], DAY)).toEqual([2, 1, 0]);
  });

  it('SLA urgency: with time to spare an idle responder farther away wins; when time is tight the nearer busy one does', () => {
    const near = c({ etaSeconds: 600, openLoad: 4 });
    const far = c({ etaSeconds: 1500, openLoad: 0 });
    expect(order([near, far], 2 * DAY)).toEqual([1, 0]);
    expect(order([near, far], 1800)).toEqual([0, 1]);
    // overdue: the sooner arrival counts even more
    expect(order([near, far], -600)).toEqual([0, 1]);
    const tight = rankCandidates([near, far], 1800);
    expect(tight[0].parts.sla).toBeGreaterThan(tight[1].parts.sla);
  });

  it('staff without a position or a road path rank below positioned ones of the same kind', () => {
    const r = order([c({ etaSeconds: null, hasPosition: false }), c({ etaSeconds: null }), c({ etaSeconds: 3000 })], DAY);
    expect(r[0]).toBe(2);
  });

  it('ties break by ETA, then load, then input order', () => {
    expect(order([c({ etaSeconds: null, hasPosition: false }), c({ etaSeconds: null, hasPosition: false })], DAY)).toEqual([0, 1]);
  });

  it('reasons name what stands out', () => {
    const r = rankCandidates([
      c({ etaSeconds: 100, openLoad: 0 }),
      c({ ownership: 'neighbour-block', etaSeconds: 2400, openLoad: 6 }),
      c({ etaSeconds: null, hasPosition: false, openLoad: 2 }),
      c({ etaSeconds: null, hasPosition: true }),
      c({ etaSeconds: 200, positionAgeSeconds: 3 * 3600 }),
    ], 3000);
    const by = new Map(r.map((s) => [s.index, s.reasons]));
    expect(by.get(0)).toEqual(['own-block', 'nearest', 'light-load']);
    expect(by.get(1)).toEqual(['neighbour-block', 'far', 'heavy-load', 'sla-tight']);
    expect(by.get(2)).toEqual(['own-block', 'no-position']);
    expect(by.get(3)).toEqual(['own-block', 'unreachable', 'light-load']);
    expect(by.get(4)).toContain('stale-position');
    expect(by.get(4)).toContain('near');
    expect(rankCandidates([c({ etaSeconds: 1000 })], 600)[0].reasons).toContain('late');
  });
});

describe('route outcome', () => {
  it('arrival ends the trip as arrived; hand-offs and returns cancel it; other steps leave it', () => {
    expect(routeOutcome('arrive', 'arrived')).toBe('arrived');
    expect(routeOutcome('resolve', 'resolved')).toBe('arrived');
    expect(routeOutcome('close', 'closed')).toBe('arrived');
    expect(routeOutcome('return', 'filed')).toBe('cancelled');
    expect(routeOutcome('reassign', 'dispatched')).toBe('cancelled');
    expect(routeOutcome('escalate', 'dispatched')).toBe('cancelled');
    expect(routeOutcome('dispatch', 'dispatched')).toBeNull();
    expect(routeOutcome('accept', 'accepted')).toBeNull();
    expect(routeOutcome('extension-request', 'accepted')).toBeNull();
  });
});
