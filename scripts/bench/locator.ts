/**
 * Point → block locator bench: 1,000,000 seeded points against the district's blocks, three ways, in one run:
 *   ours     BlockLocator.locateMany (uniform grid of pure/mixed cells, exact test near edges only)
 *   flatbush Flatbush over block bounding boxes + @turf/boolean-point-in-polygon on each candidate
 *   naive    @turf/boolean-point-in-polygon over every block in turn (timed on a sample, extrapolated to all points)
 * Ours is checked against flatbush+turf on every point (mismatches must be 0).
 *
 * Blocks come from the district generator when it is present, else from a seeded 667-cell Voronoi tessellation of
 * the real district outline. `tsx scripts/bench/locator.ts` runs this bench alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import Flatbush from 'flatbush';
import { booleanPointInPolygon, booleanPointInPolygon as pip } from '@turf/turf';
import { Delaunay } from 'd3-delaunay';
import polygonClipping from 'polygon-clipping';
import gcoord from 'gcoord';
import { BlockLocator } from '../../server/geo/block-locator.ts';
import { type BenchResult, measure, median, now, prng, round, summarize } from './util.ts';

type Block = Polygon | MultiPolygon;

const POINTS = 1_000_000;
const INSIDE_SHARE = 0.9; // the rest fall anywhere in the bounding box
const RUNS = 7; // ours
const BASELINE_RUNS = 5; // flatbush + turf
const NAIVE_SAMPLE = 2_000;
const NAIVE_RUNS = 5;
const SEED = 430302;
const SYNTHETIC_BLOCKS = 667;
const GRID_SWEEP = [256, 512, 1024, 2048];
const CITY_BLOCKS = 10_000; // the design's city scale, as smaller synthetic blocks over the district
const CITY_SAMPLE = 100_000; // city-scale points checked against flatbush+turf

const GENERATOR = new URL('../../server/geo/gen/index.ts', import.meta.url);
const OUTLINE_WGS84 = new URL('../../geodata/yuhu-district.geojson', import.meta.url);
const OUTLINE_GCJ02 = new URL('../../geodata/raw/yuhu_430302_datav2022.geojson', import.meta.url);

export async function runLocatorBench(): Promise<BenchResult> {
  const { blocks, source } = await loadBlocks();
  console.log(`locator: ${blocks.length} blocks from ${source}`);
  const { lons, lats } = makePoints(blocks, POINTS, SEED);

  // --- ours ------------------------------------------------------------------------------------------------------
  const builds: number[] = [];
  let locator = BlockLocator.build(blocks);
  for (let i = 0; i < 5; i++) {
    locator = BlockLocator.build(blocks);
    builds.push(locator.stats.buildMs);
  }
  const ours = new Int32Array(POINTS);
  const many = () => (locator.locateMany(lons, lats, ours), ours[0]);
  const loop = () => {
    let s = 0;
    for (let i = 0; i < POINTS; i++) s += locator.locate(lons[i], lats[i]);
    return s;
  };
  // interleaved rounds, so both see the same machine state (GC of the builds, other load)
  const manySamples: number[] = [], loopSamples: number[] = [];
  measure(many, 0, 3);
  measure(loop, 0, 3);
  for (let r = 0; r < RUNS; r++) {
    manySamples.push(measure(many, 1, 0).samples[0]);
    loopSamples.push(measure(loop, 1, 0).samples[0]);
  }
  const oursT = summarize(manySamples), singleT = summarize(loopSamples);

  // grid size by measurement
  const sweep = GRID_SWEEP.map((gridSize) => {
    const l = BlockLocator.build(blocks, { gridSize });
    const out = new Int32Array(POINTS);
    const t = measure(() => (l.locateMany(lons, lats, out), out[0]), 5, 1);
    return { gridSize, buildMs: round(l.stats.buildMs), locateManyMs: round(t.median), mixedCells: l.stats.mixedCells,
      pureCells: l.stats.pureCells };
  });
  console.log(`locator: grid sweep (gridSize: build / locateMany ms) ${
    sweep.map((s) => `${s.gridSize}: ${s.buildMs} / ${s.locateManyMs}`).join(', ')}`);

  // --- flatbush + turf ---------------------------------------------------------------------------------------------
  const tb = now();
  const index = new Flatbush(blocks.length);
  for (const g of blocks) {
    const [x0, y0, x1, y1] = bbox(g);
    index.add(x0, y0, x1, y1);
  }
  index.finish();
  const flatbushBuildMs = now() - tb;
  const reference = new Int32Array(POINTS);
  const flatT = measure(() => {
    for (let i = 0; i < POINTS; i++) {
      const x = lons[i], y = lats[i];
      const ids = index.search(x, y, x, y);
      let found = -1;
      for (const id of ids) {
        if (booleanPointInPolygon([x, y], blocks[id])) { found = id; break; }
      }
      reference[i] = found;
    }
    return reference[0];
  }, BASELINE_RUNS, 0);

  let mismatches = 0;
  const examples: Array<{ i: number; lon: number; lat: number; ours: number; reference: number }> = [];
  for (let i = 0; i < POINTS; i++) {
    if (ours[i] !== reference[i]) {
      mismatches++;
      if (examples.length < 10) examples.push({ i, lon: lons[i], lat: lats[i], ours: ours[i], reference: reference[i] });
    }
  }
  let inBlock = 0;
  for (let i = 0; i < POINTS; i++) if (ours[i] >= 0) inBlock++;

  // --- naive loop over all blocks, on a sample ------------------------------------------------------------------
  const naive = new Int32Array(NAIVE_SAMPLE);
  const naiveT = measure(() => {
    for (let i = 0; i < NAIVE_SAMPLE; i++) {
      const p = [lons[i], lats[i]];
      let found = -1;
      for (let b = 0; b < blocks.length; b++) {
        if (pip(p, blocks[b])) { found = b; break; }
      }
      naive[i] = found;
    }
    return naive[0];
  }, NAIVE_RUNS, 0);
  let naiveMismatches = 0;
  for (let i = 0; i < NAIVE_SAMPLE; i++) if (naive[i] !== ours[i]) naiveMismatches++;
  const naiveExtrapolated = naiveT.median * (POINTS / NAIVE_SAMPLE);

  // --- city scale: CITY_BLOCKS synthetic blocks over the same outline ------------------------------------------
  const city = syntheticBlocks(CITY_BLOCKS, SEED + 2);
  const cityPts = makePoints(city, POINTS, SEED + 3);
  const cityBuilds: number[] = [];
  let cityLocator = BlockLocator.build(city);
  for (let i = 0; i < 3; i++) {
    cityLocator = BlockLocator.build(city);
    cityBuilds.push(cityLocator.stats.buildMs);
  }
  const cityOut = new Int32Array(POINTS);
  const cityT = measure(() => (cityLocator.locateMany(cityPts.lons, cityPts.lats, cityOut), cityOut[0]), 5, 2);
  const cityIndex = new Flatbush(city.length);
  for (const g of city) {
    const [x0, y0, x1, y1] = bbox(g);
    cityIndex.add(x0, y0, x1, y1);
  }
  cityIndex.finish();
  let cityMismatches = 0;
  for (let i = 0; i < CITY_SAMPLE; i++) {
    const x = cityPts.lons[i], y = cityPts.lats[i];
    let found = -1;
    for (const id of cityIndex.search(x, y, x, y)) {
      if (booleanPointInPolygon([x, y], city[id])) { found = id; break; }
    }
    if (found !== cityOut[i]) cityMismatches++;
  }
  console.log(`locator: ${city.length} city-scale blocks: build ${round(median(cityBuilds))} ms, ` +
    `locateMany ${round(cityT.median)} ms, ${cityMismatches} mismatches in ${CITY_SAMPLE}`);

  const vsFlatbush = flatT.median / oursT.median;
  const vsNaive = naiveExtrapolated / oursT.median;
  const buildMs = median(builds);
  const s = locator.stats;

  return {
    name: 'locator',
    description: `${POINTS.toLocaleString('en')} points (${INSIDE_SHARE * 100}% in block bboxes) → ` +
      `${blocks.length} blocks (${source}), medians`,
    metrics: {
      blocks: blocks.length,
      gridSize: s.gridSize,
      mixedCellShare: round(s.mixedCells / (s.mixedCells + s.pureCells), 4),
      buildMs: round(buildMs),
      oursLocateManyMs: round(oursT.median),
      oursLocateLoopMs: round(singleT.median),
      flatbushBuildMs: round(flatbushBuildMs),
      flatbushTurfMs: round(flatT.median),
      naiveSampleMs: round(naiveT.median),
      naiveExtrapolatedMs: round(naiveExtrapolated),
      speedupVsFlatbush: round(vsFlatbush, 1),
      speedupVsNaive: round(vsNaive, 0),
      mismatches,
      naiveSampleMismatches: naiveMismatches,
      pointsInBlocks: inBlock,
      cityBlocks: city.length,
      cityBuildMs: round(median(cityBuilds)),
      cityLocateManyMs: round(cityT.median),
      cityMismatches,
    },
    checks: [
      { name: '1M points < 400 ms', pass: oursT.median < 400, detail: `${round(oursT.median)} ms` },
      { name: '≥ 3× flatbush+turf', pass: vsFlatbush >= 3, detail: `${round(vsFlatbush, 1)}×` },
      { name: '≥ 200× naive turf', pass: vsNaive >= 200, detail: `${round(vsNaive, 0)}×` },
      { name: 'identical to exact test', pass: mismatches === 0 && naiveMismatches === 0 && cityMismatches === 0,
        detail: `${mismatches} of ${POINTS} (flatbush+turf), ${naiveMismatches} of ${NAIVE_SAMPLE} (naive), ` +
          `${cityMismatches} of ${CITY_SAMPLE} (${city.length} city-scale blocks)` },
    ],
    details: {
      source,
      points: POINTS,
      seed: SEED,
      runs: { ours: RUNS, flatbushTurf: BASELINE_RUNS, naive: NAIVE_RUNS, naiveSample: NAIVE_SAMPLE },
      stats: s,
      buildSamplesMs: builds.map((x) => round(x)),
      cityStats: cityLocator.stats,
      oursSamplesMs: oursT.samples.map((x) => round(x)),
      locateLoopSamplesMs: singleT.samples.map((x) => round(x)),
      flatbushTurfSamplesMs: flatT.samples.map((x) => round(x)),
      naiveSampleSamplesMs: naiveT.samples.map((x) => round(x)),
      gridSweep: sweep,
      mismatchExamples: examples,
    },
  };
}

/** The generator's blocks when it exists and runs, else a seeded Voronoi tessellation of the real outline. */
async function loadBlocks(): Promise<{ blocks: Block[]; source: string }> {
  if (existsSync(fileURLToPath(GENERATOR))) {
    try {
      const mod = (await import(GENERATOR.href)) as {
        generateDistrict: () => { blocks: Array<{ geometry: Block }> } | Promise<{ blocks: Array<{ geometry: Block }> }>;
      };
      const district = await mod.generateDistrict();
      return { blocks: district.blocks.map((b) => b.geometry), source: 'generateDistrict()' };
    } catch (err) {
      console.log(`locator: generateDistrict() failed (${(err as Error).message}); using the synthetic blocks`);
    }
  }
  return { blocks: syntheticBlocks(SYNTHETIC_BLOCKS, SEED), source: `synthetic ${SYNTHETIC_BLOCKS}-cell Voronoi of the outline` };
}

/** A seeded Voronoi tessellation of the district outline (converted to WGS-84), clipped to it. */
export function syntheticBlocks(count: number, seed: number): Block[] {
  const outline = loadOutline();
  const [x0, y0, x1, y1] = bbox(outline);
  const rand = prng(seed);
  const seeds: number[] = [];
  while (seeds.length < count * 2) {
    const x = x0 + (x1 - x0) * rand(), y = y0 + (y1 - y0) * rand();
    if (booleanPointInPolygon([x, y], outline)) seeds.push(x, y);
  }
  const voronoi = new Delaunay(Float64Array.from(seeds)).voronoi([x0, y0, x1, y1]);
  // only cells that an outline edge passes near need clipping; the others lie inside (their seed does)
  const outlineEdges: number[] = [];
  for (const poly of outline.coordinates) {
    for (const ring of poly) {
      for (let i = 0; i + 1 < ring.length; i++) outlineEdges.push(ring[i][0], ring[i][1], ring[i + 1][0], ring[i + 1][1]);
    }
  }
  const edgeIndex = new Flatbush(outlineEdges.length / 4);
  for (let i = 0; i < outlineEdges.length; i += 4) {
    const [a, b, c, d] = outlineEdges.slice(i, i + 4);
    edgeIndex.add(Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d));
  }
  edgeIndex.finish();
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) {
    const cell = voronoi.cellPolygon(i) as unknown as [number, number][];
    const [cx0, cy0, cx1, cy1] = bbox({ type: 'Polygon', coordinates: [cell] });
    if (edgeIndex.search(cx0, cy0, cx1, cy1).length === 0) {
      blocks.push({ type: 'Polygon', coordinates: [cell] });
      continue;
    }
    const clipped = polygonClipping.intersection([cell], outline.coordinates as polygonClipping.MultiPolygon);
    if (clipped.length === 0) continue;
    blocks.push(clipped.length === 1
      ? { type: 'Polygon', coordinates: clipped[0] }
      : { type: 'MultiPolygon', coordinates: clipped });
  }
  return blocks;
}

/** The real district outline in WGS-84 (DataV 2022 is GCJ-02; the converted copy is used when present). */
function loadOutline(): MultiPolygon {
  const read = (url: URL) => JSON.parse(readFileSync(url, 'utf8')) as FeatureCollection<MultiPolygon>;
  if (existsSync(fileURLToPath(OUTLINE_WGS84))) return read(OUTLINE_WGS84).features[0].geometry;
  const gcj = read(OUTLINE_GCJ02).features[0].geometry;
  type GcoordInput = Parameters<typeof gcoord.transform>[0];
  return gcoord.transform(gcj as unknown as GcoordInput, gcoord.GCJ02, gcoord.WGS84) as unknown as MultiPolygon;
}

/** INSIDE_SHARE of the points uniformly in a random block's bounding box, the rest anywhere in the total bbox. */
function makePoints(blocks: Block[], n: number, seed: number): { lons: Float64Array; lats: Float64Array } {
  const boxes = blocks.map(bbox);
  let [X0, Y0, X1, Y1] = boxes[0];
  for (const [a, b, c, d] of boxes) {
    X0 = Math.min(X0, a); Y0 = Math.min(Y0, b); X1 = Math.max(X1, c); Y1 = Math.max(Y1, d);
  }
  const rand = prng(seed + 1);
  const lons = new Float64Array(n), lats = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (rand() < INSIDE_SHARE) {
      const [a, b, c, d] = boxes[Math.floor(rand() * boxes.length)];
      lons[i] = a + (c - a) * rand();
      lats[i] = b + (d - b) * rand();
    } else {
      lons[i] = X0 + (X1 - X0) * rand();
      lats[i] = Y0 + (Y1 - Y0) * rand();
    }
  }
  return { lons, lats };
}

function bbox(g: Block): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) {
    for (const [x, y] of poly[0]) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return [x0, y0, x1, y1];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runLocatorBench();
  console.table(result.metrics);
  for (const c of result.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  console.log(JSON.stringify(result.details?.gridSweep));
}
