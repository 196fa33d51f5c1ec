/**
 * Point → block locator: which block (of a set of polygons that tile an area) contains a point.
 *
 * The hot path of every event report and import. Blocks tile the district, so almost every point falls deep inside
 * one block and only points near a boundary need an exact test. The index is a uniform grid over the blocks' bounding
 * box, stored as one Int32Array:
 *
 *   grid[row * nx + col] >= 0   the cell lies entirely inside that block (a "pure" cell)
 *   grid[row * nx + col] == -1  the cell lies outside every block
 *   grid[row * nx + col] <= -2  a "mixed" cell: some block edge passes through it; -2 - value is its index into a
 *                               CSR list of candidate blocks (cellOffsets → candidates)
 *
 * Each candidate is a (block, edge range) triple; the range points at that block's edges within the cell's grid row
 * (rowEdges, four doubles x0 y0 x1 y1 per edge, grouped by row then block). Each mixed cell is further split into
 * SUB × SUB sub-cells (sub, SUB_CELLS Int32 per mixed cell) holding a block, -1, or EXACT; only a point in an EXACT
 * sub-cell is tested, by even-odd ray casting against those edges only — all rings of the block (outer rings, holes,
 * every polygon of a MultiPolygon) — in ascending block order; the first block that contains the point wins.
 * On the district's 667 blocks at the default grid, 4.5% of cells are mixed and ~8% of event-like points (weighted to
 * the small urban blocks) need the exact test; without the sub-cells it would be ~31%.
 *
 * Build:
 *   1. every edge is bucketed by the grid rows its y-range touches (rowEdges, grouped by block within a row);
 *   2. every cell an edge passes through is marked mixed, found by a conservative walk along the segment, row by row,
 *      widened by EPS cells so floating-point rounding can never miss a cell;
 *   3. a scanline at each row's centre y sweeps the edge crossings from west to east, keeping the set of blocks the
 *      sweep is inside (even-odd per block): a cell with no edge takes that set's single block (or -1 when empty);
 *      a cell inside several blocks (overlapping input) becomes mixed as well, and a mixed cell also gets the blocks
 *      that contain its centre, so overlapping or gapped input still gives the exact answer;
 *   4. the candidate lists are sorted, deduplicated and pointed at their edge ranges;
 *   5. each mixed cell's sub-cells are marked by the same walk over its candidates' edges, and the unmarked ones take
 *      the exact answer at their centre.
 *
 * Points exactly on an edge may go either way (as with any ray-casting test); points outside the bounding box and
 * NaN coordinates give -1.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

export interface BlockLocatorOptions {
  /** Grid cells along the longer side of the blocks' bounding box (default 1024). */
  gridSize?: number;
}

const defaultOptions: Required<BlockLocatorOptions> = {
  gridSize: 1024, // ~35 m cells over the 35 km-wide district; chosen by bench (scripts/bench/locator.ts)
};

/** Widening of the conservative cell walk, in cells: far above double rounding, far below a cell. */
const EPS = 1e-6;
const OUTSIDE = -1;
const EDGE_STRIDE = 4; // x0, y0, x1, y1
const CAND_STRIDE = 3; // block, first edge, end edge (into rowEdges, in edges)
const SUB_SHIFT = 2; // each mixed cell is refined into SUB × SUB sub-cells
const SUB = 1 << SUB_SHIFT;
const SUB_CELLS = SUB * SUB;
const EXACT = -2; // a sub-cell some edge passes through
const UNSET = -3;

export class BlockLocator {
  /** Number of blocks (the length of the input array). */
  readonly size: number;
  readonly stats: { gridSize: number; pureCells: number; mixedCells: number; buildMs: number };

  private readonly minX: number;
  private readonly minY: number;
  /** Cells per degree. */
  private readonly scale: number;
  private readonly nx: number;
  private readonly ny: number;
  private readonly grid: Int32Array;
  /** Per mixed cell m: its candidates are cands[cellOffsets[m] .. cellOffsets[m + 1]) (in triples). */
  private readonly cellOffsets: Int32Array;
  private readonly cands: Int32Array;
  private readonly rowEdges: Float64Array;
  /** Per mixed cell m: SUB_CELLS sub-cell values from m * SUB_CELLS, row-major: a block, -1, or EXACT. */
  private readonly sub: Int32Array;

  private constructor(
    size: number,
    minX: number,
    minY: number,
    scale: number,
    nx: number,
    ny: number,
    grid: Int32Array,
    cellOffsets: Int32Array,
    cands: Int32Array,
    rowEdges: Float64Array,
    stats: BlockLocator['stats'],
  ) {
    this.size = size;
    this.minX = minX;
    this.minY = minY;
    this.scale = scale;
    this.nx = nx;
    this.ny = ny;
    this.grid = grid;
    this.cellOffsets = cellOffsets;
    this.cands = cands;
    this.rowEdges = rowEdges;
    this.sub = new Int32Array(cellOffsets.length > 0 ? (cellOffsets.length - 1) * SUB_CELLS : 0);
    this.stats = stats;
  }

  static build(geometries: ReadonlyArray<Polygon | MultiPolygon>, options?: BlockLocatorOptions): BlockLocator {
    const t0 = performance.now();
    const gridSize = options?.gridSize ?? defaultOptions.gridSize;
    if (!Number.isInteger(gridSize) || gridSize < 1 || gridSize > 16384) {
      throw new RangeError(`gridSize must be an integer in 1..16384, got ${gridSize}.`);
    }
    const n = geometries.length;

    // --- edges of all rings, flat, in block order --------------------------------------------------------------
    let edgeCount = 0;
    for (let b = 0; b < n; b++) {
      forEachRing(geometries[b], b, (ring) => {
        if (ring.length > 1) edgeCount += ring.length - 1 + (closed(ring) ? 0 : 1);
      });
    }
    const ex = new Float64Array(edgeCount * EDGE_STRIDE);
    const eb = new Int32Array(edgeCount);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    let e = 0;
    for (let b = 0; b < n; b++) {
      forEachRing(geometries[b], b, (ring) => {
        if (ring.length < 2) return;
        const last = closed(ring) ? ring.length - 1 : ring.length;
        for (let i = 0; i < last; i++) {
          const p = ring[i], q = ring[i + 1 < ring.length ? i + 1 : 0];
          const x0 = p[0], y0 = p[1], x1 = q[0], y1 = q[1];
          if (!(Number.isFinite(x0) && Number.isFinite(y0))) {
            throw new RangeError(`Block ${b} has a non-finite coordinate [${x0}, ${y0}].`);
          }
          ex[e * 4] = x0; ex[e * 4 + 1] = y0; ex[e * 4 + 2] = x1; ex[e * 4 + 3] = y1;
          eb[e++] = b;
          if (x0 < minX) minX = x0;
          if (x0 > maxX) maxX = x0;
          if (y0 < minY) minY = y0;
          if (y0 > maxY) maxY = y0;
        }
      });
    }
    if (edgeCount === 0) { minX = minY = 0; maxX = maxY = 1; }

    const span = Math.max(maxX - minX, maxY - minY) || 1;
    const scale = gridSize / span;
    const nx = Math.max(1, Math.ceil((maxX - minX) * scale));
    const ny = Math.max(1, Math.ceil((maxY - minY) * scale));

    // --- 1. bucket edges by row (CSR); within a row, edges stay in block order ----------------------------------
    const rowCount = new Int32Array(ny + 1);
    for (let i = 0; i < edgeCount; i++) {
      const ya = (ex[i * 4 + 1] - minY) * scale, yb = (ex[i * 4 + 3] - minY) * scale;
      const r0 = clampCell(Math.min(ya, yb) - EPS, ny), r1 = clampCell(Math.max(ya, yb) + EPS, ny);
      for (let r = r0; r <= r1; r++) rowCount[r + 1]++;
    }
    for (let r = 0; r < ny; r++) rowCount[r + 1] += rowCount[r];
    const rowStart = rowCount; // rowStart[r] .. rowStart[r + 1]
    const rowEdgeIds = new Int32Array(rowStart[ny]);
    const fill = rowStart.slice(0, ny);
    for (let i = 0; i < edgeCount; i++) {
      const ya = (ex[i * 4 + 1] - minY) * scale, yb = (ex[i * 4 + 3] - minY) * scale;
      const r0 = clampCell(Math.min(ya, yb) - EPS, ny), r1 = clampCell(Math.max(ya, yb) + EPS, ny);
      for (let r = r0; r <= r1; r++) rowEdgeIds[fill[r]++] = i;
    }
    const rowEdges = new Float64Array(rowEdgeIds.length * EDGE_STRIDE);
    for (let k = 0; k < rowEdgeIds.length; k++) {
      const i = rowEdgeIds[k];
      rowEdges[k * 4] = ex[i * 4]; rowEdges[k * 4 + 1] = ex[i * 4 + 1];
      rowEdges[k * 4 + 2] = ex[i * 4 + 2]; rowEdges[k * 4 + 3] = ex[i * 4 + 3];
    }

    // --- 2. mark the cells every edge passes through: (cell, block) pairs ---------------------------------------
    const cellCount = nx * ny;
    const grid = new Int32Array(cellCount).fill(OUTSIDE);
    const lastBlock = new Int32Array(cellCount).fill(-1); // dedupes consecutive pairs of one block
    const pairs = new GrowableInt32(Math.max(1024, edgeCount * 4)); // cell, block, cell, block, ...
    const MIXED = -2;
    let curBlock = 0;
    const markCell = (r: number, c: number): void => {
      const cell = r * nx + c;
      grid[cell] = MIXED;
      if (lastBlock[cell] !== curBlock) {
        lastBlock[cell] = curBlock;
        pairs.push2(cell, curBlock);
      }
    };
    for (let i = 0; i < edgeCount; i++) {
      curBlock = eb[i];
      walkSegment(
        (ex[i * 4] - minX) * scale, (ex[i * 4 + 1] - minY) * scale,
        (ex[i * 4 + 2] - minX) * scale, (ex[i * 4 + 3] - minY) * scale,
        nx, ny, markCell,
      );
    }

    // --- 3. scanline at each row's centre: fill pure cells, add centre-containing blocks to mixed cells ----------
    const parity = new Uint8Array(n);
    const insideList = new Int32Array(n);
    const insidePos = new Int32Array(n);
    let crossX = new Float64Array(256);
    let crossB = new Int32Array(256);
    let order = new Int32Array(256);
    for (let r = 0; r < ny; r++) {
      const yc = r + 0.5;
      let m = 0;
      for (let k = rowStart[r]; k < rowStart[r + 1]; k++) {
        const ya = (rowEdges[k * 4 + 1] - minY) * scale, yb = (rowEdges[k * 4 + 3] - minY) * scale;
        if ((ya > yc) === (yb > yc)) continue;
        const xa = (rowEdges[k * 4] - minX) * scale, xb = (rowEdges[k * 4 + 2] - minX) * scale;
        if (m === crossX.length) {
          crossX = grow(crossX); crossB = grow(crossB); order = new Int32Array(crossX.length);
        }
        crossX[m] = xa + (xb - xa) * (yc - ya) / (yb - ya);
        crossB[m] = rowEdgeBlock(eb, rowEdgeIds, k);
        m++;
      }
      for (let j = 0; j < m; j++) order[j] = j;
      const sub = order.subarray(0, m);
      sub.sort((a, b2) => crossX[a] - crossX[b2]);

      let inside = 0, j = 0;
      const base = r * nx;
      for (let c = 0; c < nx; c++) {
        const xc = c + 0.5;
        while (j < m && crossX[sub[j]] < xc) {
          const b = crossB[sub[j++]];
          if (parity[b] ^= 1) {
            insidePos[b] = inside; insideList[inside++] = b;
          } else {
            const last = insideList[--inside], pos = insidePos[b];
            insideList[pos] = last; insidePos[last] = pos;
          }
        }
        const cell = base + c;
        if (grid[cell] === MIXED) {
          for (let q = 0; q < inside; q++) pairs.push2(cell, insideList[q]);
        } else if (inside === 1) {
          grid[cell] = insideList[0];
        } else if (inside > 1) {
          grid[cell] = MIXED;
          for (let q = 0; q < inside; q++) pairs.push2(cell, insideList[q]);
        }
      }
      // crossings east of the last cell centre are never swept: clear what is still set
      for (let q = 0; q < inside; q++) parity[insideList[q]] = 0;
    }

    // --- 4. CSR of candidates per mixed cell, sorted, deduplicated, pointed at their row's edge ranges ----------
    let mixedCells = 0;
    const perCell = new Int32Array(cellCount);
    const pairData = pairs.data, pairLen = pairs.length;
    for (let p = 0; p < pairLen; p += 2) perCell[pairData[p]]++;
    const mixedIndex = new Int32Array(cellCount);
    for (let cell = 0; cell < cellCount; cell++) {
      if (grid[cell] === MIXED) mixedIndex[cell] = mixedCells++;
    }
    const rawOffsets = new Int32Array(mixedCells + 1);
    for (let cell = 0; cell < cellCount; cell++) {
      if (grid[cell] === MIXED) rawOffsets[mixedIndex[cell] + 1] = perCell[cell];
    }
    for (let mi = 0; mi < mixedCells; mi++) rawOffsets[mi + 1] += rawOffsets[mi];
    const raw = new Int32Array(rawOffsets[mixedCells]);
    const rawFill = rawOffsets.slice(0, mixedCells);
    for (let p = 0; p < pairLen; p += 2) {
      const mi = mixedIndex[pairData[p]];
      raw[rawFill[mi]++] = pairData[p + 1];
    }

    const cellOffsets = new Int32Array(mixedCells + 1);
    const cands = new GrowableInt32(raw.length * CAND_STRIDE + 3);
    const bStart = new Int32Array(n), bEnd = new Int32Array(n), bRow = new Int32Array(n).fill(-1);
    let count = 0;
    for (let r = 0; r < ny; r++) {
      // edge range of each block within this row
      for (let k = rowStart[r]; k < rowStart[r + 1]; k++) {
        const b = rowEdgeBlock(eb, rowEdgeIds, k);
        if (bRow[b] !== r) { bRow[b] = r; bStart[b] = k; }
        bEnd[b] = k + 1;
      }
      for (let c = 0; c < nx; c++) {
        const cell = r * nx + c;
        if (grid[cell] !== MIXED) continue;
        const mi = mixedIndex[cell];
        const s = rawOffsets[mi], t = rawOffsets[mi + 1];
        insertionSort(raw, s, t);
        for (let k = s; k < t; k++) {
          const b = raw[k];
          if (k > s && raw[k - 1] === b) continue;
          if (bRow[b] !== r) continue; // no edge of b in this row: b cannot contain a point of the row here
          cands.push3(b, bStart[b], bEnd[b]);
          count++;
        }
        cellOffsets[mi + 1] = count;
        grid[cell] = -2 - mi;
      }
    }

    const locator = new BlockLocator(
      n, minX, minY, scale, nx, ny, grid, cellOffsets, cands.data.slice(0, cands.length), rowEdges,
      { gridSize, pureCells: cellCount - mixedCells, mixedCells, buildMs: 0 },
    );
    locator.refine();
    locator.stats.buildMs = performance.now() - t0;
    return locator;
  }

  /**
   * 5. Splits every mixed cell into SUB × SUB sub-cells: those its candidates' edges pass through (same conservative
   * walk, in sub-cell units) stay EXACT; the others take the exact answer at their centre, which lies at least half a
   * sub-cell from every edge. Most points in a mixed cell then need no exact test.
   */
  private refine(): void {
    const { grid, nx, ny, minX, minY, scale, cellOffsets, cands, rowEdges, sub } = this;
    const pxs = new Float64Array(SUB);
    let base = 0;
    const mark = (row: number, col: number): void => { sub[base + row * SUB + col] = EXACT; };
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) {
        const v = grid[r * nx + c];
        if (v > -2) continue;
        const m = -2 - v;
        base = m * SUB_CELLS;
        sub.fill(UNSET, base, base + SUB_CELLS);
        // local sub-cell coordinates, computed as the queries compute them: ((lon - minX) * scale - col) * SUB
        for (let k = cellOffsets[m] * CAND_STRIDE; k < cellOffsets[m + 1] * CAND_STRIDE; k += CAND_STRIDE) {
          for (let i = cands[k + 1] * EDGE_STRIDE; i < cands[k + 2] * EDGE_STRIDE; i += EDGE_STRIDE) {
            walkSegment(
              ((rowEdges[i] - minX) * scale - c) * SUB, ((rowEdges[i + 1] - minY) * scale - r) * SUB,
              ((rowEdges[i + 2] - minX) * scale - c) * SUB, ((rowEdges[i + 3] - minY) * scale - r) * SUB,
              SUB, SUB, mark,
            );
          }
        }
        // the exact test at the unmarked sub-cells' centres, one ray per sub-row: the same arithmetic as exact()
        for (let j = 0; j < SUB; j++) {
          const rowBase = base + j * SUB;
          let unset = 0;
          for (let q = 0; q < SUB; q++) if (sub[rowBase + q] === UNSET) unset |= 1 << q;
          if (unset === 0) continue;
          const py = minY + (r + (j + 0.5) / SUB) / scale;
          for (let q = 0; q < SUB; q++) pxs[q] = minX + (c + (q + 0.5) / SUB) / scale;
          for (let k = cellOffsets[m] * CAND_STRIDE; k < cellOffsets[m + 1] * CAND_STRIDE && unset; k += CAND_STRIDE) {
            let inside = 0; // parity bit per sub-column
            for (let i = cands[k + 1] * EDGE_STRIDE; i < cands[k + 2] * EDGE_STRIDE; i += EDGE_STRIDE) {
              const yi = rowEdges[i + 1], yj = rowEdges[i + 3];
              if ((yi > py) === (yj > py)) continue;
              const xi = rowEdges[i];
              const x = xi + (rowEdges[i + 2] - xi) * (py - yi) / (yj - yi);
              for (let q = 0; q < SUB; q++) if (pxs[q] < x) inside ^= 1 << q;
            }
            const hit = inside & unset;
            for (let q = 0; q < SUB; q++) if (hit & (1 << q)) sub[rowBase + q] = cands[k];
            unset &= ~hit;
          }
          for (let q = 0; q < SUB; q++) if (unset & (1 << q)) sub[rowBase + q] = OUTSIDE;
        }
      }
    }
  }

  /** Index into the input array, or -1 when the point is in no block. */
  locate(lon: number, lat: number): number {
    const gx = (lon - this.minX) * this.scale, gy = (lat - this.minY) * this.scale;
    if (!(gx >= 0 && gy >= 0 && gx < this.nx && gy < this.ny)) return OUTSIDE;
    const r = gy | 0, c = gx | 0;
    const v = this.grid[r * this.nx + c];
    if (v >= OUTSIDE) return v;
    const w = this.sub[(-2 - v) * SUB_CELLS + (((gy - r) * SUB) | 0) * SUB + (((gx - c) * SUB) | 0)];
    return w >= OUTSIDE ? w : this.exact(-2 - v, lon, lat);
  }

  /** Writes an index (or -1) per point into out; lons/lats are parallel arrays. */
  locateMany(lons: Float64Array, lats: Float64Array, out: Int32Array): void {
    const len = lons.length;
    if (lats.length !== len || out.length < len) {
      throw new RangeError(`locateMany: got ${len} lons, ${lats.length} lats and ${out.length} out slots; ` +
        `lons and lats must have equal length and out at least that length.`);
    }
    const { minX, minY, scale, nx, ny, grid, sub } = this;
    for (let i = 0; i < len; i++) {
      const lon = lons[i], lat = lats[i];
      const gx = (lon - minX) * scale, gy = (lat - minY) * scale;
      if (!(gx >= 0 && gy >= 0 && gx < nx && gy < ny)) { out[i] = OUTSIDE; continue; }
      const r = gy | 0, c = gx | 0;
      const v = grid[r * nx + c];
      if (v >= OUTSIDE) { out[i] = v; continue; }
      const w = sub[(-2 - v) * SUB_CELLS + (((gy - r) * SUB) | 0) * SUB + (((gx - c) * SUB) | 0)];
      out[i] = w >= OUTSIDE ? w : this.exact(-2 - v, lon, lat);
    }
  }

  /** Even-odd ray casting (towards +x) against the candidates' edges in the point's row. */
  private exact(mixed: number, px: number, py: number): number {
    const cands = this.cands, edges = this.rowEdges;
    const end = this.cellOffsets[mixed + 1] * CAND_STRIDE;
    for (let k = this.cellOffsets[mixed] * CAND_STRIDE; k < end; k += CAND_STRIDE) {
      let inside = false;
      const stop = cands[k + 2] * EDGE_STRIDE;
      for (let i = cands[k + 1] * EDGE_STRIDE; i < stop; i += EDGE_STRIDE) {
        const yi = edges[i + 1], yj = edges[i + 3];
        if ((yi > py) !== (yj > py)) {
          const xi = edges[i];
          if (px < xi + (edges[i + 2] - xi) * (py - yi) / (yj - yi)) inside = !inside;
        }
      }
      if (inside) return cands[k];
    }
    return OUTSIDE;
  }
}

function forEachRing(g: Polygon | MultiPolygon, b: number, fn: (ring: Position[]) => void): void {
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
    const got = g ? (g as { type: unknown }).type : g;
    throw new TypeError(`Block ${b}: expected a Polygon or MultiPolygon, got ${String(got)}.`);
  }
  if (g.type === 'Polygon') for (const ring of g.coordinates) fn(ring);
  else for (const poly of g.coordinates) for (const ring of poly) fn(ring);
}

function closed(ring: Position[]): boolean {
  const a = ring[0], z = ring[ring.length - 1];
  return a[0] === z[0] && a[1] === z[1];
}

function clampCell(v: number, n: number): number {
  const i = Math.floor(v);
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * Visits every cell (row, col) of an nx × ny grid of unit cells that the segment (x0, y0)–(x1, y1), in grid units,
 * passes within EPS of: row by row, the segment's x-range within the widened band [row - EPS, row + 1 + EPS].
 * Parts of the segment outside the grid are skipped.
 */
function walkSegment(
  x0: number, y0: number, x1: number, y1: number, nx: number, ny: number, visit: (row: number, col: number) => void,
): void {
  const ylo = Math.min(y0, y1) - EPS, yhi = Math.max(y0, y1) + EPS;
  if (yhi < 0 || ylo >= ny || Math.max(x0, x1) + EPS < 0 || Math.min(x0, x1) - EPS >= nx) return;
  const r0 = clampCell(ylo, ny), r1 = clampCell(yhi, ny);
  const dy = y1 - y0;
  for (let r = r0; r <= r1; r++) {
    let xa: number, xb: number;
    if (Math.abs(dy) < 1e-12) {
      xa = x0; xb = x1;
    } else {
      let ta = (r - EPS - y0) / dy, tb = (r + 1 + EPS - y0) / dy;
      if (ta > tb) { const t = ta; ta = tb; tb = t; }
      if (ta < 0) ta = 0;
      if (tb > 1) tb = 1;
      if (ta > tb) continue;
      xa = x0 + (x1 - x0) * ta; xb = x0 + (x1 - x0) * tb;
    }
    const lo = Math.min(xa, xb) - EPS, hi = Math.max(xa, xb) + EPS;
    if (hi < 0 || lo >= nx) continue;
    const c1 = clampCell(hi, nx);
    for (let c = clampCell(lo, nx); c <= c1; c++) visit(r, c);
  }
}

function rowEdgeBlock(eb: Int32Array, rowEdgeIds: Int32Array, k: number): number {
  return eb[rowEdgeIds[k]];
}

function insertionSort(a: Int32Array, s: number, t: number): void {
  for (let i = s + 1; i < t; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= s && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

function grow<T extends Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as { new (n: number): T })(a.length * 2);
  b.set(a);
  return b;
}

class GrowableInt32 {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) { this.data = new Int32Array(capacity); }
  push2(a: number, b: number): void {
    if (this.length + 2 > this.data.length) this.data = grow(this.data);
    this.data[this.length++] = a; this.data[this.length++] = b;
  }
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.data = grow(this.data);
    this.data[this.length++] = a; this.data[this.length++] = b; this.data[this.length++] = c;
  }
}
