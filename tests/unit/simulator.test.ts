import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../server/domain/prng.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { HOTSPOT_PLANS } from '../../server/geo/gen/hotspots.ts';
import { haversineMetres } from '../../server/geo/road-graph.ts';
import { planCase, type CaseFacts, LATE_SHARE, REWORK_SHARE } from '../../server/sim/plan.ts';
import { hotspotsAround, PlaceSampler, pointInGeometry, type BlockInput } from '../../server/sim/places.ts';
import { CategoryPicker, draftReport, duplicateOf, reportBody } from '../../server/sim/reports.ts';
import { expectedReports, isNight, localParts, nextArrival, peakRate, rateAt } from '../../server/sim/rhythm.ts';
import { Scheduler, SimClock } from '../../server/sim/scheduler.ts';
import { readLog } from '../../server/sim/case-state.ts';
import { positionAt } from '../../server/sim/route-position.ts';

const HOUR = 3_600_000;
/** Wednesday 2026-11-25 00:00 Asia/Shanghai. */
const WED = Date.parse('2026-11-25T00:00:00+08:00');

const square = (x: number, y: number, d: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]],
});

/** Two 1.1 km blocks side by side with 100 and 900 residents; a third, an L-shape, empty. */
const BLOCKS: BlockInput[] = [
  { code: '430302001001001', communityName: '东坪社区', subdistrictCode: '430302001', residents: 100, areaM2: 1.2e6, geometry: square(112.9, 27.85, 0.01) },
  { code: '430302001001002', communityName: '东坪社区', subdistrictCode: '430302001', residents: 900, areaM2: 1.2e6, geometry: square(112.91, 27.85, 0.01) },
  {
    code: '430302001001003', communityName: '西塘村', subdistrictCode: '430302001', residents: 0, areaM2: 0.9e6,
    geometry: { type: 'Polygon', coordinates: [[[112.92, 27.85], [112.94, 27.85], [112.94, 27.852], [112.922, 27.852], [112.922, 27.86], [112.92, 27.86], [112.92, 27.85]]] },
  },
];

describe('rhythm', () => {
  it('follows the seeded day: working-hour mean equals the rate, nights are quiet, weekends lighter', () => {
    const r = 30;
    let sum = 0;
    for (let h = 8; h < 18; h++) sum += rateAt(WED + h * HOUR + 30 * 60_000, r);
    // 2026-11 has a monthly weight of 1, Wednesday 1.02 of a 1.024 working-day mean.
    expect(sum / 10).toBeCloseTo((r * 1.02) / 1.024, 1);
    expect(rateAt(WED + 3 * HOUR, r)).toBeLessThan(rateAt(WED + 10 * HOUR, r) / 20);
    const sunday = Date.parse('2026-11-29T10:30:00+08:00');
    expect(rateAt(sunday, r)).toBeLessThan(rateAt(WED + 10.5 * HOUR, r) * 0.7);
    expect(localParts(WED + 10 * HOUR)).toEqual({ hour: 10, weekday: 3, month: 11 });
    expect(isNight(WED + 21 * HOUR)).toBe(true);
    expect(isNight(WED + 9 * HOUR)).toBe(false);
    expect(peakRate(r)).toBeGreaterThanOrEqual(rateAt(WED + 10 * HOUR, r));
  });

  it('draws arrivals deterministically, with the expected count per hour of day', () => {
    const draw = (seed: number, days: number) => {
      const rng = createRng(seed);
      const out: number[] = [];
      for (let t = nextArrival(rng, WED, 30); t < WED + days * 24 * HOUR; t = nextArrival(rng, t, 30)) out.push(t);
      return out;
    };
    expect(draw(5, 2)).toEqual(draw(5, 2));
    expect(draw(5, 2)).not.toEqual(draw(6, 2));
    // 20 weeks of arrivals: counts by period within 5 % of the integral of the rate.
    const weeks = 20;
    const times = draw(11, weeks * 7);
    const expected = expectedReports(WED, WED + weeks * 7 * 24 * HOUR, 30);
    expect(times.length / expected).toBeGreaterThan(0.95);
    expect(times.length / expected).toBeLessThan(1.05);
    const morning = times.filter((t) => localParts(t).hour >= 9 && localParts(t).hour < 11).length;
    const night = times.filter((t) => localParts(t).hour >= 1 && localParts(t).hour < 3).length;
    expect(morning / night).toBeGreaterThan(25); // (2.4 + 2.6) / (0.1 + 0.07) ≈ 29
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    expect(nextArrival(createRng(1), WED, 0)).toBe(Infinity);
  });
});

describe('places', () => {
  it('draws blocks by residents and points inside the drawn block', () => {
    const sampler = new PlaceSampler(BLOCKS, { hotspots: [] });
    const rng = createRng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const p = sampler.sample(rng);
      counts[p.block]++;
      expect(pointInGeometry(p.lon, p.lat, BLOCKS[p.block].geometry)).toBe(true);
      expect(sampler.locate(p.lon, p.lat)).toBe(p.block);
      expect(p.hotspot).toBeNull();
    }
    // Weights residents + 2: 102 : 902 : 2.
    expect(counts[0] / 20_000).toBeCloseTo(102 / 1006, 2);
    expect(counts[1] / 20_000).toBeCloseTo(902 / 1006, 2);
    expect(counts[2]).toBeLessThan(100);
    // Rejection sampling finds the thin L-shape too.
    const p = sampler.pointInBlock(createRng(1), 2);
    expect(pointInGeometry(p[0], p[1], BLOCKS[2].geometry)).toBe(true);
  });

  it('adds hotspots by intensity × residents around them, with points inside the circle and their categories', () => {
    const centre: [number, number] = [112.915, 27.855];
    const spot = { id: 'market', center: centre, radiusM: 300, intensity: 6, categories: ['0401', '0405'] };
    const sampler = new PlaceSampler(BLOCKS, { hotspots: [spot] });
    expect(sampler.hotspotShare()).toBeGreaterThan(0.05);
    expect(sampler.hotspotShare()).toBeLessThan(0.6);
    const rng = createRng(9);
    let fromSpot = 0;
    const sideOf = [0, 0];
    for (let i = 0; i < 5_000; i++) {
      const p = sampler.sample(rng);
      if (!p.hotspot) continue;
      fromSpot++;
      expect(haversineMetres(p.lon, p.lat, centre[0], centre[1])).toBeLessThanOrEqual(300 * 1.01);
      sideOf[p.block]++;
    }
    expect(fromSpot / 5000).toBeCloseTo(sampler.hotspotShare(), 1);
    // The circle straddles both blocks; the 9× denser one gets most of its reports.
    expect(sideOf[1] / (sideOf[0] + sideOf[1])).toBeGreaterThan(0.8);

    const picker = new CategoryPicker();
    let hotspotCats = 0;
    let incidentsOrDemands = 0;
    const r2 = createRng(4);
    for (let i = 0; i < 3000; i++) {
      const place = sampler.sample(r2);
      if (!place.hotspot) continue;
      const d = draftReport(r2, { at: WED + 10 * HOUR, place, patrollers: ['张三'], picker });
      if (d.kind === 'suggestion') continue;
      incidentsOrDemands++;
      if (spot.categories.includes(d.category)) hotspotCats++;
    }
    expect(hotspotCats / incidentsOrDemands).toBeGreaterThan(0.8);
  });

  it('places the planted hotspots the way the generator does, kilometres from the seat', () => {
    const seat: [number, number] = [112.9, 27.86];
    const spots = hotspotsAround(seat);
    expect(spots.map((s) => s.id)).toEqual(HOTSPOT_PLANS.map((h) => h.id));
    for (const [i, s] of spots.entries()) {
      const [east, north] = HOTSPOT_PLANS[i].at;
      expect(haversineMetres(seat[0], seat[1], s.center[0], seat[1]) / 1000).toBeCloseTo(Math.abs(east), 1);
      expect(haversineMetres(seat[0], seat[1], seat[0], s.center[1]) / 1000).toBeCloseTo(Math.abs(north), 1);
    }
  });
});

describe('report drafts', () => {
  const sampler = new PlaceSampler(BLOCKS, { hotspots: [], roads: [{ name: '建设路', coordinates: [[112.9, 27.85], [112.93, 27.85]] }] });
  const picker = new CategoryPicker();

  it('is deterministic and follows the seeded kind, channel and category mix', () => {
    const one = (seed: number) => {
      const rng = createRng(seed);
      return draftReport(rng, { at: WED + 10 * HOUR, place: sampler.sample(rng), patrollers: ['李治理'], picker });
    };
    expect(one(42)).toEqual(one(42));
    const n = 6000;
    const kinds = { incident: 0, demand: 0, suggestion: 0 };
    let consultation = 0;
    let patrolIncidents = 0;
    for (let i = 0; i < n; i++) {
      const d = one(1000 + i);
      kinds[d.kind]++;
      const category = TAXONOMY.byCode.get(d.category)!;
      expect(category).toBeDefined();
      if (d.kind === 'suggestion') expect(category.majorCode).toBe('12');
      else expect(category.majorCode).not.toBe('12');
      if (d.channel === 'patrol') {
        expect(d.kind).toBe('incident');
        expect(d.reporter).toBe('李治理');
        patrolIncidents++;
      }
      if (d.channel === 'consultation') {
        expect(d.kind).not.toBe('incident');
        expect(d.reporter).toContain('民情恳谈会');
        consultation++;
      }
      expect(d.text).not.toContain('{p}');
      expect(d.text.length).toBeGreaterThan(4);
      const body = reportBody(d, 'k1');
      expect(Object.keys(body).sort()).toEqual(['category', 'channel', 'idempotencyKey', 'kind', 'lat', 'lon', 'priority', 'reporter', 'text']);
    }
    expect(kinds.incident / n).toBeCloseTo(0.42, 1);
    expect(kinds.demand / n).toBeCloseTo(0.3, 1);
    expect(kinds.suggestion / n).toBeCloseTo(0.28, 1);
    // Consultation: 60 % of suggestions, 30 % of demands ≈ 0.26 of all.
    expect(consultation / n).toBeCloseTo(0.6 * 0.28 + 0.3 * 0.3, 1);
    expect(patrolIncidents / kinds.incident).toBeGreaterThan(0.6);
  });

  it('duplicates repeat the place and category and are marked for rejection', () => {
    const rng = createRng(8);
    const d = draftReport(rng, { at: WED + 10 * HOUR, place: sampler.sample(rng), patrollers: [], picker });
    const dup = duplicateOf(rng, d);
    expect(dup).toMatchObject({ category: d.category, kind: d.kind, lon: d.lon, lat: d.lat, duplicate: true });
    expect(['hotline', 'wechat']).toContain(dup.channel);
    // No patrollers known: no patrol reports.
    for (let i = 0; i < 500; i++) {
      const r = createRng(i);
      expect(draftReport(r, { at: WED + 10 * HOUR, place: sampler.sample(r), patrollers: [], picker }).channel).not.toBe('patrol');
    }
  });
});

describe('lifecycle plans', () => {
  const facts = (over: Partial<CaseFacts> = {}): CaseFacts => ({
    kind: 'incident', channel: 'patrol', tier: 'block', urgent: false, deadlineUnit: 'working-hours', night: false, duplicate: false, ...over,
  });

  it('is deterministic per generator state', () => {
    expect(planCase(createRng(1), facts())).toEqual(planCase(createRng(1), facts()));
    expect(planCase(createRng(1), facts())).not.toEqual(planCase(createRng(2), facts()));
  });

  it('has ≈5 % rework, ≈10 % late, returns only above the block tier, duplicates rejected, valid extensions', () => {
    const n = 20_000;
    let rework = 0, late = 0, returns = 0, ext = 0, invalid = 0, evaluated = 0;
    for (let i = 0; i < n; i++) {
      const tier = i % 2 === 0 ? 'block' : 'centre';
      const p = planCase(createRng(i), facts({ tier, channel: 'hotline', kind: 'demand', deadlineUnit: 'working-days' }));
      if (p.rework) rework++;
      if (p.lateFactor !== null) {
        late++;
        expect(p.lateFactor).toBeGreaterThan(1);
      }
      if (p.returnAfter !== null) {
        returns++;
        expect(tier).toBe('centre');
      }
      if (p.extension) {
        ext++;
        expect(p.extension.hours).toBeGreaterThan(0);
        expect(p.extension.hours).toBeLessThanOrEqual(65);
      }
      if (p.reject === 'invalid') invalid++;
      expect(p.reject).not.toBe('duplicate');
      if (p.evaluation) {
        evaluated++;
        expect(p.evaluation.satisfaction).toBeGreaterThanOrEqual(1);
        expect(p.evaluation.satisfaction).toBeLessThanOrEqual(5);
      }
      for (const d of [p.fileDelay, p.dispatchDelay, p.acceptDelay, p.work, p.closeDelay, p.travelFallback]) expect(d).toBeGreaterThan(0);
    }
    expect(rework / n).toBeCloseTo(REWORK_SHARE, 2);
    expect(late / n).toBeCloseTo(LATE_SHARE, 2);
    expect(returns / (n / 2)).toBeCloseTo(0.04, 2);
    expect(ext / n).toBeCloseTo(0.08, 2);
    expect(invalid / n).toBeCloseTo(0.02, 2);
    expect(evaluated / n).toBeCloseTo(0.75, 1);
    expect(planCase(createRng(3), facts({ duplicate: true })).reject).toBe('duplicate');
  });

  it('is quicker for patrols than hotline calls, slower at night unless urgent', () => {
    const mean = (f: CaseFacts, key: 'fileDelay' | 'dispatchDelay') => {
      let s = 0;
      for (let i = 0; i < 2000; i++) s += planCase(createRng(i), f)[key];
      return s / 2000;
    };
    expect(mean(facts({ channel: 'patrol' }), 'fileDelay')).toBeLessThan(mean(facts({ channel: 'hotline' }), 'fileDelay'));
    expect(mean(facts({ night: true }), 'dispatchDelay')).toBeGreaterThan(2 * mean(facts(), 'dispatchDelay'));
    expect(mean(facts({ night: true, urgent: true }), 'dispatchDelay')).toBeLessThan(mean(facts(), 'dispatchDelay'));
  });
});

describe('movement and log reading', () => {
  it('interpolates a position along a route by its per-vertex times', () => {
    const route = { geometry: { type: 'LineString' as const, coordinates: [[0, 0], [1, 0], [1, 2]] }, times: [0, 10, 30] };
    expect(positionAt(route, -1)).toEqual([0, 0]);
    expect(positionAt(route, 5)).toEqual([0.5, 0]);
    expect(positionAt(route, 20)).toEqual([1, 1]);
    expect(positionAt(route, 99)).toEqual([1, 2]);
  });

  it('reads handlers and a pending extension from the log', () => {
    const row = (to: string, assignee: number | null, note = '') => ({ at: '', actor: null, from: null, to, assignee: assignee === null ? null : { id: assignee }, note });
    const log = [row('reported', null), row('filed', null), row('dispatched', 7), row('filed', null, '回退：x'), row('dispatched', 8), row('accepted', 8), row('arrived', 8)];
    expect(readLog(log)).toEqual({ handlers: new Set([7, 8]), extensionPending: false });
    expect(readLog([...log, row('arrived', 8, '延期申请：8个工作小时')]).extensionPending).toBe(true);
    expect(readLog([...log, row('arrived', 8, '延期申请：8个工作小时'), row('arrived', 8, '延期批准：8个工作小时')]).extensionPending).toBe(false);
  });
});

describe('scheduler', () => {
  it('wakes sleepers in simulated-time order at the clock speed, and all with false on stop', async () => {
    const clock = new SimClock(WED, 1000); // a simulated second per real millisecond
    const s = new Scheduler(clock);
    const order: number[] = [];
    const started = performance.now();
    await Promise.all([30_000, 10_000, 20_000].map((d) => s.sleepUntil(WED + d).then((ok) => ok && order.push(d))));
    expect(order).toEqual([10_000, 20_000, 30_000]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    const pending = s.sleep(3_600_000);
    s.stop();
    expect(await pending).toBe(false);
    expect(await s.sleep(1)).toBe(false);
  });
});
