import type { Rng } from '../../domain/prng.ts';
import { distanceToPolyline, pointInRings, bboxOfRings, type Ring, type XY } from './planar.ts';
import {
  URBAN_AXIS_KM, URBAN_RADIUS_KM, URBAN_SPACING_M, RURAL_SPACING_M, URBAN_GRID_ANGLE_DEG, UNIT_SEEDS_KM,
  TARGET_RESIDENTS, PERSONS_PER_HOUSEHOLD, URBAN_RESIDENT_SHARE,
} from './layout.ts';

/** A building site before it is tied to areas: position (projected metres), size and whether it is urban. */
export interface BuildingSite {
  x: number;
  y: number;
  urban: boolean;
  households: number;
  residents: number;
  floors: number;
}

export interface BuildingInputs {
  district: Ring[]; // projected rings of the district (outer rings and holes)
  water: Ring[]; // projected rings of the river water
  rng: Rng;
}

const AXIS: XY[] = URBAN_AXIS_KM.map(([x, y]) => [x * 1000, y * 1000]);

export function isUrban(x: number, y: number): boolean {
  return distanceToPolyline(x, y, AXIS) <= URBAN_RADIUS_KM * 1000;
}

/**
 * Places building sites on jittered grids (a river-aligned city grid, a coarse rural one), then sizes them:
 * high-rises near the seat, hamlets clustered into villages around the town seats, scaled to the target
 * population with the target urban share.
 */
export function generateBuildingSites({ district, water, rng }: BuildingInputs): BuildingSite[] {
  const inLand = (x: number, y: number) => pointInRings(x, y, district) && !pointInRings(x, y, water);
  const [minX, minY, maxX, maxY] = bboxOfRings(district);
  const sites: BuildingSite[] = [];

  // City: a grid turned along the river.
  const a = (URBAN_GRID_ANGLE_DEG * Math.PI) / 180;
  const cos = Math.cos(a), sin = Math.sin(a);
  const reach = 12_000;
  const s = URBAN_SPACING_M;
  for (let j = -reach / s; j <= reach / s; j++) {
    for (let i = -reach / s; i <= reach / s; i++) {
      const u = (i + rng.range(-0.15, 0.15)) * s;
      const v = (j + rng.range(-0.15, 0.15)) * s;
      const x = u * cos - v * sin;
      const y = u * sin + v * cos;
      if (isUrban(x, y) && inLand(x, y)) sites.push({ x, y, urban: true, households: 0, residents: 0, floors: 1 });
    }
  }

  // Countryside: a coarser grid; village clusters come from the household sizes below.
  const r = RURAL_SPACING_M;
  for (let y = Math.floor(minY / r) * r; y <= maxY; y += r) {
    for (let x = Math.floor(minX / r) * r; x <= maxX; x += r) {
      const px = x + rng.range(-0.25, 0.25) * r;
      const py = y + rng.range(-0.25, 0.25) * r;
      if (!isUrban(px, py) && inLand(px, py)) sites.push({ x: px, y: py, urban: false, households: 0, residents: 0, floors: 1 });
    }
  }

  // Village centres: random bumps plus the town seats, so the countryside has hamlets and empty fields.
  const villages: Array<{ x: number; y: number; r: number; w: number }> = [];
  for (let k = 0; k < 160; k++) {
    const x = rng.range(minX, maxX), y = rng.range(minY, maxY);
    if (!isUrban(x, y) && pointInRings(x, y, district)) villages.push({ x, y, r: rng.range(500, 1000), w: rng.range(0.6, 1.6) });
  }
  for (const [code, [kx, ky]] of Object.entries(UNIT_SEEDS_KM)) {
    if (!isUrban(kx * 1000, ky * 1000) && code.length === 9) villages.push({ x: kx * 1000, y: ky * 1000, r: 1400, w: 4 });
  }

  for (const b of sites) {
    if (b.urban) {
      const d = Math.hypot(b.x, b.y) / 1000;
      const core = 1 + 2.2 * Math.exp(-((d / 2.8) ** 2));
      b.households = rng.range(14, 44) * core;
      b.floors = Math.max(2, Math.round(rng.range(4, 11) * core));
    } else {
      let bump = 0.12;
      for (const v of villages) {
        const d2 = (b.x - v.x) ** 2 + (b.y - v.y) ** 2;
        if (d2 < 9 * v.r * v.r) bump += v.w * Math.exp(-d2 / (v.r * v.r));
      }
      b.households = rng.range(4, 12) * bump;
      b.floors = rng.int(1, 3);
    }
  }

  // Scale each side to its share of the target population; every site keeps at least one household.
  const targetHouseholds = TARGET_RESIDENTS / PERSONS_PER_HOUSEHOLD;
  for (const urban of [true, false]) {
    const group = sites.filter((b) => b.urban === urban);
    const want = targetHouseholds * (urban ? URBAN_RESIDENT_SHARE : 1 - URBAN_RESIDENT_SHARE);
    const have = group.reduce((t, b) => t + b.households, 0);
    for (const b of group) {
      b.households = Math.max(1, Math.round((b.households * want) / have));
      b.residents = Math.max(1, Math.round(b.households * rng.range(2.25, 2.95)));
    }
  }
  return sites;
}
