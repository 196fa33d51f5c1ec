/**
 * Insight statistics bench, in one run:
 *   gi-blocks    Gi* with p-values, Benjamini–Hochberg and bins over the 667 generated Yuhu blocks (queen contiguity)
 *   gi-10k       the same over 10,000 units: a 100×100 hexagonal lattice, distance-band weights (the ring of six)
 *   h3-1m        H3 aggregation (resolution 9) of 1,000,000 seeded points spread over the district's extent, and
 *                for comparison h3-js latLngToCell called on every point (one run)
 *   emerging     emerging hot spots: Gi* for 24 monthly steps × 667 blocks, Mann–Kendall per block, categories
 * Weights are built once per geometry (they do not depend on the data) and timed separately.
 * `tsx scripts/bench/insight.ts` runs this bench alone.
 */
import { fileURLToPath } from 'node:url';
import { latLngToCell } from 'h3-js';
import type { MultiPolygon, Polygon } from 'geojson';
import { queenContiguity, type PolygonParts } from '../../server/domain/hotspots.ts';
import { emergingHotSpots } from '../../server/domain/stats/emerging.ts';
import { giStarTest } from '../../server/domain/stats/gi-star.ts';
import { aggregateH3 } from '../../server/domain/stats/h3-aggregate.ts';
import { distanceBandWeights, weightsFromAdjacency } from '../../server/domain/stats/weights.ts';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import { type BenchResult, consume, measure, median, prng, round } from './util.ts';
import { poisson } from '../../server/domain/prng.ts';

const SEED = 430302;
const RUNS = 21;
const POINTS = 1_000_000;
const H3_RES = 9;
const LATTICE = 100;
const STEPS = 24;
const GOALS = { giBlocks: 10, gi10k: 200, h3: 500, emerging: 200 };


export async function runInsightBench(): Promise<BenchResult> {
  const u = prng(SEED);
  const district = generateDistrict();
  const blocks = district.blocks;
  const parts = blocks.map((b) => {
    const g = b.geometry as Polygon | MultiPolygon;
    return (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as PolygonParts;
  });
  const tWeights = performance.now();
  const blockWeights = weightsFromAdjacency(queenContiguity(parts, blocks.map((b) => b.center as [number, number])));
  const blockWeightsMs = performance.now() - tWeights;
  const counts = blocks.map((b) => poisson(Math.max(0.2, b.residents / 300), u));
  const giBlocks = measure(() => giStarTest(counts, blockWeights, { fdr: true }).bin[0], RUNS, 3);

  // 10,000 units on a hexagonal lattice 200 m apart; the band takes each unit's ring of six.
  const xs = new Float64Array(LATTICE * LATTICE);
  const ys = new Float64Array(LATTICE * LATTICE);
  for (let r = 0; r < LATTICE; r++) {
    for (let c = 0; c < LATTICE; c++) {
      xs[r * LATTICE + c] = c * 200 + (r % 2) * 100;
      ys[r * LATTICE + c] = r * 200 * (Math.sqrt(3) / 2);
    }
  }
  const t10k = performance.now();
  const latticeWeights = distanceBandWeights(xs, ys, 210);
  const latticeWeightsMs = performance.now() - t10k;
  const latticeCounts = Array.from(xs, () => poisson(2, u));
  const gi10k = measure(() => giStarTest(latticeCounts, latticeWeights, { fdr: true }).bin[0], RUNS, 3);

  // 1,000,000 points over the district's extent.
  let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of blocks) {
    minLon = Math.min(minLon, b.center[0]);
    maxLon = Math.max(maxLon, b.center[0]);
    minLat = Math.min(minLat, b.center[1]);
    maxLat = Math.max(maxLat, b.center[1]);
  }
  const lon = new Float64Array(POINTS);
  const lat = new Float64Array(POINTS);
  for (let i = 0; i < POINTS; i++) {
    lon[i] = minLon + u() * (maxLon - minLon);
    lat[i] = minLat + u() * (maxLat - minLat);
  }
  const h3 = measure(() => aggregateH3(lon, lat, H3_RES).cells.length, 7, 1);
  // CPU time of the same runs: on a machine shared with other work, wall time overstates the cost.
  const h3Cpu: number[] = [];
  for (let k = 0; k < 7; k++) {
    const c = process.cpuUsage();
    consume(aggregateH3(lon, lat, H3_RES).cells.length);
    const u = process.cpuUsage(c);
    h3Cpu.push((u.user + u.system) / 1000);
  }
  const cellCount = aggregateH3(lon, lat, H3_RES).cells.length;
  // The plain way, for comparison: latLngToCell on every point (once; it takes seconds).
  const naive = measure(() => {
    const m = new Map<string, number>();
    for (let i = 0; i < POINTS; i++) {
      const c = latLngToCell(lat[i], lon[i], H3_RES);
      m.set(c, (m.get(c) ?? 0) + 1);
    }
    return m.size;
  }, 1, 0);

  // 24 months of counts per block, with a slow upward drift in a tenth of the blocks.
  const series = Array.from({ length: STEPS }, (_, t) =>
    blocks.map((b, i) => poisson(Math.max(0.1, b.residents / 3000) * (i % 10 === 0 ? 1 + t / 12 : 1), u)),
  );
  const emerging = measure(() => emergingHotSpots(series, blockWeights, { fdr: true }).categories.length, RUNS, 3);
  const result = emergingHotSpots(series, blockWeights, { fdr: true });
  const categoryCounts: Record<string, number> = {};
  for (const c of result.categories) categoryCounts[c] = (categoryCounts[c] ?? 0) + 1;
  consume(cellCount);

  return {
    name: 'insight',
    description: `Gi* (z, p, BH, bins) over ${blocks.length} blocks and ${LATTICE * LATTICE} lattice units; H3 res ${H3_RES} aggregation of ${POINTS.toLocaleString('en')} points; emerging hot spots over ${STEPS} monthly steps × ${blocks.length} blocks (medians of ${RUNS} runs; H3 of 7)`,
    metrics: {
      giBlocksMedianMs: round(giBlocks.median, 3),
      gi10kMedianMs: round(gi10k.median, 3),
      h3AggregateMedianMs: round(h3.median, 1),
      h3AggregateCpuMedianMs: round(median(h3Cpu), 1),
      h3LatLngToCellEachMs: round(naive.median, 0),
      emergingMedianMs: round(emerging.median, 2),
      blockWeightsBuildMs: round(blockWeightsMs, 1),
      latticeWeightsBuildMs: round(latticeWeightsMs, 1),
      h3Cells: cellCount,
    },
    checks: [
      { name: `Gi* over ${blocks.length} blocks`, pass: giBlocks.median < GOALS.giBlocks, detail: `${round(giBlocks.median, 3)} ms < ${GOALS.giBlocks} ms` },
      { name: 'Gi* over 10,000 units', pass: gi10k.median < GOALS.gi10k, detail: `${round(gi10k.median, 3)} ms < ${GOALS.gi10k} ms` },
      { name: 'H3 aggregation of 1,000,000 events', pass: h3.median < GOALS.h3, detail: `${round(h3.median, 1)} ms < ${GOALS.h3} ms` },
      { name: `emerging hot spots, ${STEPS} steps × ${blocks.length} blocks`, pass: emerging.median < GOALS.emerging, detail: `${round(emerging.median, 2)} ms < ${GOALS.emerging} ms` },
    ],
    details: {
      giBlocksSamples: giBlocks.samples.map((x) => round(x, 3)),
      gi10kSamples: gi10k.samples.map((x) => round(x, 3)),
      h3Samples: h3.samples.map((x) => round(x, 1)),
      h3CpuSamples: h3Cpu.map((x) => round(x, 1)),
      loadAverage: (await import('node:os')).loadavg().map((x) => round(x, 2)),
      emergingSamples: emerging.samples.map((x) => round(x, 2)),
      emergingCategories: categoryCounts,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runInsightBench();
  console.log(result.description);
  console.table(result.metrics);
  for (const c of result.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  if (result.checks.some((c) => !c.pass)) process.exitCode = 1;
}
