/**
 * The review (/review): closure indicators, response-time summaries, flatness, Kaplan–Meier curves and rankings
 * for any filter, computed over the case cube (review-cube.ts) with the pure statistics of domain/stats/. Knows no
 * HTTP: the route validates and presents.
 *
 * Cohorts: the figures of a period count the cases *reported* in it, except 按期结案率, which counts the cases *due*
 * in it (domain/on-time.ts: an open case past its deadline counts as late). Survival: cases reported in the period
 * (rejected reports are not cases), time from report to close in whole hours (rounded up), open cases censored at now.
 */
import type { FlatnessRow, IndicatorFigures, ReviewGroup, ReviewIndicators, ReviewRankings, ReviewSurvival, SurvivalCurve, TrendPoint } from '../contract/review.ts';
import type { ReviewQueries } from '../db/queries/review.ts';
import { closedOnTime, type CaseClock } from '../domain/on-time.ts';
import { change, emptyTally, indicatorsOf, SCORE_WEIGHTS, type IndicatorTally } from '../domain/stats/indicators.ts';
import { kaplanMeierFromCounts } from '../domain/stats/kaplan-meier.ts';
import { MinuteHistogram } from '../domain/stats/percentiles.ts';
import { INTERVALS } from '../domain/stats/response-intervals.ts';
import { DEFAULT_CALENDAR, localDayNumber, localMidnight, type WorkCalendar } from '../domain/working-time.ts';
import { toIso } from '../time.ts';
import { CHANNELS, KINDS, PRIORITIES, ReviewCube, S_CLOSED, S_EVALUATED, S_REJECTED } from './review-cube.ts';

export type Channel = (typeof CHANNELS)[number];
export type Kind = (typeof KINDS)[number];
export type Priority = (typeof PRIORITIES)[number];

export interface ReviewFilter {
  /** Report time window [from, to), epoch ms. */
  from: number;
  to: number;
  subdistrict?: string;
  community?: string;
  block?: string;
  /** Centre key (guidance, livelihood, rapid-response, economy): cases owned by that centre of any subdistrict. */
  centre?: string;
  /** Department key (urban-management, market-regulation, police, …). */
  department?: string;
  /** 2-digit major or 4-digit minor category code. */
  category?: string;
  channel?: Channel[];
  kind?: Kind[];
  priority?: Priority;
  /** staff.id of the current assignee. */
  person?: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const FLATNESS_ROWS = 20;

interface Names {
  area: Map<string, string>;
  category: Map<string, string>;
  unit: Map<number, { kind: string; key: string; name: string; subdistrict: string }>;
}

export function createReviewService(q: ReviewQueries, now: () => number, calendar: WorkCalendar = DEFAULT_CALENDAR) {
  const cube = new ReviewCube(q, calendar);
  let names: Names | null = null;
  const namesOf = (): Names => {
    names ??= {
      area: new Map(q.areaNames().map((a) => [a.code, a.name])),
      category: new Map(q.categoryNames().flatMap((c) => [[c.code, c.name], [c.major_code, c.major_name]] as [string, string][])),
      unit: new Map(q.units().map((u) => [u.id, { kind: u.kind, key: u.key, name: u.name, subdistrict: u.subdistrict_code }])),
    };
    return names;
  };

  /** Slots matching every filter but time. */
  function matcher(f: Omit<ReviewFilter, 'from' | 'to'>): ((i: number) => boolean) | null {
    const tests: ((i: number) => boolean)[] = [];
    const none = () => false;
    const eq = (dict: { find(v: string): number | undefined }, arr: ArrayLike<number>, v: string) => {
      const k = dict.find(v);
      tests.push(k === undefined ? none : (i) => arr[i] === k);
    };
    if (f.subdistrict) eq(cube.subdistricts, cube.subdistrict, f.subdistrict);
    if (f.community) eq(cube.communities, cube.community, f.community);
    if (f.block) eq(cube.blocks, cube.block, f.block);
    if (f.category) {
      const code = f.category;
      if (code.length === 4) eq(cube.categories, cube.category, code);
      else {
        const mask = Uint8Array.from(cube.categories.values, (c) => (c.startsWith(code) ? 1 : 0));
        tests.push((i) => mask[cube.category[i]] === 1);
      }
    }
    for (const [kind, key] of [['centre', f.centre], ['department', f.department]] as const) {
      if (!key) continue;
      const ids = new Set([...namesOf().unit].filter(([, u]) => u.kind === kind && u.key === key).map(([id]) => id));
      tests.push((i) => ids.has(cube.unit[i]));
    }
    const list = (values: readonly string[] | undefined, all: readonly string[], arr: Uint8Array) => {
      if (!values) return;
      const mask = Uint8Array.from(all, (v) => (values.includes(v) ? 1 : 0));
      tests.push((i) => mask[arr[i]] === 1);
    };
    list(f.channel, CHANNELS, cube.channel);
    list(f.kind, KINDS, cube.kind);
    list(f.priority ? [f.priority] : undefined, PRIORITIES, cube.priority);
    if (f.person !== undefined) {
      const p = f.person;
      tests.push((i) => cube.assignee[i] === p);
    }
    if (tests.length === 0) return null;
    if (tests.length === 1) return tests[0];
    return (i) => {
      for (const t of tests) if (!t(i)) return false;
      return true;
    };
  }

  const isClosed = (i: number) => cube.status[i] === S_CLOSED || cube.status[i] === S_EVALUATED;
  const orNull = (v: number) => (Number.isNaN(v) ? null : v);

  /** Adds case i's cohort figures (it was reported in the period). */
  function tallyReported(t: IndicatorTally, i: number): void {
    t.received++;
    if (cube.status[i] === S_REJECTED) {
      t.rejected++;
      return;
    }
    if (!Number.isNaN(cube.filed[i])) t.filed++;
    if (isClosed(i)) t.closed++;
    if (!Number.isNaN(cube.resolved[i]) || cube.rework[i] > 0) t.resolved++;
    if (cube.rework[i] > 0) t.reworked++;
    if (cube.extension[i] > 0) t.extended++;
    const s = cube.satisfaction[i];
    if (s > 0) {
      t.rated++;
      t.satisfactionSum += s;
      if (s >= 4) t.satisfied++;
    }
  }

  // One clock object refilled per case: 10⁶ allocations per request would cost more than the rule itself.
  const clock: CaseClock = { status: '', due_at: 0, resolved_at: null, closed_at: null, verify_due_at: null };
  /** Case i's 按期结案 outcome by on-time.ts (true, false, or null while undecided). */
  function onTimeOf(i: number, at: number): boolean | null {
    clock.status = cube.status[i] === S_REJECTED ? 'rejected' : 'case';
    clock.due_at = cube.due[i];
    clock.resolved_at = orNull(cube.resolved[i]);
    clock.closed_at = isClosed(i) ? orNull(cube.closed[i]) : null;
    clock.verify_due_at = orNull(cube.verifyDue[i]);
    return closedOnTime(clock, at);
  }

  /** Adds case i's on-time outcome (it was due in the period). */
  function tallyDue(t: IndicatorTally, i: number, at: number): void {
    const ok = onTimeOf(i, at);
    if (ok === null) return;
    t.onTimeDecided++;
    if (ok) t.onTime++;
  }

  const figures = (t: IndicatorTally): IndicatorFigures => {
    const { satisfactionSum: _sum, ...rest } = indicatorsOf(t);
    return rest;
  };

  /** Day or month buckets covering [from, to): their start instants and labels. */
  function buckets(from: number, to: number): { bucket: 'day' | 'month'; starts: number[]; labels: string[] } {
    const firstDay = localDayNumber(from, calendar);
    const lastDay = localDayNumber(to - 1, calendar);
    const starts: number[] = [], labels: string[] = [];
    if (lastDay - firstDay <= 62) {
      for (let d = firstDay; d <= lastDay; d++) {
        starts.push(localMidnight(d, calendar));
        labels.push(new Date(d * 86_400_000).toISOString().slice(0, 10));
      }
      return { bucket: 'day', starts, labels };
    }
    const first = new Date(firstDay * 86_400_000);
    for (let y = first.getUTCFullYear(), m = first.getUTCMonth(); ; m++) {
      const dn = Date.UTC(y, m, 1) / 86_400_000;
      if (dn > lastDay) break;
      starts.push(localMidnight(dn, calendar));
      labels.push(new Date(dn * 86_400_000).toISOString().slice(0, 10));
    }
    starts[0] = Math.min(starts[0], from);
    return { bucket: 'month', starts, labels };
  }

  function bucketOf(starts: number[], t: number): number {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  function flatRow(key: string, name: string, cases: number, handoffs: number, waitMs: number, waits: number): FlatnessRow {
    return {
      key, name, cases, handoffs,
      handoffsPerCase: cases ? handoffs / cases : null,
      waitMinutes: waits ? waitMs / waits / MINUTE : null,
    };
  }

  function indicators(f: ReviewFilter): ReviewIndicators {
    cube.refresh();
    const at = now();
    const match = matcher(f);
    const total = emptyTally();
    const natural = INTERVALS.map(() => new MinuteHistogram());
    const working = INTERVALS.map(() => new MinuteHistogram());
    // Locals instead of property loads in the loop below: it runs once per case (10⁶ per request).
    const { reported, due, status, handoffs, waitMs, waits, unit, category, resolved, closed, filed } = cube;
    const steps = [filed, cube.dispatched, cube.arrived, resolved, closed];
    const majorOf = Int16Array.from(cube.categories.values, (c) => Number(c.slice(0, 2)));
    const unitIds = [...namesOf().unit.keys()];
    const unitSlots = Math.max(0, ...unitIds) + 2; // slot 0: no unit (block cases)
    const flatUnit = new Float64Array(unitSlots * 4);
    const flatCat = new Float64Array(100 * 4);
    let fCases = 0, fHand = 0, fWait = 0, fWaits = 0;
    const { bucket, starts, labels } = buckets(f.from, f.to);
    const trendTally = starts.map(() => emptyTally());
    const from = f.from, to = f.to;
    for (let i = 0, n = cube.n; i < n; i++) {
      const rep = reported[i];
      const d = due[i];
      const reportedIn = rep >= from && rep < to;
      const dueIn = d >= from && d < to;
      if (!reportedIn && !dueIn) continue;
      if (match && !match(i)) continue;
      if (dueIn) {
        const ok = onTimeOf(i, at);
        if (ok !== null) {
          const tt = trendTally[bucketOf(starts, d)];
          total.onTimeDecided++;
          tt.onTimeDecided++;
          if (ok) {
            total.onTime++;
            tt.onTime++;
          }
        }
      }
      if (!reportedIn) continue;
      tallyReported(total, i);
      const tt = trendTally[bucketOf(starts, rep)];
      tt.received++;
      const st = status[i];
      if (st === S_REJECTED) continue;
      if (filed[i] === filed[i]) tt.filed++; // not NaN
      if (st === S_CLOSED || st === S_EVALUATED) tt.closed++;
      for (let k = 0; k < 5; k++) {
        const t = steps[k][i];
        if (t !== t) continue; // NaN: step not reached
        natural[k].add(Math.floor(Math.max(0, t - rep) / MINUTE));
        working[k].add(cube.working[k][i]);
      }
      const h = handoffs[i], w = waitMs[i], ws = waits[i];
      fCases++;
      fHand += h;
      fWait += w;
      fWaits += ws;
      const us = (unit[i] + 1) * 4;
      flatUnit[us]++; flatUnit[us + 1] += h; flatUnit[us + 2] += w; flatUnit[us + 3] += ws;
      const cs = majorOf[category[i]] * 4;
      flatCat[cs]++; flatCat[cs + 1] += h; flatCat[cs + 2] += w; flatCat[cs + 3] += ws;
    }
    const rowsOf = (arr: Float64Array, slots: number, offset: number) => {
      const out: [number, [number, number, number, number]][] = [];
      for (let k = 0; k < slots; k++) if (arr[k * 4] > 0) out.push([k - offset, [arr[k * 4], arr[k * 4 + 1], arr[k * 4 + 2], arr[k * 4 + 3]]]);
      return out;
    };
    const flatUnitRows = rowsOf(flatUnit, unitSlots, 1);
    const flatCatRows = rowsOf(flatCat, 100, 0);
    const nm = namesOf();
    const byPerCase = (a: FlatnessRow, b: FlatnessRow) => (b.handoffsPerCase ?? 0) - (a.handoffsPerCase ?? 0) || b.cases - a.cases;
    const unitName = (id: number) => {
      const u = nm.unit.get(id);
      return u ? u.name : '';
    };
    const points: TrendPoint[] = labels.map((start, b) => {
      const ind = indicatorsOf(trendTally[b]);
      return { start, received: ind.received, closed: ind.closed, closureRate: ind.closureRate, onTimeRate: ind.onTimeRate };
    });
    return {
      from: toIso(f.from),
      to: toIso(f.to),
      now: toIso(at),
      indicators: figures(total),
      scoreWeights: { ...SCORE_WEIGHTS },
      intervals: {
        natural: Object.fromEntries(INTERVALS.map((name, k) => [name, natural[k].summary()])) as ReviewIndicators['intervals']['natural'],
        working: Object.fromEntries(INTERVALS.map((name, k) => [name, working[k].summary()])) as ReviewIndicators['intervals']['working'],
      },
      flatness: {
        overall: flatRow('all', '', fCases, fHand, fWait, fWaits),
        byUnit: flatUnitRows.map(([id, r]) => flatRow(id < 0 ? 'block' : String(id), id < 0 ? '' : unitName(id), ...r)).sort(byPerCase).slice(0, FLATNESS_ROWS),
        byCategory: flatCatRows.map(([major, r]) => {
          const code = String(major).padStart(2, '0');
          return flatRow(code, nm.category.get(code) ?? code, ...r);
        }).sort(byPerCase).slice(0, FLATNESS_ROWS),
      },
      trend: { bucket, points },
    };
  }

  /** The group of case i under `by` as [key, name], or null when the case has none (a block case has no centre). */
  function grouper(by: ReviewGroup): (i: number) => number {
    switch (by) {
      case 'subdistrict': return (i) => cube.subdistrict[i];
      case 'community': return (i) => cube.community[i];
      case 'category': {
        const majors = cube.categories.values.map((c) => Number(c.slice(0, 2)));
        return (i) => majors[cube.category[i]];
      }
      case 'centre':
      case 'department': {
        const units = namesOf().unit;
        return (i) => (units.get(cube.unit[i])?.kind === by ? cube.unit[i] : -1);
      }
      case 'channel': return (i) => cube.channel[i];
      case 'kind': return (i) => cube.kind[i];
      case 'priority': return (i) => cube.priority[i];
      case 'person': return (i) => cube.assignee[i];
    }
  }

  function groupName(by: ReviewGroup, key: number, staff: Map<number, string>): [string, string] {
    const nm = namesOf();
    switch (by) {
      case 'subdistrict': { const c = cube.subdistricts.values[key]; return [c, nm.area.get(c) ?? c]; }
      case 'community': { const c = cube.communities.values[key]; return [c, nm.area.get(c) ?? c]; }
      case 'category': { const c = String(key).padStart(2, '0'); return [c, nm.category.get(c) ?? c]; }
      case 'centre':
      case 'department': {
        return [String(key), nm.unit.get(key)?.name ?? String(key)];
      }
      case 'channel': return [CHANNELS[key], CHANNELS[key]];
      case 'kind': return [KINDS[key], KINDS[key]];
      case 'priority': return [PRIORITIES[key], PRIORITIES[key]];
      case 'person': return [String(key), staff.get(key) ?? String(key)];
    }
  }

  function survival(f: ReviewFilter, by: ReviewGroup | 'all'): ReviewSurvival {
    cube.refresh();
    const at = now();
    const match = matcher(f);
    const group = by === 'all' ? () => 0 : grouper(by);
    // Per group: closings and censorings per whole hour.
    const groups = new Map<number, { deaths: number[]; censored: number[] }>();
    for (let i = 0; i < cube.n; i++) {
      const rep = cube.reported[i];
      if (rep < f.from || rep >= f.to || cube.status[i] === S_REJECTED || (match && !match(i))) continue;
      const key = group(i);
      if (key < 0) continue;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { deaths: [], censored: [] }));
      const closed = isClosed(i) && !Number.isNaN(cube.closed[i]);
      const end = closed ? cube.closed[i] : Math.max(at, rep);
      const h = Math.max(0, Math.ceil((end - rep) / HOUR));
      const arr = closed ? g.deaths : g.censored;
      while (g.deaths.length <= h) { g.deaths.push(0); g.censored.push(0); }
      arr[h]++;
    }
    const staff = by === 'person' ? new Map(q.staffNames([...groups.keys()]).map((s) => [s.id, s.name])) : new Map<number, string>();
    const curves: SurvivalCurve[] = [];
    for (const [key, g] of groups) {
      const times = g.deaths.map((_, h) => h);
      const km = kaplanMeierFromCounts(times, g.deaths, g.censored);
      const [k, name] = by === 'all' ? ['all', ''] : groupName(by, key, staff);
      curves.push({
        key: k, name, n: km.n, closed: km.events, open: km.censored,
        medianHours: km.median, medianLower: km.medianLower, medianUpper: km.medianUpper,
        points: km.steps.map((s) => ({ t: s.t, survival: s.survival, lower: s.lower, upper: s.upper, atRisk: s.atRisk })),
      });
    }
    curves.sort((a, b) => b.n - a.n);
    return { from: toIso(f.from), to: toIso(f.to), now: toIso(at), by, curves };
  }

  /** Tallies of [from, to) per group (and the whole) in one pass. */
  function groupTallies(from: number, to: number, group: (i: number) => number, match: ((i: number) => boolean) | null, at: number) {
    const per = new Map<number, IndicatorTally>();
    const all = emptyTally();
    for (let i = 0; i < cube.n; i++) {
      const rep = cube.reported[i];
      const due = cube.due[i];
      const reportedIn = rep >= from && rep < to;
      const dueIn = due >= from && due < to;
      if (!reportedIn && !dueIn) continue;
      if (match && !match(i)) continue;
      const key = group(i);
      let t: IndicatorTally | undefined;
      if (key >= 0) {
        t = per.get(key);
        if (!t) per.set(key, (t = emptyTally()));
      }
      if (reportedIn) {
        tallyReported(all, i);
        if (t) tallyReported(t, i);
      }
      if (dueIn) {
        tallyDue(all, i, at);
        if (t) tallyDue(t, i, at);
      }
    }
    return { per, all };
  }

  /**
   * Units of `by` for a calendar month against the district (or the filter's whole) that month, with the change of
   * the composite score against the month before (环比) and the same month a year before (同比).
   */
  function rankings(month: { year: number; month: number }, by: ReviewGroup, f: Omit<ReviewFilter, 'from' | 'to'> = {}): ReviewRankings {
    cube.refresh();
    const at = now();
    const match = matcher(f);
    const group = grouper(by);
    const range = (y: number, m: number): [number, number] => [
      localMidnight(Date.UTC(y, m - 1, 1) / 86_400_000, calendar),
      localMidnight(Date.UTC(y, m, 1) / 86_400_000, calendar),
    ];
    const cur = groupTallies(...range(month.year, month.month), group, match, at);
    const prev = groupTallies(...range(month.month === 1 ? month.year - 1 : month.year, month.month === 1 ? 12 : month.month - 1), group, match, at);
    const last = groupTallies(...range(month.year - 1, month.month), group, match, at);
    const district = indicatorsOf(cur.all);
    const staff = by === 'person' ? new Map(q.staffNames([...cur.per.keys()]).map((s) => [s.id, s.name])) : new Map<number, string>();
    const score = (t: IndicatorTally | undefined) => (t ? indicatorsOf(t).score : null);
    const rows = [...cur.per].map(([key, t]) => {
      const current = figures(t);
      const [k, name] = groupName(by, key, staff);
      const previousScore = score(prev.per.get(key));
      const lastYearScore = score(last.per.get(key));
      return {
        key: k, name, current,
        vsDistrict: current.score !== null && district.score !== null ? current.score - district.score : null,
        monthOnMonth: change(current.score, previousScore),
        yearOnYear: change(current.score, lastYearScore),
        previousScore, lastYearScore,
      };
    });
    rows.sort((a, b) => (b.current.score ?? -1) - (a.current.score ?? -1) || b.current.received - a.current.received);
    return { month: `${month.year}-${String(month.month).padStart(2, '0')}`, by, district: figures(cur.all), rows };
  }

  return {
    cube,
    /** Resolves once the cube holds every case (the first build yields to other requests between pages). */
    ready: () => cube.build(),
    indicators,
    survival,
    rankings,
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
