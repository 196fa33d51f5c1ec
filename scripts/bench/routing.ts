/**
 * Routing bench on the generated Yuhu roads, in one run:
 *   build    RoadGraph.build + Router over the district's roads
 *   ranking  one event against 2,000 positioned staff (seeded, on the network with a GPS-like offset): snap all
 *            staff, one reverse search from the event, sort — the dispatch candidate ranking
 *   baseline geojson-path-finder, one point-to-point search per staff member (its usual use for this job): its own
 *            preprocessing timed separately, its searches timed over a sample and extrapolated to 2,000
 *   agree    our travel times against geojson-path-finder's on the sample, node to node (its snapping differs: it
 *            needs points on network vertices), over the same links and the same per-segment weights
 *   route    point-to-point route() with geometry and per-vertex times, 1,000 seeded pairs
 *   city     the same build / ranking / route on a synthetic city-scale grid (CITY_GRID² junctions, ~30 km across)
 * `tsx scripts/bench/routing.ts` runs this bench alone.
 */
import { fileURLToPath } from 'node:url';
import type { Feature, FeatureCollection, LineString, Point, Position } from 'geojson';
import PathFinderModule from 'geojson-path-finder';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import { RoadGraph, haversineMetres, type LonLat } from '../../server/geo/road-graph.ts';
import { Router } from '../../server/geo/routing.ts';
import { type BenchResult, consume, measure, now, prng, round, summarize } from './util.ts';

// the package is CommonJS with an ES default export: under Node's interop the class sits on .default
const PathFinder = ((PathFinderModule as unknown as { default?: typeof PathFinderModule }).default ?? PathFinderModule);

const SEED = 430302;
const STAFF = 2_000;
const EVENTS = 25; // ranking is timed once per event per round
const ROUNDS = 5;
const BUILD_RUNS = 7;
const BASELINE_SAMPLE = 100; // staff searched with geojson-path-finder, extrapolated to STAFF
const BASELINE_PREPROCESS_RUNS = 3;
const PAIRS = 1_000;
const GPS_OFFSET_M = 30; // staff positions are up to this far off the road centre line
const RANKING_GOAL_MS = 5;
const CITY_GRID = 250; // junctions per side: 62,500 nodes, ~125,000 links
const CITY_SPACING_M = 120;
const CITY_CUTOFF_S = 1800; // a dispatcher's horizon: staff more than 30 minutes away are not candidates
const SPEEDUP_GOAL = 200;

export async function runRoutingBench(): Promise<BenchResult> {
  const t0 = now();
  const roads = generateDistrict().roads;
  console.log(`routing: ${roads.length} roads (${roads.filter((r) => r.oneway).length} one-way) generated in ${round(now() - t0, 0)} ms`);

  // --- build ----------------------------------------------------------------------------------------------------
  const builds: number[] = [], routers: number[] = [];
  let graph = RoadGraph.build(roads);
  let router = new Router(graph);
  for (let i = 0; i < BUILD_RUNS; i++) {
    graph = RoadGraph.build(roads);
    builds.push(graph.stats.buildMs);
    const t = now();
    router = new Router(graph);
    routers.push(now() - t);
  }
  const buildT = summarize(builds), routerT = summarize(routers);
  const graphBytes = Object.values(graph).reduce((s: number, v) => s + (ArrayBuffer.isView(v) ? v.byteLength : 0), 0);

  // --- positions: along links weighted by length, offset sideways ------------------------------------------------
  const rand = prng(SEED);
  const cumulative = new Float64Array(graph.linkCount);
  let total = 0;
  for (let l = 0; l < graph.linkCount; l++) cumulative[l] = total += graph.linkMetres[l];
  const onNetwork = (): LonLat => {
    const x = rand() * total;
    let lo = 0, hi = graph.linkCount - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] < x) lo = mid + 1; else hi = mid; }
    const [lon, lat] = graph.pointAlong(lo, rand() * graph.linkMetres[lo]);
    const d = rand() * GPS_OFFSET_M, a = rand() * 2 * Math.PI;
    return [lon + (d * Math.cos(a)) / (111_195 * Math.cos((lat * Math.PI) / 180)), lat + (d * Math.sin(a)) / 111_195];
  };
  const staff = Array.from({ length: STAFF }, onNetwork);
  const events = Array.from({ length: EVENTS }, onNetwork);

  // --- ranking: one reverse search + sort per event --------------------------------------------------------------
  const order = new Int32Array(STAFF);
  const rank = (event: LonLat): number => {
    const { seconds } = router.travelTimesTo(event, staff);
    for (let i = 0; i < STAFF; i++) order[i] = i;
    order.sort((a, b) => seconds[a] - seconds[b] || a - b);
    return order[0];
  };
  const snapAll = (): number => {
    let s = 0;
    for (const p of staff) s += graph.snap(p[0], p[1])!.link;
    return s;
  };
  for (const e of events) consume(rank(e)); // warm-up
  const rankSamples: number[] = [], snapSamples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const e of events) rankSamples.push(measure(() => rank(e), 1, 0).samples[0]);
    snapSamples.push(measure(snapAll, 1, 0).samples[0]);
  }
  const rankT = summarize(rankSamples), snapT = summarize(snapSamples);
  const topFive = (() => {
    const tt = router.travelTimesTo(events[0], staff);
    for (let i = 0; i < STAFF; i++) order[i] = i;
    order.sort((a, b) => tt.seconds[a] - tt.seconds[b] || a - b);
    const t = now();
    let v = 0;
    for (let k = 0; k < 5; k++) { const r = tt.routeFrom(order[k]); v += r.reachable ? r.geometry.coordinates.length : 0; }
    consume(v);
    return now() - t;
  })();
  let unreachable = 0;
  for (const e of events) unreachable += router.travelTimesTo(e, staff).seconds.filter((s) => s === Infinity).length;

  // --- baseline: geojson-path-finder, node to node over the same links -------------------------------------------
  const network: FeatureCollection<LineString, { speed: number; oneway: boolean }> = { type: 'FeatureCollection', features: [] };
  for (let l = 0; l < graph.linkCount; l++) {
    const coordinates: Position[] = [];
    for (let v = graph.linkVertexStart[l]; v < graph.linkVertexStart[l + 1]; v++) {
      coordinates.push([graph.vertexCoords[2 * v], graph.vertexCoords[2 * v + 1]]);
    }
    network.features.push({
      type: 'Feature', geometry: { type: 'LineString', coordinates },
      properties: { speed: graph.linkSpeed[l], oneway: graph.linkOneway[l] === 1 },
    });
  }
  const options = {
    tolerance: 1e-9, // keep every distinct vertex distinct, as our graph does (its default rounds to ~1 m)
    weight: (a: Position, b: Position, p: { speed: number; oneway: boolean }) => {
      const s = haversineMetres(a[0], a[1], b[0], b[1]) / p.speed;
      return p.oneway ? { forward: s, backward: 0 } : s;
    },
  };
  const preprocess: number[] = [];
  let finder = new PathFinder(network, options);
  for (let i = 0; i < BASELINE_PREPROCESS_RUNS; i++) {
    const t = now();
    finder = new PathFinder(network, options);
    preprocess.push(now() - t);
  }
  const preprocessT = summarize(preprocess);

  // staff and event moved to their nearest link end (geojson-path-finder routes between network vertices only)
  const nodeNear = (p: LonLat): number => {
    const s = graph.snap(p[0], p[1])!;
    return s.metres * 2 < graph.linkMetres[s.link] ? graph.linkFrom[s.link] : graph.linkTo[s.link];
  };
  const point = (u: number): Feature<Point> =>
    ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [graph.nodeLon[u], graph.nodeLat[u]] } });
  const eventNode = nodeNear(events[0]);
  const sampleNodes = staff.slice(0, BASELINE_SAMPLE).map(nodeNear);
  consume(finder.findPath(point(sampleNodes[0]), point(eventNode))?.weight ?? 0); // warm-up
  const baseSamples: number[] = [];
  const theirs: number[] = [];
  for (const u of sampleNodes) {
    const from = point(u), to = point(eventNode);
    const t = now();
    const path = finder.findPath(from, to);
    baseSamples.push(now() - t);
    theirs.push(path ? path.weight : Infinity);
  }
  const baseT = summarize(baseSamples);
  const baselineFor2000 = baseT.mean * STAFF;
  const speedup = baselineFor2000 / rankT.median;

  const ours = router.travelTimesTo([graph.nodeLon[eventNode], graph.nodeLat[eventNode]],
    sampleNodes.map((u): LonLat => [graph.nodeLon[u], graph.nodeLat[u]])).seconds;
  let disagree = 0, worstRel = 0;
  for (let i = 0; i < sampleNodes.length; i++) {
    const a = ours[i], b = theirs[i];
    const rel = a === b ? 0 : Math.abs(a - b) / Math.max(a, b);
    if (!(rel <= 1e-9)) disagree++;
    else worstRel = Math.max(worstRel, rel);
  }

  // --- point-to-point routes ----------------------------------------------------------------------------------------
  const pairs = Array.from({ length: PAIRS }, () => [onNetwork(), onNetwork()] as const);
  for (let i = 0; i < 200; i++) consume(router.route(pairs[i][0], pairs[i][1]).reachable ? 1 : 0);
  const routeSamples: number[] = [];
  let routeVertices = 0;
  for (const [a, b] of pairs) {
    const t = now();
    const r = router.route(a, b);
    routeSamples.push(now() - t);
    if (r.reachable) routeVertices += r.geometry.coordinates.length;
  }
  const routeT = summarize(routeSamples);
  const sorted = [...routeSamples].sort((x, y) => x - y);
  const p95 = sorted[Math.floor(0.95 * sorted.length)];

  const city = cityScale();

  const metrics = {
    nodes: graph.nodeCount,
    links: graph.linkCount,
    edges: graph.edgeCount,
    graphKB: round(graphBytes / 1024, 0),
    buildMedianMs: round(buildT.median),
    buildMinMs: round(buildT.min),
    routerInitMs: round(routerT.median, 3),
    rankingMedianMs: round(rankT.median, 3),
    rankingMinMs: round(rankT.min, 3),
    rankingMeanMs: `${round(rankT.mean, 3)} ± ${round(rankT.std, 3)}`,
    snap2000MedianMs: round(snapT.median, 3),
    top5RoutesMs: round(topFive, 3),
    unreachableStaffPerEvent: round(unreachable / EVENTS, 2),
    baselinePreprocessMs: round(preprocessT.median, 0),
    baselineSearchMedianMs: round(baseT.median, 3),
    baselineSearchMeanMs: round(baseT.mean, 3),
    baselineFor2000Ms: round(baselineFor2000, 0),
    speedup: round(speedup, 0),
    agreeSample: sampleNodes.length,
    disagree,
    worstRelDiff: worstRel,
    routeMedianMs: round(routeT.median, 3),
    routeP95Ms: round(p95, 3),
    routeMeanVertices: round(routeVertices / PAIRS, 1),
    ...city,
  };
  return {
    name: 'routing',
    description: `road graph of the Yuhu roads; rank ${STAFF} staff for one event (${EVENTS} events × ${ROUNDS} rounds) ` +
      `vs geojson-path-finder per staff (${BASELINE_SAMPLE} sampled); ${PAIRS} point-to-point routes`,
    metrics,
    checks: [
      { name: 'ranking 2,000 staff < 5 ms (median)', pass: rankT.median < RANKING_GOAL_MS,
        detail: `${round(rankT.median, 3)} ms < ${RANKING_GOAL_MS} ms` },
      { name: `ranking ≥ ${SPEEDUP_GOAL}× faster than one geojson-path-finder search per staff member`,
        pass: speedup >= SPEEDUP_GOAL, detail: `${round(speedup, 0)}× (${round(baselineFor2000, 0)} ms / ${round(rankT.median, 3)} ms) ≥ ${SPEEDUP_GOAL}×` },
      { name: 'travel times agree with geojson-path-finder (node to node, 1e-9 relative)', pass: disagree === 0,
        detail: `${disagree} of ${sampleNodes.length} differ; worst agreeing relative difference ${worstRel.toExponential(1)}` },
    ],
    details: {
      seed: SEED, staff: STAFF, events: EVENTS, rounds: ROUNDS, gpsOffsetM: GPS_OFFSET_M,
      graphStats: graph.stats, buildSamples: builds.map((x) => round(x)), rankingSamples: rankSamples.map((x) => round(x, 3)),
      baselinePreprocessSamples: preprocess.map((x) => round(x, 0)), baselineSearchSamples: baseSamples.map((x) => round(x, 2)),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runRoutingBench();
  console.log(result.description);
  console.table(result.metrics);
  for (const c of result.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  if (result.checks.some((c) => !c.pass)) process.exitCode = 1;
}

/** Build, ranking (whole graph, and within 30 minutes) and routes on a seeded synthetic grid city. */
function cityScale(): Record<string, number> {
  const rand = prng(SEED + 1);
  const lon0 = 112.9, lat0 = 27.85;
  const dLat = CITY_SPACING_M / 111_195, dLon = dLat / Math.cos((lat0 * Math.PI) / 180);
  const n = CITY_GRID;
  const jitter = () => (rand() - 0.5) * 0.2;
  const pos = Array.from({ length: n * n }, (_, k): LonLat =>
    [lon0 + ((k % n) + jitter()) * dLon, lat0 + (Math.floor(k / n) + jitter()) * dLat]);
  const roads = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = r * n + c;
      for (const [nk, main] of [[c + 1 < n ? k + 1 : -1, r % 10 === 0], [r + 1 < n ? k + n : -1, c % 10 === 0]] as const) {
        if (nk < 0) continue;
        const a = pos[k], b = pos[nk];
        const mid: LonLat = [(a[0] + b[0]) / 2 + jitter() * dLon * 0.2, (a[1] + b[1]) / 2 + jitter() * dLat * 0.2];
        roads.push({
          geometry: { type: 'LineString' as const, coordinates: [a, mid, b] },
          speedKmh: main ? 50 : 30, oneway: !main && rand() < 0.05, class: main ? 'arterial' : 'street',
        });
      }
    }
  }
  const builds: number[] = [];
  let graph = RoadGraph.build(roads);
  for (let i = 0; i < 3; i++) { graph = RoadGraph.build(roads); builds.push(graph.stats.buildMs); }
  const router = new Router(graph);
  const on = (): LonLat => {
    const l = Math.floor(rand() * graph.linkCount);
    return graph.pointAlong(l, rand() * graph.linkMetres[l]);
  };
  const staff = Array.from({ length: STAFF }, on);
  const events = Array.from({ length: 10 }, on);
  const order = new Int32Array(STAFF);
  const rank = (e: LonLat, maxSeconds?: number) => {
    const { seconds } = router.travelTimesTo(e, staff, { maxSeconds });
    for (let i = 0; i < STAFF; i++) order[i] = i;
    order.sort((a, b) => seconds[a] - seconds[b] || a - b);
    return order[0];
  };
  for (const e of events) consume(rank(e));
  const full: number[] = [], cut: number[] = [], routes: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (const e of events) {
      full.push(measure(() => rank(e), 1, 0).samples[0]);
      cut.push(measure(() => rank(e, CITY_CUTOFF_S), 1, 0).samples[0]);
    }
  }
  for (let i = 0; i < 200; i++) {
    const a = on(), b = on();
    routes.push(measure(() => (router.route(a, b).reachable ? 1 : 0), 1, 0).samples[0]);
  }
  return {
    cityNodes: graph.nodeCount,
    cityLinks: graph.linkCount,
    cityBuildMedianMs: round(summarize(builds).median, 0),
    cityRankingMedianMs: round(summarize(full).median, 2),
    cityRanking30minMedianMs: round(summarize(cut).median, 2),
    cityRouteMedianMs: round(summarize(routes).median, 3),
  };
}
