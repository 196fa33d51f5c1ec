/**
 * Leaders' insight: where events concentrate significantly (Gi* over blocks or H3 hexagons), how that changes over
 * time (emerging hot spots), where overdue cases cluster now (DBSCAN), and which blocks — with their governor and
 * supervisor, rate, on-time closure and trend — own the problem. Counting happens in SQL (db/queries/insight.ts);
 * the statistics are the pure functions of domain/stats; weights are built once per boundary version (and H3
 * resolution) and kept. Knows no HTTP: an unknown block is refused with NOT_FOUND.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { cellToBoundary, cellToLatLng, getHexagonEdgeLengthAvg, latLngToCell } from 'h3-js';
import { convex, featureCollection, point } from '@turf/turf';
import type {
  BlockInsight, EmergingCategoryName, GiBin, HotspotUnit, InsightClusters, InsightEmerging, InsightFilterEcho, InsightHotspots,
  InsightNormalisation, InsightRanking, InsightUnit, PeriodComparison, RankingRow, Trend,
} from '../contract/insight.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
import type { Db } from '../db/database.ts';
import { insightQueries, type InsightBlockRow, type InsightFilter } from '../db/queries/insight.ts';
import { queenContiguity, type PolygonParts } from '../domain/hotspots.ts';
import { NOT_FOUND, refuse } from '../domain/refusal.ts';
import { dbscan } from '../domain/stats/dbscan.ts';
import { emergingHotSpots } from '../domain/stats/emerging.ts';
import { giStarTest } from '../domain/stats/gi-star.ts';
import { aggregateH3 } from '../domain/stats/h3-aggregate.ts';
import { mannKendall } from '../domain/stats/mann-kendall.ts';
import { distanceBandWeights, projectLocal, weightsFromAdjacency, type Weights } from '../domain/stats/weights.ts';
import { SHANGHAI_OFFSET_MS, toIso } from '../time.ts';

export interface InsightParams {
  from: number;
  to: number;
  category?: string;
  kinds?: readonly string[];
  channels?: readonly string[];
  statuses?: readonly string[];
  overdue: boolean;
  unit: InsightUnit;
  /** H3 resolution (unit h3). */
  res: number;
  normalise: InsightNormalisation;
  fdr: boolean;
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** A hexagon's neighbours are its ring of six: centres ~√3 edge lengths apart; the band leaves room for distortion. */
const BAND_FACTOR = 1.2 * Math.sqrt(3);

const round = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : 0);
const sig = (v: number) => Number(v.toPrecision(3));

/** Start of the Shanghai calendar month containing `t`, moved by `delta` months. */
export function monthStart(t: number, delta = 0): number {
  const d = new Date(t + SHANGHAI_OFFSET_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta, 1) - SHANGHAI_OFFSET_MS;
}
function yearStart(t: number, delta = 0): number {
  const d = new Date(t + SHANGHAI_OFFSET_MS);
  return Date.UTC(d.getUTCFullYear() + delta, 0, 1) - SHANGHAI_OFFSET_MS;
}
const monthKey = (t: number) => new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);

interface BlockGeo {
  version: number;
  rows: InsightBlockRow[];
  index: Map<string, number>;
  weights: Weights;
  parts: PolygonParts[];
}

interface HexGeo {
  cells: string[];
  index: Map<string, number>;
  residents: Float64Array;
  households: Float64Array;
  weights: Weights;
  bandM: number;
}

export function createInsightService({ db, now }: { db: Db; now: () => number }) {
  const q = insightQueries(db);
  let blockGeo: BlockGeo | null = null;
  const hexGeo = new Map<string, HexGeo>();

  function blocksAt(t: number): BlockGeo | null {
    const version = q.currentVersion(t);
    if (version === null) return null;
    if (blockGeo?.version === version) {
      // Teams change within a version: re-read the rows (cheap), keep the weights (geometry does not change).
      const rows = q.blocks(version, t);
      if (rows.length === blockGeo.rows.length) return { ...blockGeo, rows };
    }
    const rows = q.blocks(version, t);
    const parts = rows.map((r) => {
      const g = JSON.parse(r.geometry) as Polygon | MultiPolygon;
      return (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as PolygonParts;
    });
    const adjacency = queenContiguity(parts, rows.map((r) => [r.center_lon, r.center_lat]));
    blockGeo = { version, rows, parts, index: new Map(rows.map((r, i) => [r.code, i])), weights: weightsFromAdjacency(adjacency) };
    return blockGeo;
  }

  /** The hexagons where people live (cells holding a building), with their population and distance-band weights. */
  function hexesAt(version: number, res: number): HexGeo {
    const key = `${version}|${res}`;
    const cached = hexGeo.get(key);
    if (cached) return cached;
    const index = new Map<string, number>();
    const cells: string[] = [];
    const residents: number[] = [];
    const households: number[] = [];
    for (const [lon, lat, r, h] of q.buildings(version)) {
      const cell = latLngToCell(lat, lon, res);
      let i = index.get(cell);
      if (i === undefined) {
        i = cells.length;
        index.set(cell, i);
        cells.push(cell);
        residents.push(0);
        households.push(0);
      }
      residents[i] += r;
      households[i] += h;
    }
    const geo = finishHexes(cells, index, residents, households, res);
    hexGeo.set(key, geo);
    return geo;
  }

  function finishHexes(cells: string[], index: Map<string, number>, residents: number[], households: number[], res: number): HexGeo {
    const centres = cells.map((c) => cellToLatLng(c));
    const lat0 = centres.reduce((a, c) => a + c[0], 0) / Math.max(1, centres.length);
    const lon0 = centres.reduce((a, c) => a + c[1], 0) / Math.max(1, centres.length);
    const { xs, ys } = projectLocal(centres.map((c) => c[1]), centres.map((c) => c[0]), lon0, lat0);
    const bandM = BAND_FACTOR * getHexagonEdgeLengthAvg(res, 'm');
    return {
      cells, index, bandM,
      residents: Float64Array.from(residents), households: Float64Array.from(households),
      weights: distanceBandWeights(xs, ys, bandM),
    };
  }

  /** Hexagons of the populated area plus any cell that holds a matching event (a parcel crossing a cell edge). */
  function hexCounts(f: InsightFilter, version: number, res: number): { geo: HexGeo; counts: Float64Array } {
    let geo = hexesAt(version, res);
    const { lon, lat } = q.points(f);
    const agg = aggregateH3(lon, lat, res);
    const extra = agg.cells.filter((c) => !geo.index.has(c));
    if (extra.length) {
      const cells = [...geo.cells, ...extra];
      const index = new Map(cells.map((c, i) => [c, i]));
      geo = finishHexes(cells, index, [...geo.residents, ...extra.map(() => 0)], [...geo.households, ...extra.map(() => 0)], res);
    }
    const counts = new Float64Array(geo.cells.length);
    agg.cells.forEach((c, i) => (counts[geo.index.get(c)!] = agg.counts[i]));
    return { geo, counts };
  }

  const filterOf = (p: InsightParams, t: number): InsightFilter => ({
    from: p.from, to: p.to, category: p.category, kinds: p.kinds, channels: p.channels, statuses: p.statuses, overdue: p.overdue, now: t,
  });

  const echo = (p: InsightParams): InsightFilterEcho => ({
    from: toIso(p.from), to: toIso(p.to), category: p.category ?? null,
    kind: p.kinds?.length ? [...p.kinds] : null, channel: p.channels?.length ? [...p.channels] : null,
    status: p.statuses?.length ? [...p.statuses] : null, overdue: p.overdue, unit: p.unit,
    res: p.unit === 'h3' ? p.res : null, normalise: p.normalise, fdr: p.fdr,
  });

  /** Count → analysed value: the count, or per 1,000 residents/households (0 where nobody lives). */
  function normalised(counts: ArrayLike<number>, residents: ArrayLike<number>, households: ArrayLike<number>, how: InsightNormalisation): Float64Array {
    const out = new Float64Array(counts.length);
    for (let i = 0; i < counts.length; i++) {
      const base = how === 'residents' ? residents[i] : how === 'households' ? households[i] : 0;
      out[i] = how === 'count' ? counts[i] : base > 0 ? (counts[i] * 1000) / base : 0;
    }
    return out;
  }

  function comparison(p: InsightParams, t: number): PeriodComparison {
    const f = filterOf(p, t);
    const span = (from: number, to: number) => q.count({ ...f, from, to });
    const thisMonth = monthStart(t);
    const lastMonth = monthStart(t, -1);
    const thisYear = yearStart(t);
    const lastYear = yearStart(t, -1);
    return {
      thisMonth: span(thisMonth, t),
      lastMonthToDate: span(lastMonth, Math.min(thisMonth, lastMonth + (t - thisMonth))),
      thisYear: span(thisYear, t),
      lastYearToDate: span(lastYear, Math.min(thisYear, lastYear + (t - thisYear))),
    };
  }

  function blockGeoOrEmpty(t: number): BlockGeo {
    const geo = blocksAt(t);
    if (!geo) throw refuse(NOT_FOUND, 'No boundary version is in force: the district has no blocks yet');
    return geo;
  }

  /** Gi* of the analysed values over blocks. */
  function blockStats(p: InsightParams, t: number) {
    const geo = blockGeoOrEmpty(t);
    const byCode = q.countsByBlock(filterOf(p, t));
    const counts = Float64Array.from(geo.rows, (r) => byCode.get(r.code) ?? 0);
    const values = normalised(counts, geo.rows.map((r) => r.residents), geo.rows.map((r) => r.households), p.normalise);
    return { geo, counts, values, stats: giStarTest(values, geo.weights, { fdr: p.fdr }) };
  }

  return {
    hotspots(p: InsightParams): InsightHotspots {
      const t = now();
      let units: HotspotUnit[];
      let bandM: number | null = null;
      let total = 0;
      const bins: Record<string, number> = { '-3': 0, '-2': 0, '-1': 0, '0': 0, '1': 0, '2': 0, '3': 0 };
      if (p.unit === 'block') {
        const { geo, counts, values, stats } = blockStats(p, t);
        units = geo.rows.map((r, i) => ({
          id: r.code, name: r.name, count: counts[i], value: round(values[i], 3),
          z: round(stats.z[i], 3), p: sig(stats.p[i]), q: sig(stats.q[i]), bin: stats.bin[i] as GiBin,
        }));
      } else {
        const version = blockGeoOrEmpty(t).version;
        const { geo, counts } = hexCounts(filterOf(p, t), version, p.res);
        const values = normalised(counts, geo.residents, geo.households, p.normalise);
        const stats = giStarTest(values, geo.weights, { fdr: p.fdr });
        bandM = round(geo.bandM, 1);
        units = geo.cells.map((c, i) => ({
          id: c, name: null, count: counts[i], value: round(values[i], 3),
          z: round(stats.z[i], 3), p: sig(stats.p[i]), q: sig(stats.q[i]), bin: stats.bin[i] as GiBin,
          outline: hexOutline(c),
        }));
      }
      for (const u of units) {
        total += u.count;
        bins[String(u.bin)]++;
      }
      return {
        method: 'getis-ord-gi*', weights: p.unit === 'block' ? 'queen-contiguity' : 'distance-band', bandM,
        filter: echo(p), total, units, bins, comparison: comparison(p, t),
      };
    },

    /**
     * Emerging hot spots over `steps` months (or weeks) ending with the one that holds `to` (month steps) or at `to`
     * (week steps); the filter's `from` is replaced by the first step's start.
     */
    emerging(p: InsightParams, step: 'month' | 'week', steps: number): InsightEmerging {
      const t = now();
      const starts: number[] = [];
      if (step === 'month') for (let k = steps - 1; k >= 0; k--) starts.push(monthStart(p.to - 1, -k));
      else for (let k = steps; k >= 1; k--) starts.push(p.to - k * WEEK);
      const ends = [...starts.slice(1), step === 'month' ? monthStart(p.to - 1, 1) : p.to];
      const windowed = { ...p, from: starts[0], to: Math.min(ends[ends.length - 1], Math.max(p.to, starts[0] + 1)) };
      const f = filterOf(windowed, t);
      let ids: string[];
      let names: (string | null)[];
      let outlines: ((i: number) => Polygon | undefined) = () => undefined;
      let weights: Weights;
      let series: Float64Array[];
      if (p.unit === 'block') {
        const geo = blockGeoOrEmpty(t);
        ids = geo.rows.map((r) => r.code);
        names = geo.rows.map((r) => r.name);
        weights = geo.weights;
        const counts = Array.from({ length: steps }, () => new Float64Array(ids.length));
        // One grouped query per step: steps are few, and each is an indexed range on reported_at.
        for (let s = 0; s < steps; s++) {
          const byCode = q.countsByBlock({ ...f, from: starts[s], to: ends[s] });
          for (const [code, n] of byCode) {
            const i = geo.index.get(code);
            if (i !== undefined) counts[s][i] = n;
          }
        }
        series = counts.map((c) => normalised(c, geo.rows.map((r) => r.residents), geo.rows.map((r) => r.households), p.normalise));
      } else {
        const version = blockGeoOrEmpty(t).version;
        const { geo } = hexCounts(f, version, p.res);
        ids = geo.cells;
        names = geo.cells.map(() => null);
        weights = geo.weights;
        outlines = (i) => hexOutline(geo.cells[i]);
        series = [];
        for (let s = 0; s < steps; s++) {
          const { lon, lat } = q.points({ ...f, from: starts[s], to: ends[s] });
          const agg = aggregateH3(lon, lat, p.res);
          const c = new Float64Array(ids.length);
          agg.cells.forEach((cell, k) => {
            const i = geo.index.get(cell);
            if (i !== undefined) c[i] = agg.counts[k];
          });
          series.push(normalised(c, geo.residents, geo.households, p.normalise));
        }
      }
      const r = emergingHotSpots(series, weights, { fdr: p.fdr });
      const categories: Record<string, number> = {};
      const units = [];
      for (let i = 0; i < ids.length; i++) {
        const c = r.categories[i];
        categories[c] = (categories[c] ?? 0) + 1;
        if (c === 'none') continue;
        units.push({
          id: ids[i], name: names[i], category: c as EmergingCategoryName,
          trendZ: round(r.trendZ[i], 3), trendP: sig(r.trendP[i]), finalZ: round(r.finalZ[i], 3), finalBin: r.finalBin[i] as GiBin,
          ...(outlines(i) ? { outline: outlines(i) } : {}),
        });
      }
      units.sort((a, b) => b.finalZ - a.finalZ);
      return { method: 'emerging-hot-spots', step, steps, stepStarts: starts.map(toIso), filter: echo(windowed), units, categories };
    },

    /** DBSCAN over the cases overdue now (reported in the window, matching the filter's category/kind/channel). */
    clusters(p: InsightParams, epsM: number, minPoints: number): InsightClusters {
      const t = now();
      const geo = blockGeoOrEmpty(t);
      const pts = q.overduePoints(filterOf(p, t));
      const lon = pts.map((e) => e.lon);
      const lat = pts.map((e) => e.lat);
      const lon0 = lon.length ? lon.reduce((a, b) => a + b, 0) / lon.length : 0;
      const lat0 = lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : 0;
      const { xs, ys } = projectLocal(lon, lat, lon0, lat0);
      const { labels, clusters: k } = dbscan(xs, ys, epsM, minPoints);
      const members: number[][] = Array.from({ length: k }, () => []);
      let noise = 0;
      labels.forEach((l, i) => (l >= 0 ? members[l].push(i) : noise++));
      const clusters = members.map((m, id) => {
        let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
        let cx = 0;
        let cy = 0;
        const perBlock = new Map<string, number>();
        for (const i of m) {
          w = Math.min(w, lon[i]);
          e = Math.max(e, lon[i]);
          s = Math.min(s, lat[i]);
          n = Math.max(n, lat[i]);
          cx += lon[i];
          cy += lat[i];
          perBlock.set(pts[i].block_code, (perBlock.get(pts[i].block_code) ?? 0) + 1);
        }
        const hull = m.length >= 3 ? convex(featureCollection(m.map((i) => point([lon[i], lat[i]])))) : null;
        return {
          id, count: m.length,
          center: [round(cx / m.length, 6), round(cy / m.length, 6)] as [number, number],
          bbox: [round(w, 6), round(s, 6), round(e, 6), round(n, 6)] as [number, number, number, number],
          blocks: [...perBlock].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, count]) => {
            const row = geo.rows[geo.index.get(code) ?? -1];
            return {
              code, name: row?.name ?? code, count,
              governor: row?.governor_id != null ? { id: row.governor_id, name: row.governor_name ?? '' } : null,
            };
          }),
          outline: (hull?.geometry as Polygon | undefined) ?? null,
        };
      });
      clusters.sort((a, b) => b.count - a.count || a.id - b.id);
      return { method: 'dbscan', epsM, minPoints, overdue: pts.length, noise, clusters: clusters.map((c, i) => ({ ...c, id: i })) };
    },

    /** Blocks ranked: significant hot first (by bin), then by rate; with team, on-time closure and trend. */
    ranking(p: InsightParams, limit: number): InsightRanking {
      const t = now();
      const { geo, counts, values, stats } = blockStats(p, t);
      const f = filterOf(p, t);
      const onTime = q.onTimeByBlock(f);
      const months: string[] = [];
      for (let m = monthStart(p.from); m < p.to; m = monthStart(m, 1)) months.push(monthKey(m));
      const monthIndex = new Map(months.map((m, i) => [m, i]));
      const monthly = new Map<string, Float64Array>();
      for (const r of q.monthlyByBlock(f)) {
        let s = monthly.get(r.code);
        if (!s) monthly.set(r.code, (s = new Float64Array(months.length)));
        const i = monthIndex.get(r.month);
        if (i !== undefined) s[i] = r.n;
      }
      const empty = new Float64Array(months.length);
      const order = geo.rows.map((_, i) => i).sort((a, b) => stats.bin[b] - stats.bin[a] || values[b] - values[a] || stats.z[b] - stats.z[a] || a - b);
      const rows: RankingRow[] = order.slice(0, limit).map((i, k) => {
        const r = geo.rows[i];
        const mk = mannKendall(monthly.get(r.code) ?? empty);
        const trend: Trend = { s: mk.s, z: round(mk.z, 3), p: sig(mk.p), direction: mk.p <= 0.05 ? (mk.s > 0 ? 'up' : 'down') : 'flat' };
        const ot = onTime.get(r.code);
        return {
          rank: k + 1, code: r.code, name: r.name, communityName: r.community_name, subdistrictName: r.subdistrict_name,
          governor: r.governor_id != null ? { id: r.governor_id, name: r.governor_name ?? '' } : null,
          supervisor: r.supervisor_id != null ? { id: r.supervisor_id, name: r.supervisor_name ?? '' } : null,
          residents: r.residents, households: r.households, count: counts[i], rate: round(values[i], 3),
          onTimeRate: ot && ot.decided > 0 ? round(ot.onTime / ot.decided, 4) : null, onTimeDecided: ot?.decided ?? 0,
          trend, z: round(stats.z[i], 3), bin: stats.bin[i] as GiBin,
        };
      });
      return { filter: echo(p), blocks: geo.rows.length, rows };
    },

    /** One block's drill-down under the filter: categories, month-by-month timeline, latest cases. */
    block(code: string, p: InsightParams): BlockInsight {
      const t = now();
      const geo = blockGeoOrEmpty(t);
      const i = geo.index.get(code);
      if (i === undefined) throw refuse(NOT_FOUND, `No block ${code} in the boundary version in force`, { facts: { code } });
      const r = geo.rows[i];
      const f = filterOf(p, t);
      const categories = q.categoriesOfBlock(f, code).map((c) => {
        const cat = TAXONOMY.byCode.get(c.code);
        return {
          code: c.code, name: cat?.name ?? c.code, nameEn: cat?.nameEn ?? c.code,
          majorName: cat?.majorName ?? '', majorNameEn: cat?.majorNameEn ?? '', count: c.n,
        };
      });
      const byMonth = new Map(q.timelineOfBlock(f, code).map((m) => [m.month, m]));
      const timeline: BlockInsight['timeline'] = [];
      for (let m = monthStart(p.from); m < p.to; m = monthStart(m, 1)) {
        const key = monthKey(m);
        const row = byMonth.get(key);
        timeline.push({ month: key, count: row?.n ?? 0, late: row?.late ?? 0 });
      }
      const ot = q.onTimeByBlock(f).get(code);
      return {
        code, name: r.name, communityName: r.community_name, subdistrictName: r.subdistrict_name,
        residents: r.residents, households: r.households,
        governor: r.governor_id != null ? { id: r.governor_id, name: r.governor_name ?? '' } : null,
        supervisor: r.supervisor_id != null ? { id: r.supervisor_id, name: r.supervisor_name ?? '' } : null,
        filter: echo(p), count: categories.reduce((a, c) => a + c.count, 0),
        onTimeRate: ot && ot.decided > 0 ? round(ot.onTime / ot.decided, 4) : null,
        categories, timeline,
        recent: q.recentOfBlock(f, code, 10).map((e) => ({
          id: e.id, caseNo: e.case_no, category: e.category_code, status: e.status,
          reportedAt: toIso(e.reported_at), dueAt: toIso(e.due_at), late: (e.resolved_at ?? t) > e.due_at,
        })),
      };
    },
  };
}

function hexOutline(cell: string): Polygon {
  const ring = cellToBoundary(cell, true).map(([lon, lat]) => [round(lon, 6), round(lat, 6)]);
  return { type: 'Polygon', coordinates: [ring] };
}

export type InsightService = ReturnType<typeof createInsightService>;

/** The ranked list as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese text), headers in `lang`. */
export function rankingCsv(ranking: InsightRanking, lang: 'zh-CN' | 'en'): string {
  const zh = lang === 'zh-CN';
  const head = zh
    ? ['排名', '区块编码', '区块', '社区', '街道', '治理员', '监督员', '常住人口', '事件数', '比率', '按期结案率', '趋势', '趋势Z', 'Gi* Z', '置信分级']
    : ['rank', 'block code', 'block', 'community', 'subdistrict', 'governor', 'supervisor', 'residents', 'events', 'rate', 'on-time closure rate', 'trend', 'trend z', 'Gi* z', 'confidence bin'];
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [head.map(cell).join(',')];
  for (const r of ranking.rows) {
    lines.push(
      [
        r.rank, r.code, r.name, r.communityName, r.subdistrictName, r.governor?.name ?? '', r.supervisor?.name ?? '', r.residents, r.count, r.rate,
        r.onTimeRate === null ? '' : `${(r.onTimeRate * 100).toFixed(1)}%`, r.trend.direction, r.trend.z, r.z, r.bin,
      ].map(cell).join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
