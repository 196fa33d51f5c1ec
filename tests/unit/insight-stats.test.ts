/**
 * Golden tests of the insight statistics: Gi* on small examples derived by hand (below each case), Mann–Kendall on
 * published worked examples, Benjamini–Hochberg on the example of the original paper, the emerging hot spot
 * categories on constructed histories, DBSCAN on a drawn layout, and the H3 aggregation against h3-js itself.
 */
import { latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { dbscan } from '../../server/domain/stats/dbscan.ts';
import { classifyEmerging, emergingHotSpots } from '../../server/domain/stats/emerging.ts';
import { benjaminiHochberg } from '../../server/domain/stats/fdr.ts';
import { confidenceBin, giStar, giStarTest } from '../../server/domain/stats/gi-star.ts';
import { aggregateH3 } from '../../server/domain/stats/h3-aggregate.ts';
import { mannKendall } from '../../server/domain/stats/mann-kendall.ts';
import { normalTwoSided } from '../../server/domain/stats/normal.ts';
import { distanceBandWeights, weightsFromAdjacency, weightsFromRows } from '../../server/domain/stats/weights.ts';

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-9) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThan(tol);
};

describe('Getis–Ord Gi*', () => {
  it('binary contiguity on a path of four units equals the hand derivation', () => {
    // Units 0–1–2–3 in a row, x = [1, 2, 3, 6]; n = 4, x̄ = 3, Σx² = 50, s² = 50/4 − 9 = 3.5.
    // Unit 0: {0,1}, W = S = 2, Σwx = 3 → (3 − 6) / (√3.5·√((8 − 4)/3)) = −3/√(14/3) = −√(27/14)
    // Unit 1: {0,1,2}, W = S = 3, Σwx = 6 → (6 − 9) / (√3.5·√((12 − 9)/3)) = −3/√3.5 = −√(18/7)
    // Unit 2: {1,2,3}, Σwx = 11 → 2/√3.5 = √(8/7)
    // Unit 3: {2,3}, Σwx = 9 → 3/√(14/3) = √(27/14)
    const w = weightsFromAdjacency([[1], [0, 2], [1, 3], [2]]);
    close(giStar([1, 2, 3, 6], w), [-Math.sqrt(27 / 14), -Math.sqrt(18 / 7), Math.sqrt(8 / 7), Math.sqrt(27 / 14)]);
  });

  it('general weights equal the hand derivation', () => {
    // w_00 = 1, w_01 = ½; w_11 = 1, w_10 = w_12 = ½; w_22 = 1, w_21 = ½. x = [4, 1, 1]: x̄ = 2, s² = 18/3 − 4 = 2.
    // Unit 0: W = 1.5, S = 1.25, Σwx = 4.5 → (4.5 − 3) / (√2·√((3·1.25 − 2.25)/2)) = 1.5/√1.5 = √1.5
    // Unit 1: W = 2, S = 1.5, Σwx = 3.5 → (3.5 − 4) / (√2·√((4.5 − 4)/2)) = −0.5/√0.5 = −√0.5
    // Unit 2: W = 1.5, S = 1.25, Σwx = 1.5 → −1.5/√1.5 = −√1.5
    const w = weightsFromRows([
      [[0, 1], [1, 0.5]],
      [[1, 1], [0, 0.5], [2, 0.5]],
      [[2, 1], [1, 0.5]],
    ]);
    close(giStar([4, 1, 1], w), [Math.sqrt(1.5), -Math.sqrt(0.5), -Math.sqrt(1.5)]);
  });

  it('a distance band links the points within the band, each to itself too', () => {
    const w = distanceBandWeights([0, 100, 250], [0, 0, 0], 120);
    const rows = [0, 1, 2].map((i) => Array.from(w.indices.subarray(w.offsets[i], w.offsets[i + 1])));
    expect(rows).toEqual([[0, 1], [0, 1], [2]]);
    // Same hand derivation as a contiguity with rows {0,1}, {0,1}, {2}: x = [3, 1, 2], x̄ = 2, s² = 14/3 − 4 = 2/3.
    // Unit 0 and 1: W = S = 2, Σwx = 4 → 0. Unit 2: W = S = 1, Σwx = 2 → 0.
    close(giStar([3, 1, 2], w), [0, 0, 0]);
  });

  it('constant values give z = 0 everywhere, not NaN', () => {
    const w = weightsFromAdjacency([[1], [0, 2], [1]]);
    close(giStar([5, 5, 5], w), [0, 0, 0]);
  });

  it('confidence bins: ±3 at 99 %, ±2 at 95 %, ±1 at 90 %, judged by the FDR-adjusted p when asked', () => {
    expect(confidenceBin(2.6, normalTwoSided(2.6))).toBe(3);
    expect(confidenceBin(-2.0, normalTwoSided(2.0))).toBe(-2);
    expect(confidenceBin(1.7, normalTwoSided(1.7))).toBe(1);
    expect(confidenceBin(1.6, normalTwoSided(1.6))).toBe(0);
    const w = weightsFromAdjacency([[1], [0, 2], [1, 3], [2]]);
    const raw = giStarTest([1, 2, 3, 6], w);
    const fdr = giStarTest([1, 2, 3, 6], w, { fdr: true });
    for (let i = 0; i < 4; i++) {
      expect(raw.p[i]).toBeCloseTo(normalTwoSided(raw.z[i]), 12);
      expect(fdr.q[i]).toBeGreaterThanOrEqual(fdr.p[i]);
      expect(Math.abs(fdr.bin[i])).toBeLessThanOrEqual(Math.abs(raw.bin[i]));
    }
  });
});

describe('Mann–Kendall', () => {
  it('a strictly increasing series 1…100 (the MannKendall.jl reference case): S = 4950, Var(S) = 112750', () => {
    // S = 100·99/2 = 4950; Var(S) = 100·99·205/18 = 112750; Z = 4949/√112750.
    const r = mannKendall(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(r.s).toBe(4950);
    expect(r.varS).toBe(112750);
    expect(r.z).toBeCloseTo(14.73869998208331, 12);
    expect(r.tau).toBe(1);
    expect(r.p).toBeLessThan(1e-40);
  });

  it('Gilbert (1987), Statistical Methods for Environmental Pollution Monitoring, §16.4 example with ties: Z ≈ 3.1', () => {
    const x = [20, 20, 20, 20, 15, 20, 20, 30, 27, 26, 23, 35, 25, 28, 70, 26, 24, 34, 32, 23, 50, 30];
    // Ties: 20 ×6, 30 ×2, 26 ×2, 23 ×2 → Σ t(t−1)(2t+5) = 6·5·17 + 3·(2·1·9) = 564;
    // Var(S) = (22·21·49 − 564)/18 = 22074/18 = 1226.333…; S = 111; Z = 110/√1226.33 = 3.141 (Gilbert: 3.1).
    const r = mannKendall(x);
    expect(r.s).toBe(111);
    expect(r.varS).toBeCloseTo(22074 / 18, 12);
    expect(r.z).toBeCloseTo(110 / Math.sqrt(22074 / 18), 12);
    expect(r.z.toFixed(1)).toBe('3.1');
    expect(r.p).toBeCloseTo(normalTwoSided(r.z), 12);
  });

  it('a small series with a tie, by hand: [1, 3, 2, 2]', () => {
    // Pairs: (1,3)+ (1,2)+ (1,2)+ (3,2)− (3,2)− (2,2)0 → S = 1; one tie group of 2: Var = (4·3·13 − 2·1·9)/18 = 138/18;
    // Z = (S − 1)/√Var = 0, p = 1.
    const r = mannKendall([1, 3, 2, 2]);
    expect(r.s).toBe(1);
    expect(r.varS).toBeCloseTo(138 / 18, 12);
    expect(r.z).toBe(0);
    expect(r.p).toBe(1);
  });
});

describe('Benjamini–Hochberg', () => {
  it("matches the worked example of Benjamini & Hochberg (1995), §4: 15 p-values, the first 4 rejected at 0.05", () => {
    const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];
    // q_(k) = min_{m ≥ k} p_(m)·15/m:
    const expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0298 * 15 / 7, 0.0298 * 15 / 7, 0.0645, 0.0765, 0.486, 0.4262 * 15 / 11, 0.5719 * 15 / 12, 0.6528 * 15 / 13, 0.759 * 15 / 14, 1];
    const q = benjaminiHochberg(p);
    close(q, expected, 1e-12);
    expect(Array.from(q).filter((v) => v <= 0.05).length).toBe(4);
    // Order of the input does not matter.
    const shuffled = [...p].reverse();
    close(benjaminiHochberg(shuffled), [...expected].reverse(), 1e-12);
  });
});

describe('emerging hot spot categories', () => {
  const H = 1, C = -1, _ = 0;
  const cases: [string, number[], number, number, string][] = [
    ['new', [_, _, _, _, _, _, _, _, _, H], 1, 0.3, 'new-hot'],
    ['consecutive', [_, _, _, _, _, _, _, H, H, H], 2, 0.04, 'consecutive-hot'],
    ['intensifying', [H, H, H, H, H, H, H, H, H, H], 3, 0.001, 'intensifying-hot'],
    ['persistent', [H, H, H, H, _, H, H, H, H, H], 0.5, 0.6, 'persistent-hot'],
    ['diminishing', [H, H, H, H, H, H, H, H, H, H], -3, 0.001, 'diminishing-hot'],
    ['sporadic', [_, H, _, _, H, _, _, _, _, H], 0.2, 0.8, 'sporadic-hot'],
    ['oscillating', [C, _, _, H, _, C, _, _, _, H], 0.2, 0.8, 'oscillating-hot'],
    ['historical', [H, H, H, H, H, H, H, H, H, _], -1, 0.3, 'historical-hot'],
    ['new cold', [_, _, _, _, _, _, _, _, _, C], -1, 0.3, 'new-cold'],
    ['intensifying cold', [C, C, C, C, C, C, C, C, C, C], -3, 0.001, 'intensifying-cold'],
    ['diminishing cold', [C, C, C, C, C, C, C, C, C, C], 3, 0.001, 'diminishing-cold'],
    ['oscillating cold', [H, _, _, _, _, _, _, _, C, C], 0, 1, 'oscillating-cold'],
    ['historical cold', [C, C, C, C, C, C, C, C, C, _], 1, 0.3, 'historical-cold'],
    ['nothing', [_, _, H, _, _, _, _, _, _, _], 0, 1, 'none'],
  ];
  for (const [name, sig, z, p, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(classifyEmerging(sig, z, p)).toBe(expected));
  }

  it('a unit whose neighbourhood grows hotter every month is an intensifying hot spot; a quiet one is not', () => {
    // A 7×7 grid with queen contiguity; the centre's neighbourhood gains cases month by month.
    const side = 7;
    const adj: number[][] = [];
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const list: number[] = [];
        for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
          if ((dr || dc) && r + dr >= 0 && r + dr < side && c + dc >= 0 && c + dc < side) list.push((r + dr) * side + c + dc);
        }
        adj.push(list);
      }
    }
    const w = weightsFromAdjacency(adj);
    const centre = 3 * side + 3;
    const hot = new Set([centre, ...adj[centre]]);
    const series = Array.from({ length: 12 }, (_, t) => Array.from({ length: side * side }, (_, i) => (hot.has(i) ? 6 + t : 1 + ((i * 7 + t) % 3))));
    const r = emergingHotSpots(series, w, { alpha: 0.05 });
    expect(r.categories[centre]).toBe('intensifying-hot');
    expect(r.trendZ[centre]).toBeGreaterThan(0);
    expect(r.categories[0]).not.toMatch(/-hot$/);
  });
});

describe('DBSCAN', () => {
  it('finds two groups and leaves the stray points as noise', () => {
    const xs = [0, 10, 20, 10, 1000, 1010, 1020, 1005, 500, 3000];
    const ys = [0, 0, 0, 10, 0, 0, 0, 8, 500, 0];
    const r = dbscan(xs, ys, 25, 3);
    expect(r.clusters).toBe(2);
    const labels = Array.from(r.labels);
    expect(new Set(labels.slice(0, 4))).toEqual(new Set([labels[0]]));
    expect(new Set(labels.slice(4, 8))).toEqual(new Set([labels[4]]));
    expect(labels[0]).not.toBe(labels[4]);
    expect(labels.slice(8)).toEqual([-1, -1]);
  });

  it('a border point joins the cluster of the core that reaches it', () => {
    // 0,1,2 are core (each sees 3 within 15 m); 3 at 30 m sees only 2 and itself, but is within 15 m of 2.
    const r = dbscan([0, 10, 20, 33], [0, 0, 0, 0], 15, 3);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0]);
  });
});

describe('H3 aggregation', () => {
  it('counts per cell equal latLngToCell on every point, at several resolutions', () => {
    let seed = 7;
    const u = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const n = 60_000;
    const lon = new Float64Array(n);
    const lat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lon[i] = 112.55 + u() * 0.45;
      lat[i] = 27.75 + u() * 0.3;
    }
    for (const res of [6, 7, 8, 9, 10]) {
      const expected = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const c = latLngToCell(lat[i], lon[i], res);
        expected.set(c, (expected.get(c) ?? 0) + 1);
      }
      const got = aggregateH3(lon, lat, res);
      expect(got.cells.length, `res ${res}`).toBe(expected.size);
      got.cells.forEach((c, i) => expect(got.counts[i], `${c} at res ${res}`).toBe(expected.get(c)));
    }
  });

  it('refuses a resolution outside 0…15', () => {
    expect(() => aggregateH3([112.9], [27.9], 16)).toThrow(/res must be an integer 0…15, got 16/);
  });
});
