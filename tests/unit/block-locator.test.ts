import { describe, expect, it } from 'vitest';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { booleanPointInPolygon } from '@turf/turf';
import { Delaunay } from 'd3-delaunay';
import polygonClipping from 'polygon-clipping';
import { BlockLocator } from '../../server/geo/block-locator.ts';
import { createRng } from '../../server/domain/prng.ts';

type Block = Polygon | MultiPolygon;

const square = (x0: number, y0: number, x1: number, y1: number): Position[] =>
  [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

/** The exact answer: the first block (in input order) that turf says contains the point, else -1. */
function exact(blocks: readonly Block[], x: number, y: number): number {
  for (let b = 0; b < blocks.length; b++) if (booleanPointInPolygon([x, y], blocks[b])) return b;
  return -1;
}

/**
 * A tessellation with every awkward case:
 * - ~300 Voronoi cells of seeds in the outline's bbox, clipped to a non-convex outline (an L with a spike and a slit)
 *   that has two holes: one a gap (no block), one filled by an "island" block; cells across the slit or the missing
 *   quadrant become MultiPolygons;
 * - east of it, a donut block whose hole is another block;
 * - a MultiPolygon block of two disjoint squares, north-east.
 */
function tessellation(): { blocks: Block[]; island: number; donut: number; donutHole: number; multi: number } {
  const outline: polygonClipping.Polygon = [
    [[0, 0], [10, 0], [10, 4], [6, 4], [6, 5.2], [5.8, 5.2], [5.8, 4], [4, 4], [4, 10], [2.05, 10], [2.05, 5],
      [1.95, 5], [1.95, 10], [0, 10], [0, 0]],
    square(1, 1, 2, 2.5) as polygonClipping.Ring, // gap
    square(6.5, 1, 8, 2.2) as polygonClipping.Ring, // island
  ];
  const rng = createRng(7);
  const seeds: number[] = [];
  while (seeds.length < 800) seeds.push(rng.range(0, 10), rng.range(0, 10));
  const voronoi = new Delaunay(Float64Array.from(seeds)).voronoi([-1, -1, 11, 11]);
  const blocks: Block[] = [];
  for (let i = 0; i < seeds.length / 2; i++) {
    const cell = voronoi.cellPolygon(i) as unknown as polygonClipping.Ring;
    const clipped = polygonClipping.intersection([cell], outline);
    if (clipped.length === 1) blocks.push({ type: 'Polygon', coordinates: clipped[0] });
    else if (clipped.length > 1) blocks.push({ type: 'MultiPolygon', coordinates: clipped });
  }
  const island = blocks.push({ type: 'Polygon', coordinates: [square(6.5, 1, 8, 2.2).reverse()] }) - 1;
  const donut = blocks.push({ type: 'Polygon', coordinates: [square(11, 0, 14, 3), square(12, 1, 13, 2)] }) - 1;
  const donutHole = blocks.push({ type: 'Polygon', coordinates: [square(12, 1, 13, 2)] }) - 1;
  const multi = blocks.push({
    type: 'MultiPolygon',
    coordinates: [[square(11, 5, 12, 6)], [square(13, 7, 14.5, 9)]],
  }) - 1;
  return { blocks, island, donut, donutHole, multi };
}

const T = tessellation();

describe('BlockLocator', () => {
  it('builds a tessellation with MultiPolygon blocks and reports its stats', () => {
    const loc = BlockLocator.build(T.blocks, { gridSize: 256 });
    expect(loc.size).toBe(T.blocks.length);
    expect(T.blocks.filter((b) => b.type === 'MultiPolygon').length).toBeGreaterThan(1);
    expect(loc.stats.gridSize).toBe(256);
    expect(loc.stats.mixedCells).toBeGreaterThan(0);
    expect(loc.stats.pureCells).toBeGreaterThan(loc.stats.mixedCells);
    expect(loc.stats.buildMs).toBeGreaterThanOrEqual(0);
  });

  for (const gridSize of [1, 7, 64, 1024]) {
    it(`agrees with turf on random points (gridSize ${gridSize})`, () => {
      const loc = BlockLocator.build(T.blocks, { gridSize });
      const rng = createRng(gridSize);
      let outside = 0;
      for (let i = 0; i < 4000; i++) {
        const x = rng.range(-0.5, 15), y = rng.range(-0.5, 10.5);
        const want = exact(T.blocks, x, y);
        if (want === -1) outside++;
        expect(loc.locate(x, y), `(${x}, ${y})`).toBe(want);
      }
      expect(outside).toBeGreaterThan(100);
    });
  }

  it('agrees with turf just either side of every edge and around every vertex', () => {
    const loc = BlockLocator.build(T.blocks, { gridSize: 512 });
    const d = 1e-7;
    let checked = 0;
    for (const g of T.blocks) {
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      for (const ring of polys.flat()) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const [x0, y0] = ring[i], [x1, y1] = ring[i + 1];
          const len = Math.hypot(x1 - x0, y1 - y0) || 1;
          const nx = -(y1 - y0) / len, ny = (x1 - x0) / len;
          const mx = x0 + (x1 - x0) * 0.37, my = y0 + (y1 - y0) * 0.37;
          for (const [x, y] of [
            [mx + nx * d, my + ny * d], [mx - nx * d, my - ny * d],
            [x0 + d, y0 + d], [x0 - d, y0 + d], [x0 + d, y0 - d], [x0 - d, y0 - d],
          ]) {
            expect(loc.locate(x, y), `(${x}, ${y})`).toBe(exact(T.blocks, x, y));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('agrees with turf on points exactly on cell and sub-cell lines', () => {
    // the blocks' bbox is [0, 0, 14.5, 10]; lines every 1/16 of a cell hit cell and sub-cell borders exactly
    const gridSize = 29;
    const loc = BlockLocator.build(T.blocks, { gridSize });
    const step = 14.5 / gridSize / 16;
    let checked = 0;
    for (let i = 0; i <= 16 * gridSize; i += 3) {
      for (let j = 0; j <= 16 * 20; j += 5) {
        const x = i * step, y = j * step;
        const want = exact(T.blocks, x, y);
        if (T.blocks.some((b) => booleanPointInPolygon([x, y], b, { ignoreBoundary: true }) !==
          booleanPointInPolygon([x, y], b))) continue; // on an edge: either side is right
        expect(loc.locate(x, y), `(${x}, ${y})`).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('gives -1 outside every block: beyond the bbox, in a gap hole, in the notch, for NaN', () => {
    const loc = BlockLocator.build(T.blocks);
    for (const [x, y] of [[-5, 5], [20, 20], [7, -0.01], [1.5, 1.7], [1.01, 2.49], [8, 8], [12.5, 5.5], [NaN, 1],
      [1, NaN], [Infinity, 1], [-Infinity, -Infinity]]) {
      expect(loc.locate(x, y), `(${x}, ${y})`).toBe(-1);
    }
  });

  it('puts points in a hole into the hole\'s block, and points in the ring into the donut', () => {
    const loc = BlockLocator.build(T.blocks);
    expect(loc.locate(12.5, 1.5)).toBe(T.donutHole);
    expect(loc.locate(12.001, 1.999)).toBe(T.donutHole);
    expect(loc.locate(11.999, 1.5)).toBe(T.donut);
    expect(loc.locate(11.2, 2.8)).toBe(T.donut);
    expect(loc.locate(7, 1.5)).toBe(T.island);
    expect(loc.locate(6.499, 1.5)).not.toBe(T.island);
    expect(loc.locate(6.499, 1.5)).toBeGreaterThanOrEqual(0);
    expect(loc.locate(11.5, 5.5)).toBe(T.multi);
    expect(loc.locate(14, 8)).toBe(T.multi);
  });

  it('locateMany agrees with locate', () => {
    const loc = BlockLocator.build(T.blocks, { gridSize: 300 });
    const rng = createRng(99);
    const n = 50_000;
    const lons = new Float64Array(n), lats = new Float64Array(n);
    for (let i = 0; i < n; i++) { lons[i] = rng.range(-1, 16); lats[i] = rng.range(-1, 11); }
    lons[0] = NaN;
    const out = new Int32Array(n + 3).fill(-7);
    loc.locateMany(lons, lats, out);
    for (let i = 0; i < n; i++) if (out[i] !== loc.locate(lons[i], lats[i])) expect(out[i]).toBe(loc.locate(lons[i], lats[i]));
    expect(out[0]).toBe(-1);
    expect(out[n]).toBe(-7); // nothing written past the points
    expect(() => loc.locateMany(lons, lats.subarray(1), out)).toThrow(/equal length/);
    expect(() => loc.locateMany(lons, lats, new Int32Array(3))).toThrow(/at least/);
  });

  it('golden: a small hand-made district', () => {
    // 0: west square, 1: east square (shares the x = 1 edge), 2: donut north of both, 3: its hole,
    // 4: a MultiPolygon (two triangles), 5: a plain rectangle east of them
    const blocks: Block[] = [
      { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] },
      { type: 'Polygon', coordinates: [square(1, 0, 2, 1)] },
      { type: 'Polygon', coordinates: [square(0, 1, 2, 3), square(0.5, 1.5, 1.5, 2.5)] },
      { type: 'Polygon', coordinates: [square(0.5, 1.5, 1.5, 2.5)] },
      { type: 'MultiPolygon', coordinates: [[[[2, 0], [3, 0], [2, 1], [2, 0]]], [[[3, 1], [3, 3], [2, 3], [3, 1]]]] },
      { type: 'Polygon', coordinates: [square(3, 0, 4, 3)] },
    ];
    const points: Array<[number, number]> = [
      [0.5, 0.5], [1.5, 0.5], [0.25, 1.25], [1, 2], [1.75, 2.9], [2.1, 0.1], [2.9, 0.9], [2.9, 2.9],
      [2.5, 1.5], [3.5, 1.5], [4.5, 1.5], [-0.1, 0.5], [0.999999, 0.5], [1.000001, 0.5],
    ];
    const golden = [0, 1, 2, 3, 2, 4, -1, 4, -1, 5, -1, -1, 0, 1];
    for (const gridSize of [1, 3, 16, 1024]) {
      const loc = BlockLocator.build(blocks, { gridSize });
      expect(points.map(([x, y]) => loc.locate(x, y)), `gridSize ${gridSize}`).toEqual(golden);
      expect(points.map(([x, y]) => exact(blocks, x, y))).toEqual(golden);
    }
    // an unclosed ring is closed implicitly
    blocks[5] = { type: 'Polygon', coordinates: [[[3, 0], [4, 0], [4, 3], [3, 3]]] };
    const loc = BlockLocator.build(blocks, { gridSize: 16 });
    expect(points.map(([x, y]) => loc.locate(x, y))).toEqual(golden);
  });

  it('returns the first block in input order where blocks overlap', () => {
    const blocks: Block[] = [
      { type: 'Polygon', coordinates: [square(0, 0, 10, 10)] },
      { type: 'Polygon', coordinates: [square(2, 2, 4, 4)] }, // inside block 0
      { type: 'Polygon', coordinates: [square(5, 5, 15, 15)] },
      { type: 'Polygon', coordinates: [square(20, 20, 21, 21)] },
    ];
    for (const gridSize of [4, 64]) {
      const loc = BlockLocator.build(blocks, { gridSize });
      expect(loc.locate(3, 3)).toBe(0);
      expect(loc.locate(2.1, 3)).toBe(0); // a cell only block 1's edge crosses, wholly inside block 0
      expect(loc.locate(3.9, 2.05)).toBe(0);
      expect(loc.locate(7, 7)).toBe(0);
      expect(loc.locate(12, 12)).toBe(2);
      expect(loc.locate(20.5, 20.5)).toBe(3);
      expect(loc.locate(17, 17)).toBe(-1);
      const reversed = BlockLocator.build([...blocks].reverse(), { gridSize });
      expect(reversed.locate(3, 3)).toBe(2); // block 1 comes before block 0 now
    }
  });

  it('handles no blocks, and rejects bad options and geometries with a message', () => {
    const empty = BlockLocator.build([]);
    expect(empty.size).toBe(0);
    expect(empty.locate(0, 0)).toBe(-1);
    expect(() => BlockLocator.build(T.blocks, { gridSize: 0 })).toThrow(/gridSize .* got 0/);
    expect(() => BlockLocator.build(T.blocks, { gridSize: 2.5 })).toThrow(/gridSize/);
    expect(() => BlockLocator.build([{ type: 'Point', coordinates: [0, 0] } as unknown as Polygon])).toThrow(/Block 0/);
    expect(() => BlockLocator.build([{ type: 'Polygon', coordinates: [[[0, 0], [NaN, 1], [1, 1], [0, 0]]] }]))
      .toThrow(/non-finite/);
  });
});
