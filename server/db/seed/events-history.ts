/**
 * The demo event history: N events from the reform's start (2022-01-01, Asia/Shanghai) up to `now`, streamed day by
 * day into SQLite in batched transactions, so memory stays bounded at any N.
 *
 * - Volume per day: yearly growth (the reform ramping up) × weekday × season; a daily rhythm with peaks at 9–11 and
 *   15–17 local time. Days get exact counts (largest remainder), then each day is generated from its own seeded
 *   stream, so the result depends only on (seed, now, N).
 * - Place: a building drawn by residents, jittered inside its parcel (so inside its block); a share comes from the
 *   district's planted hotspots, with their categories and a much higher overdue share.
 * - Category: by kind, season, weekend and night (summer noise and garbage, plum-rain waterlogging, winter gas).
 * - Lifecycle: reported → filed (or rejected) → dispatched → accepted → arrived → resolved → closed → evaluated, with
 *   returns (回退), extensions (延期), rework (返工) and escalation at breach (超期); one log row per transition.
 *   Timestamp columns are set exactly up to the event's status; rejected cases carry their decision time in filed_at.
 * - The last 12 months hit fixed targets (scaled by N / 30,000) exactly, by sequential selection sampling:
 *   consultation-channel events, demands that reached resolved or later, and suggestions.
 */
import { HOURLY, MONTHLY, WEEKDAY } from '../../domain/report-rhythm.ts';
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Db } from '../database.ts';
import type { GeneratedDistrict } from '../../geo/gen/types.ts';
import { warningAt } from '../../domain/escalation.ts';
import { isOpenStatus } from '../../domain/lifecycle.ts';
import { createRng, WeightedTable, type Rng } from '../../domain/prng.ts';
import { TAXONOMY, type Category, type Taxonomy } from '../../contract/taxonomy.ts';
import { addWorkingTime, localDayNumber, localDayOf, localMidnight } from '../../domain/working-time.ts';
import { CATEGORY_PROFILES, nightFactor, seasonalFactor, weekendFactor } from './category-profiles.ts';
import { randomSurname } from './names.ts';
import type { StaffDirectory, UnitStaff } from './staff.ts';
import { BASELINE_EFFECTIVE_FROM, BASELINE_VERSION_ID } from './write-geodata.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

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

export type Kind = 'demand' | 'suggestion' | 'incident';
export type Channel = 'patrol' | 'hotline' | 'wechat' | 'consultation' | 'walk-in';
export type Status = 'reported' | 'filed' | 'rejected' | 'dispatched' | 'accepted' | 'arrived' | 'resolved' | 'closed' | 'evaluated';

/** Chain order of statuses; rejected sits at the filing step. */
export const STATUS_RANK: Readonly<Record<Status, number>> = {
  reported: 0, filed: 1, rejected: 1, dispatched: 2, accepted: 3, arrived: 4, resolved: 5, closed: 6, evaluated: 7,
};

export interface HistoryOptions {
  now: number;
  events: number;
  seed: number;
  /** Defaults to the baseline boundary version's effective time (2022-01-01T00:00+08:00). */
  start?: number;
  /** Events per transaction (default 50,000). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface HistorySummary {
  events: number;
  logRows: number;
  lastYear: { from: number; events: number; consultation: number; demandsResolved: number; suggestions: number };
}

// ---------------------------------------------------------------------------------------------------------------
// Rhythm (hour, weekday and month profiles: server/domain/report-rhythm.ts)

function growth(t: number, start: number): number {
  // Slow first year, steep ramp as the reform rolls out across the district (2023–2025), then a plateau.
  const y = Math.max(0, (t - start) / YEAR);
  return 0.2 + 1.3 / (1 + Math.exp(-(y - 2.5) / 0.8));
}

/** How far the reform has ramped up, 0 … 1. */
function ramp(t: number, start: number): number {
  return Math.min(1, Math.max(0, (t - start) / (3.5 * YEAR)));
}

function mix(seed: number, a: number, b: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (a >>> 0) ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ (b >>> 0) ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}

interface DayPlan {
  dayNumber: number;
  count: number;
  /** Hour weights for this day (truncated on the last, partial day). */
  hours: number[];
}

/** Exact per-day counts for N events between start and now. */
function planDays(start: number, now: number, n: number): DayPlan[] {
  const first = localDayNumber(start);
  const last = localDayNumber(now - 1);
  const hourTotal = HOURLY.reduce((a, b) => a + b, 0);
  const plans: DayPlan[] = [];
  const weights: number[] = [];
  for (let dn = first; dn <= last; dn++) {
    const midnight = localMidnight(dn);
    const hours = HOURLY.map((w, h) => {
      const from = Math.max(midnight + h * HOUR, start);
      const to = Math.min(midnight + (h + 1) * HOUR, now);
      return to > from ? (w * (to - from)) / HOUR : 0;
    });
    const share = hours.reduce((a, b) => a + b, 0) / hourTotal;
    const ld = localDayOf(dn);
    const w = share * growth(midnight + 12 * HOUR, start) * WEEKDAY[ld.weekday] * MONTHLY[ld.month - 1];
    plans.push({ dayNumber: dn, count: 0, hours });
    weights.push(w);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('the history span is empty');
  let assigned = 0;
  const rema: { i: number; r: number }[] = [];
  for (let i = 0; i < plans.length; i++) {
    const exact = (n * weights[i]) / total;
    plans[i].count = Math.floor(exact);
    assigned += plans[i].count;
    rema.push({ i, r: exact - plans[i].count });
  }
  rema.sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < n - assigned; k++) plans[rema[k].i].count++;
  return plans;
}

/** Sorted report instants of one day, from the day's own stream. */
function dayTimes(plan: DayPlan, seed: number, start: number, now: number): Float64Array {
  const rng = createRng(mix(seed, plan.dayNumber, 0x71));
  const out = new Float64Array(plan.count);
  if (plan.count === 0) return out;
  const table = new WeightedTable(plan.hours);
  const midnight = localMidnight(plan.dayNumber);
  for (let i = 0; i < plan.count; i++) {
    const h = table.pickIndex(rng);
    const from = Math.max(midnight + h * HOUR, start);
    const to = Math.min(midnight + (h + 1) * HOUR, now);
    out[i] = from + Math.floor(rng.next() * (to - from));
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Places

interface Places {
  /** Per building (index into district.buildings). */
  ring: number[][][];
  bbox: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
  blockCode: string[];
  roadName: string[];
  ordinal: Int32Array;
  population: WeightedTable;
  /** Index 0: population; i ≥ 1: hotspot i-1. */
  sources: WeightedTable;
  hotspots: { table: WeightedTable; buildings: number[]; categories: Category[]; id: string }[];
}

function pointInRing(x: number, y: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i][0];
    const yi = ring[i][1];
    const xj = ring[j][0];
    const yj = ring[j][1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The outer ring of a parcel; for a multipolygon, the ring of its largest part (by bounding box). */
function parcelOuterRing(g: Polygon | MultiPolygon): number[][] {
  if (g.type === 'Polygon') return (g.coordinates[0] as number[][] | undefined) ?? [];
  let best: number[][] = [];
  let bestArea = -1;
  for (const poly of g.coordinates) {
    const r = poly[0] as number[][] | undefined;
    if (!r) continue;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of r) {
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    }
    const a = (x1 - x0) * (y1 - y0);
    if (a > bestArea) {
      bestArea = a;
      best = r;
    }
  }
  return best;
}

function preparePlaces(d: GeneratedDistrict, taxonomy: Taxonomy): Places {
  const n = d.buildings.length;
  if (n === 0) throw new Error('the district has no buildings to place events at');
  const ring: number[][][] = [];
  const bbox = new Float64Array(n * 4);
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const blockCode: string[] = [];
  const ordinal = new Int32Array(n);
  const perCommunity = new Map<string, number>();
  const weights = new Float64Array(n);
  d.buildings.forEach((b, i) => {
    const outer = parcelOuterRing(b.parcel as Polygon | MultiPolygon);
    ring.push(outer);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of outer) {
      if (p[0] < x0) x0 = p[0];
      if (p[0] > x1) x1 = p[0];
      if (p[1] < y0) y0 = p[1];
      if (p[1] > y1) y1 = p[1];
    }
    bbox[i * 4] = x0; bbox[i * 4 + 1] = y0; bbox[i * 4 + 2] = x1; bbox[i * 4 + 3] = y1;
    lon[i] = b.lon;
    lat[i] = b.lat;
    blockCode.push(b.blockCode);
    const k = (perCommunity.get(b.communityCode) ?? 0) + 1;
    perCommunity.set(b.communityCode, k);
    ordinal[i] = k;
    // A building without a parcel cannot be placed in its block safely: no events there.
    weights[i] = outer.length >= 4 ? b.residents + 2 : 0;
  });

  // Nearest named road per building, through an index of road vertices.
  const roadName: string[] = new Array(n).fill('');
  const named = d.roads.filter((r) => r.name.trim().length > 0);
  const vertexRoad: number[] = [];
  for (const [ri, r] of named.entries()) for (let k = 0; k < r.geometry.coordinates.length; k++) vertexRoad.push(ri);
  if (vertexRoad.length > 0) {
    const index = new Flatbush(vertexRoad.length);
    for (const r of named) for (const p of r.geometry.coordinates) index.add(p[0], p[1], p[0], p[1]);
    index.finish();
    for (let i = 0; i < n; i++) {
      const [hit] = index.neighbors(lon[i], lat[i], 1);
      if (hit !== undefined) roadName[i] = named[vertexRoad[hit]].name;
    }
  }

  const population = new WeightedTable(weights);
  const sourceWeights = [population.total];
  const hotspots: Places['hotspots'] = [];
  for (const h of d.hotspots) {
    const cosLat = Math.cos((h.center[1] * Math.PI) / 180);
    const inside: number[] = [];
    for (let i = 0; i < n; i++) {
      const dx = (lon[i] - h.center[0]) * 111_320 * cosLat;
      const dy = (lat[i] - h.center[1]) * 111_320;
      if (dx * dx + dy * dy <= h.radiusM * h.radiusM) inside.push(i);
    }
    if (inside.length === 0) d.buildings.forEach((b, i) => b.blockCode === h.blockCode && inside.push(i));
    const w = inside.map((i) => weights[i]);
    if (!w.some((x) => x > 0)) continue;
    const table = new WeightedTable(w);
    const categories = h.categories.map((c) => taxonomy.byCode.get(c)).filter((c): c is Category => c !== undefined);
    hotspots.push({ table, buildings: inside, categories, id: h.id });
    sourceWeights.push(h.intensity * table.total);
  }
  return { ring, bbox, lon, lat, blockCode, roadName, ordinal, population, sources: new WeightedTable(sourceWeights), hotspots };
}

/** A point strictly inside the building's parcel (falls back to the building's own point). */
function pointInParcel(p: Places, i: number, rng: Rng): [number, number] {
  const x0 = p.bbox[i * 4], y0 = p.bbox[i * 4 + 1], x1 = p.bbox[i * 4 + 2], y1 = p.bbox[i * 4 + 3];
  for (let k = 0; k < 24; k++) {
    const x = x0 + (x1 - x0) * (0.02 + 0.96 * rng.next());
    const y = y0 + (y1 - y0) * (0.02 + 0.96 * rng.next());
    if (pointInRing(x, y, p.ring[i])) return [x, y];
  }
  return [p.lon[i], p.lat[i]];
}

// ---------------------------------------------------------------------------------------------------------------
// Categories

class CategoryPicker {
  private readonly cache = new Map<string, { table: WeightedTable; cats: Category[] }>();
  constructor(private readonly taxonomy: Taxonomy) {}
  pick(rng: Rng, kind: Kind, month: number, weekend: boolean, night: boolean): Category {
    const key = `${kind}|${month}|${weekend ? 1 : 0}|${night ? 1 : 0}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const cats = this.taxonomy.categories.filter((c) => (CATEGORY_PROFILES[c.code]?.[kind] ?? (kind === 'suggestion' ? 0 : 1)) > 0);
      const weights = cats.map((c) => {
        const base = CATEGORY_PROFILES[c.code]?.[kind] ?? 1;
        return base * seasonalFactor(c.code, month) * (weekend ? weekendFactor(c.code) : 1) * (night ? nightFactor(c.code) : 1);
      });
      entry = { table: new WeightedTable(weights), cats };
      this.cache.set(key, entry);
    }
    return entry.cats[entry.table.pickIndex(rng)];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle

interface Step {
  at: number;
  actor: number | null;
  role: string;
  to: Status;
  assignee: number | null;
  note: string;
  /** A side row (extension, escalation): the status does not change. */
  side?: boolean;
}

type Fate = 'natural' | 'resolve' | 'reject' | 'open';

const logUniform = (rng: Rng, lo: number, hi: number): number => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));

const REJECT_NOTES = ['无效：不属于受理范围', '重复：与已受理案件重复', '无效：信息不全无法核实', '重复：同一事项重复上报'];
const CHANNELS_NO_CONSULT: Record<Kind, readonly [Channel[], number[]]> = {
  incident: [['patrol', 'hotline', 'wechat'], [80, 12, 8]],
  demand: [['hotline', 'wechat', 'walk-in'], [45, 40, 15]],
  suggestion: [['wechat', 'hotline', 'walk-in'], [50, 20, 30]],
};

// ---------------------------------------------------------------------------------------------------------------

export function writeEventHistory(
  db: Db,
  d: GeneratedDistrict,
  staff: StaffDirectory,
  options: HistoryOptions,
  taxonomy: Taxonomy = TAXONOMY,
): HistorySummary {
  const { now, seed } = options;
  const total = Math.max(0, Math.floor(options.events));
  const start = options.start ?? BASELINE_EFFECTIVE_FROM;
  const batchSize = Math.max(1, options.batchSize ?? 50_000);
  if (!(now > start + HOUR)) throw new Error(`now (${new Date(now).toISOString()}) must be after the history start`);
  const summary: HistorySummary = {
    events: 0,
    logRows: 0,
    lastYear: { from: lastYearStart(now), events: 0, consultation: 0, demandsResolved: 0, suggestions: 0 },
  };
  if (total === 0) return summary;

  const places = preparePlaces(d, taxonomy);
  const picker = new CategoryPicker(taxonomy);
  const blocks = new Map(d.blocks.map((b) => [b.code, b]));
  const communities = new Map(d.communities.map((c) => [c.code, c]));
  const plans = planDays(start, now, total);

  // Window bookkeeping for the exact last-12-month figures.
  const windowStart = Math.max(start, lastYearStart(now));
  const eligibleEnd = now - 48 * HOUR; // a demand reported later may not be resolved yet
  const countBetween = (from: number, to: number): number => {
    let c = 0;
    for (const plan of plans) {
      const dayStart = localMidnight(plan.dayNumber);
      const dayEnd = dayStart + DAY;
      if (dayEnd <= from || dayStart >= to || plan.count === 0) continue;
      if (dayStart >= from && dayEnd <= to) c += plan.count;
      else for (const t of dayTimes(plan, seed, start, now)) if (t >= from && t < to) c++;
    }
    return c;
  };
  const windowCount = countBetween(windowStart, now + 1);
  const eligibleCount = countBetween(windowStart, eligibleEnd);
  const quotas = lastYearQuotas(total);
  let dLeft = Math.min(quotas.demandsResolved, Math.floor(eligibleCount * 0.4));
  let sLeft = Math.min(quotas.suggestions, Math.floor(windowCount * 0.4));
  const consult = Math.min(quotas.consultation, sLeft + dLeft);
  let csLeft = Math.min(Math.round(consult * 0.6), sLeft);
  let cdLeft = Math.min(consult - csLeft, dLeft);
  csLeft = Math.min(consult - cdLeft, sLeft);
  let eligibleLeft = eligibleCount;
  let nonDLeft = windowCount - dLeft;

  // Statements.
  const insertEvent = db.prepare(
    `INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id,
       block_code, community_code, subdistrict_code, reporter, assignee_id, unit_id, reported_at, filed_at, dispatched_at,
       accepted_at, arrived_at, resolved_at, closed_at, evaluated_at, due_at, satisfaction, rework_count,
       extension_count, escalated, idempotency_key, warn_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
  );
  const insertLog = db.prepare(
    `INSERT INTO event_log (id, event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  // Large histories load faster without the secondary indexes; they are rebuilt once at the end.
  const deferred =
    total >= 200_000
      ? (db
          .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'event_log') AND sql IS NOT NULL")
          .all() as { name: string; sql: string }[])
      : [];
  for (const ix of deferred) db.exec(`DROP INDEX ${ix.name}`);
  const rebuildIndexes = (): void => {
    for (const ix of deferred) db.exec(ix.sql);
    deferred.length = 0;
  };

  let eventId = 0;
  let logId = 0;
  let inBatch = 0;
  db.exec('BEGIN');
  try {
    for (const plan of plans) {
      if (plan.count === 0) continue;
      const times = dayTimes(plan, seed, start, now);
      const rng = createRng(mix(seed, plan.dayNumber, 0xe7));
      const ld = localDayOf(plan.dayNumber);
      const datePart = ld.iso.replaceAll('-', '');
      const weekend = ld.weekday === 0 || ld.weekday === 6;
      for (let seq = 0; seq < times.length; seq++) {
        const t0 = times[seq];
        const r = ramp(t0, start);
        const localHour = Math.floor(((t0 + 8 * HOUR) % DAY) / HOUR);
        const night = localHour >= 20 || localHour < 6;

        // Kind, channel and fate: exact quotas inside the window, natural mix before it.
        let kind: Kind;
        let channel: Channel | null = null;
        let fate: Fate = 'natural';
        const inWindow = t0 >= windowStart;
        if (inWindow) {
          const eligible = t0 < eligibleEnd;
          let isD = false;
          if (eligible) {
            isD = dLeft > 0 && rng.next() * eligibleLeft < dLeft;
            eligibleLeft--;
          }
          if (isD) {
            kind = 'demand';
            fate = 'resolve';
            if (cdLeft > 0 && rng.next() * dLeft < cdLeft) {
              channel = 'consultation';
              cdLeft--;
            }
            dLeft--;
          } else {
            const isS = sLeft > 0 && rng.next() * nonDLeft < sLeft;
            nonDLeft--;
            if (isS) {
              kind = 'suggestion';
              if (csLeft > 0 && rng.next() * sLeft < csLeft) {
                channel = 'consultation';
                csLeft--;
              }
              sLeft--;
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

        // Place and category.
        const source = places.sources.pickIndex(rng);
        const hotspot = source > 0 ? places.hotspots[source - 1] : null;
        const bi = hotspot ? hotspot.buildings[hotspot.table.pickIndex(rng)] : places.population.pickIndex(rng);
        const [lon, lat] = pointInParcel(places, bi, rng);
        const blockCode = places.blockCode[bi];
        const block = blocks.get(blockCode)!;
        const community = communities.get(block.communityCode)!;
        let category: Category;
        if (hotspot && kind !== 'suggestion' && hotspot.categories.length > 0 && rng.chance(0.85)) {
          category = rng.pick(hotspot.categories);
        } else category = picker.pick(rng, kind, ld.month, weekend, night);
        if (kind === 'incident' && category.majorCode === '05' && channel === 'patrol' && rng.chance(0.5)) channel = 'hotline';

        const major = category.majorCode;
        const urgent =
          major === '05' ? rng.chance(0.85) : major === '09' ? rng.chance(0.2) : category.code === '0702' ? rng.chance(0.3) : rng.chance(0.03);

        // Text and reporter.
        const road = places.roadName[bi];
        const placeOptions = [`${community.name}${places.ordinal[bi]}栋`];
        if (road) placeOptions.push(road, `${community.name}${road}段`);
        const place = rng.pick(placeOptions);
        const profile = CATEGORY_PROFILES[category.code];
        const text = profile ? rng.pick(profile.texts).replace('{p}', place) : `${place}${category.name}`;

        // Who handles it.
        const team = staff.blockTeams.get(blockCode)!;
        const guidance = staff.centres.get(block.subdistrictCode)!.get('guidance')!;
        let unit: UnitStaff | null = null;
        let closer: number;
        let closerRole: string;
        if (category.tier === 'centre') {
          unit = staff.centres.get(block.subdistrictCode)!.get(category.unitKey as never)!;
          closer = unit.inspector!;
          closerRole = 'centre-inspector';
        } else if (category.tier === 'department') {
          unit = staff.departments.get(block.subdistrictCode)!.get(category.unitKey as never)!;
          closer = guidance.inspector!;
          closerRole = 'centre-inspector';
        } else {
          closer = team.supervisor;
          closerRole = 'supervisor';
        }
        const dispatcher = rng.pick(guidance.handlers);
        const pickHandler = (exclude: number | null): [number, string] => {
          if (unit) {
            const pool = unit.handlers.filter((h) => h !== exclude && h !== dispatcher);
            const list = pool.length > 0 ? pool : unit.handlers;
            return [rng.pick(list), category.tier === 'centre' ? 'centre-staff' : 'officer'];
          }
          const pool = [team.governor, ...team.assistants].filter((h) => h !== exclude);
          const gov = pool.includes(team.governor) && rng.chance(0.45);
          return gov ? [team.governor, 'governor'] : [rng.pick(pool.filter((h) => h !== team.governor)), 'assistant'];
        };

        let reporterText: string;
        let reporterId: number | null = null;
        let reporterRole = 'resident';
        if (channel === 'patrol') {
          const id = rng.chance(0.4) ? team.governor : rng.pick(team.assistants);
          reporterId = id;
          reporterRole = id === team.governor ? 'governor' : 'assistant';
          reporterText = staff.names.get(id)!;
        } else if (channel === 'consultation') {
          reporterText = `民情恳谈会（${community.name}）`;
          reporterRole = 'consultation';
        } else {
          reporterText = `${randomSurname(rng)}${rng.chance(0.5) ? '女士' : '先生'}`;
          if (channel === 'hotline') reporterRole = 'hotline';
        }

        // The timeline.
        let due = addWorkingTime(t0, category.deadline.value, category.deadline.unit);
        const steps: Step[] = [{ at: t0, actor: reporterId, role: reporterRole, to: 'reported', assignee: null, note: channelNote(channel) }];
        // Urgent cases and natural-hour deadlines run on the 24-hour duty roster; the rest slow down at night.
        const roundTheClock = urgent || category.deadline.unit === 'natural-hours';
        const speed = roundTheClock ? 0.35 : 1;
        const nightSlow = night && !roundTheClock ? 3 : 1;
        const fileDelay =
          channel === 'patrol' ? logUniform(rng, 1, 8) * MINUTE
          : channel === 'consultation' ? logUniform(rng, 20, 4 * 60) * MINUTE
          : channel === 'walk-in' ? logUniform(rng, 5, 30) * MINUTE
          : logUniform(rng, 3, 60) * MINUTE * nightSlow;
        let t = t0 + Math.round(fileDelay * speed);
        const rejectP = fate === 'natural' ? (channel === 'patrol' ? 0.01 : kind === 'suggestion' ? 0.02 : 0.05) : 0;
        const rejected = fate === 'reject' || (fate === 'natural' && rng.chance(rejectP));
        let assignee: number | null = null;
        let lateP = (hotspot ? 0.35 : 0.08 - 0.04 * r) * (urgent ? 0.6 : 1);
        if (rejected) {
          steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'rejected', assignee: null, note: rng.pick(REJECT_NOTES) });
        } else {
          steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'filed', assignee: null, note: `立案：${category.name}` });
          t += Math.round(logUniform(rng, 2, 25) * MINUTE * speed * nightSlow);
          let [handler, handlerRole] = pickHandler(null);
          steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'dispatched', assignee: handler, note: '派遣' });
          if (category.tier !== 'block' && rng.chance(0.04)) {
            // 回退: the first assignee hands it back; the dispatcher sends it to a colleague.
            t += Math.round(logUniform(rng, 10, 180) * MINUTE);
            steps.push({ at: t, actor: handler, role: handlerRole, to: 'filed', assignee: null, note: '回退：需重新派遣' });
            t += Math.round(logUniform(rng, 5, 60) * MINUTE);
            [handler, handlerRole] = pickHandler(handler);
            steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'dispatched', assignee: handler, note: '重新派遣' });
          }
          assignee = handler;
          t += Math.round(logUniform(rng, 3, 45) * MINUTE * speed);
          steps.push({ at: t, actor: handler, role: handlerRole, to: 'accepted', assignee: handler, note: '接单' });
          const travel = kind === 'suggestion' ? logUniform(rng, 60, 48 * 60) : category.tier === 'block' ? logUniform(rng, 5, 30) : logUniform(rng, 15, 120);
          t += Math.round(travel * MINUTE * speed);
          steps.push({ at: t, actor: handler, role: handlerRole, to: 'arrived', assignee: handler, note: kind === 'suggestion' ? '联系建议人' : '到场' });

          if (fate !== 'open') {
            const extP = category.deadline.unit === 'working-days' ? 0.06 : 0.01;
            if (rng.chance(extP) && due > t) {
              const at = t + Math.round((due - t) * (0.3 + 0.5 * rng.next()));
              const days = rng.int(1, 3);
              due = addWorkingTime(due, days, 'working-days');
              steps.push({ at, actor: closer, role: closerRole, to: 'arrived', assignee: handler, note: `延期批准：${days}个工作日`, side: true });
              lateP *= 0.4;
              t = at;
            }
            const allowed = Math.max(due - t0, 30 * MINUTE);
            let resolved: number;
            const work = Math.round(logUniform(rng, 5, 60) * MINUTE * speed);
            if (rng.chance(lateP) || t + work >= due) resolved = Math.max(due + Math.round(allowed * (0.05 + 1.1 * rng.next() ** 2)) + 10 * MINUTE, t + work);
            else resolved = t + work + Math.round((due - t - work) * (0.1 + 0.85 * rng.next() ** 0.9));
            steps.push({ at: resolved, actor: handler, role: handlerRole, to: 'resolved', assignee: handler, note: '处置完毕' });
            if (rng.chance(0.04)) {
              const back = resolved + Math.round(logUniform(rng, 20, 600) * MINUTE);
              steps.push({ at: back, actor: closer, role: closerRole, to: 'accepted', assignee: handler, note: '核查未通过，返工' });
              const again = back + Math.round(logUniform(rng, 60, 16 * 60) * MINUTE);
              steps.push({ at: again, actor: handler, role: handlerRole, to: 'resolved', assignee: handler, note: '返工完成' });
            }
            // A demand that must count as resolved is compressed to finish before now.
            const last = steps[steps.length - 1].at;
            if (fate === 'resolve' && last > now - MINUTE) {
              const k = ((now - MINUTE - t0) * 0.95) / (last - t0);
              for (const s of steps) s.at = t0 + Math.floor((s.at - t0) * k);
            }
            const closedAt = steps[steps.length - 1].at + Math.round(logUniform(rng, 20, 20 * 60) * MINUTE);
            steps.push({ at: closedAt, actor: closer, role: closerRole, to: 'closed', assignee: handler, note: '核查通过，结案' });
            const evalP = channel === 'patrol' ? 0.35 : 0.75;
            if (rng.chance(evalP)) {
              steps.push({ at: closedAt + Math.round(logUniform(rng, 60, 72 * 60) * MINUTE), actor: null, role: 'resident', to: 'evaluated', assignee: handler, note: '' });
            }
          }
        }
        // Keep order by time (side rows were placed by time).
        steps.sort((a, b) => a.at - b.at);

        // Escalation at breach (超期): a side row at due_at while the case was still unresolved.
        const resolvedStep = steps.find((s) => s.to === 'resolved');
        const firstResolved = resolvedStep ? resolvedStep.at : Infinity;
        const finalResolved = (() => {
          for (let k = steps.length - 1; k >= 0; k--) if (steps[k].to === 'resolved') return steps[k].at;
          return Infinity;
        })();
        let escalated = 0;
        if (!rejected && due <= now && (finalResolved > due || firstResolved > due)) {
          escalated = 1;
          let k = 0;
          while (k < steps.length && steps[k].at <= due) k++;
          const current = steps[k - 1];
          steps.splice(k, 0, { at: due, actor: null, role: 'system', to: current.to, assignee: current.assignee, note: '超期，升级督办', side: true });
        }

        // Cut at now.
        let kept = steps.length;
        while (kept > 1 && steps[kept - 1].at > now) kept--;
        if (kept < steps.length) escalated = steps.slice(0, kept).some((s) => s.role === 'system') ? 1 : 0;
        let status: Status = 'reported';
        const stamp: Partial<Record<Status, number>> = {};
        let reworks = 0;
        let extensions = 0;
        let currentAssignee: number | null = null;
        for (let k = 0; k < kept; k++) {
          const s = steps[k];
          if (s.side) {
            s.to = status;
            if (s.role !== 'system') extensions++;
            continue;
          }
          if (s.to === 'accepted' && status === 'resolved') reworks++;
          status = s.to;
          if (s.to === 'resolved') stamp.resolved = s.at;
          else if (stamp[s.to] === undefined) stamp[s.to] = s.at;
          if (s.to === 'dispatched') currentAssignee = s.assignee;
          if (s.to === 'filed') currentAssignee = null;
        }
        const rank = STATUS_RANK[status];
        const col = (st: Status): number | null =>
          STATUS_RANK[st] <= rank && stamp[st] !== undefined ? stamp[st]! : null;
        const filedAt = status === 'rejected' ? stamp.rejected! : col('filed');
        let satisfaction: number | null = null;
        if (status === 'evaluated') {
          const late = finalResolved > due;
          satisfaction = rng.weighted([5, 4, 3, 2, 1], late ? [25, 30, 25, 12, 8] : [62, 25, 8, 3, 2]);
        }

        eventId++;
        const caseNo = `YH${datePart}${String(seq + 1).padStart(5, '0')}`;
        insertEvent.run(
          eventId, caseNo, kind, channel, category.code, urgent ? 'urgent' : 'normal', status, category.tier, text,
          lon, lat, BASELINE_VERSION_ID, blockCode, block.communityCode, block.subdistrictCode, reporterText,
          rank >= STATUS_RANK.dispatched ? currentAssignee : null, unit ? unit.unitId : null,
          t0, filedAt, col('dispatched'), col('accepted'), col('arrived'), col('resolved'), col('closed'), col('evaluated'),
          due, satisfaction, reworks, extensions, escalated,
          // The warning instant the escalation sweep reads, for the cases still open.
          isOpenStatus(status) ? warningAt(t0, due, category.warningRatio, category.deadline.unit) : null,
        );
        let from: Status | null = null;
        for (let k = 0; k < kept; k++) {
          const s = steps[k];
          const fromStatus: Status | null = s.side ? s.to : from;
          insertLog.run(++logId, eventId, s.at, s.actor, s.role, fromStatus, s.to, s.assignee, s.note);
          if (!s.side) from = s.to;
        }
        summary.logRows += kept;

        if (inWindow) {
          summary.lastYear.events++;
          if (channel === 'consultation') summary.lastYear.consultation++;
          if (kind === 'suggestion') summary.lastYear.suggestions++;
          if (kind === 'demand' && rank >= STATUS_RANK.resolved && status !== 'rejected') summary.lastYear.demandsResolved++;
        }

        if (eventId % 10_000 === 0) options.onProgress?.(eventId, total);
        if (++inBatch >= batchSize) {
          db.exec('COMMIT');
          db.exec('BEGIN');
          inBatch = 0;
        }
      }
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    rebuildIndexes();
    throw err;
  }
  rebuildIndexes();
  options.onProgress?.(eventId, total);
  summary.events = eventId;
  return summary;
}

function channelNote(channel: Channel): string {
  switch (channel) {
    case 'patrol':
      return '巡查发现';
    case 'hotline':
      return '12345热线';
    case 'wechat':
      return '协同办公平台';
    case 'consultation':
      return '民情恳谈会';
    case 'walk-in':
      return '来访';
  }
}

