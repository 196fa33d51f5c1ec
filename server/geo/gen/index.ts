import area from '@turf/area';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { createRng } from '../../domain/prng.ts';
import { loadRealGeodata } from './sources.ts';
import { localProjection, type LocalProjection } from './projection.ts';
import { generateBuildingSites, isUrban, type BuildingSite } from './buildings.ts';
import { buildParcels } from './parcels.ts';
import { planHierarchy } from './hierarchy.ts';
import { ParcelTopology } from './merge.ts';
import { buildRoads } from './roads.ts';
import { Namer } from './names.ts';
import { HOTSPOT_PLANS } from './hotspots.ts';
import type { Ring, XY } from './planar.ts';
import type { GeneratedBlock, GeneratedBuilding, GeneratedDistrict, LonLat, RoadClass } from './types.ts';

export const GENERATOR_VERSION = 1;
/** The old town (城正街) where narrow lanes are one-way, in metres from the seat. */
const OLD_TOWN_M: [number, number] = [-2_400, -600];
export const DEFAULT_GENERATOR_SEED = 430302;

/** 'chang cheng' → 'Changcheng': place names are written as one capitalised word in pinyin. */
const PINYIN_NAME = (p: string) => p.replace(/\s+/g, '').replace(/^[a-z]/, (c) => c.toUpperCase());
const UNIT_EN: Record<string, string> = { 街道: 'Subdistrict', 镇: 'Town', 乡: 'Township' };

/**
 * Generates the Yuhu district's missing layers — subdistrict and community boundaries, buildings with their
 * parcels, exactly 667 blocks and a road network — around the real district outline and river. Deterministic:
 * the same seed gives byte-identical output on every run.
 */
export function generateDistrict(options: { seed?: number } = {}): GeneratedDistrict {
  const rng = createRng(options.seed ?? DEFAULT_GENERATOR_SEED);
  const real = loadRealGeodata();
  const proj = localProjection(real.seat[0], real.seat[1]);
  const project = (poly: number[][][]): Ring[] => poly.map((r) => r.map(([lon, lat]) => proj.toXY(lon, lat)));
  const districtPolys = real.district.coordinates.map(project);
  const waterPolys = real.water.features.flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates)).map(project);

  const sites = generateBuildingSites({ district: districtPolys.flat(), water: waterPolys.flat(), rng: rng.fork('buildings') });
  const { parcels } = buildParcels(sites, districtPolys);
  const parcelGeoms = parcels.map((polys) => toGeometry(polys, proj));
  const hierarchy = planHierarchy(sites, real.townships, rng.fork('hierarchy'));
  const topo = new ParcelTopology(parcelGeoms);

  const townshipByCode = new Map(real.townships.map((t) => [t.code, t]));
  const subdistricts = real.townships.map((t) => {
    const members = sites.map((_, i) => i).filter((i) => hierarchy.subdistrictOf[i] === t.code);
    return {
      code: t.code,
      name: t.name,
      shortName: t.shortName,
      nameEn: `${PINYIN_NAME(t.pinyin)} ${UNIT_EN[t.type]}`,
      type: t.type,
      urban: t.type === '街道',
      geometry: topo.merge(members),
      center: labelPoint(sites, members, proj),
    };
  });

  const communities = hierarchy.communities.map((c) => ({
    code: c.code,
    name: c.name,
    shortName: c.shortName,
    nameEn: c.nameEn,
    type: c.type,
    subdistrictCode: c.subdistrictCode,
    geometry: topo.merge(c.sites),
    center: labelPoint(sites, c.sites, proj),
  }));

  const blocks: GeneratedBlock[] = hierarchy.blocks.map((b) => {
    const geometry = topo.merge(b.sites);
    return {
      code: b.code,
      name: b.name,
      communityCode: b.communityCode,
      subdistrictCode: b.subdistrictCode,
      geometry,
      households: b.sites.reduce((t, i) => t + sites[i].households, 0),
      residents: b.sites.reduce((t, i) => t + sites[i].residents, 0),
      areaM2: Math.round(area(geometry)),
      center: labelPoint(sites, b.sites, proj),
    };
  });

  const communityOf = new Map<string, string>();
  for (const c of hierarchy.communities) for (const i of c.sites) communityOf.set(String(i), c.code);
  const buildings: GeneratedBuilding[] = sites.map((s, i) => {
    const [lon, lat] = proj.toLonLat(s.x, s.y);
    const g = parcelGeoms[i];
    return {
      id: i + 1,
      lon,
      lat,
      parcel: g,
      households: s.households,
      residents: s.residents,
      floors: s.floors,
      communityCode: communityOf.get(String(i))!,
      blockCode: hierarchy.blockOf[i],
    };
  });

  const sub = (i: number) => hierarchy.subdistrictOf[i];
  const comm = (i: number) => communityOf.get(String(i));
  const block = hierarchy.blockOf;
  const roadNamer = new Namer(rng.fork('road-names'), communities.map((c) => c.shortName).concat(subdistricts.map((s) => s.shortName)));
  const streetCount = new Map<string, number>();
  const NUMERALS = '一二三四五六七八九十';
  // A road between two areas keeps one name along its whole length: the pair of areas it separates names it.
  const pairNames = new Map<string, string>();
  const sidesOf = (pts: readonly XY[]): [number, number] => {
    const m = Math.floor((pts.length - 1) / 2);
    const [ax, ay] = pts[m], [bx, by] = pts[m + 1];
    const len = Math.hypot(bx - ax, by - ay) || 1;
    const nx = (-(by - ay) / len) * 15, ny = ((bx - ax) / len) * 15;
    const cx = (ax + bx) / 2, cy = (ay + by) / 2;
    return [nearestSite(sites, [cx + nx, cy + ny]), nearestSite(sites, [cx - nx, cy - ny])];
  };
  const nameLine = (cls: RoadClass, pts: readonly XY[]): string => {
    const [l, r] = sidesOf(pts);
    if (cls === 'street') {
      // Streets take the name of the community they run through: 白塘一巷, 白塘二巷 …
      const community = communities.find((c) => c.code === comm(l))!;
      const pair = [block[l], block[r]].sort().join('|');
      if (!pairNames.has(pair)) {
        const n = (streetCount.get(community.code) ?? 0) + 1;
        streetCount.set(community.code, n);
        pairNames.set(pair, community.shortName + (n <= 10 ? NUMERALS[n - 1] : String(n)) + (community.type === '村' ? '组道' : '巷'));
      }
      return pairNames.get(pair)!;
    }
    const area = cls === 'arterial' ? sub : (i: number) => comm(i)!;
    const pair = cls + [area(l), area(r)].sort().join('|');
    if (!pairNames.has(pair)) {
      const urban = isUrban(pts[0][0], pts[0][1]);
      pairNames.set(pair, roadNamer.next().stem + (cls === 'arterial' ? (urban ? '大道' : '公路') : urban ? '路' : '村道'));
    }
    return pairNames.get(pair)!;
  };
  const roads = buildRoads(
    [
      { class: 'arterial', lines: topo.boundaries((a, b) => sub(a) !== sub(b)) },
      { class: 'secondary', lines: topo.boundaries((a, b) => sub(a) === sub(b) && comm(a) !== comm(b)) },
      { class: 'street', lines: topo.boundaries((a, b) => comm(a) === comm(b) && block[a] !== block[b]) },
    ],
    {
      water: waterPolys.flat(),
      proj,
      urban: isUrban,
      nameLine,
      onewayCandidate: (x, y) => Math.hypot(x - OLD_TOWN_M[0], y - OLD_TOWN_M[1]) < 1_800,
      pickOneway: ((r) => () => r.chance(0.3))(rng.fork('oneway')),
    },
  );

  const hotspots = HOTSPOT_PLANS.map((h) => {
    const i = nearestSite(sites, [h.at[0] * 1000, h.at[1] * 1000]);
    const center = proj.toLonLat(sites[i].x, sites[i].y);
    return { id: h.id, blockCode: block[i], center, radiusM: h.radiusM, intensity: h.intensity, categories: h.categories, description: h.description };
  });

  return {
    district: { code: '430302', name: '雨湖区', nameEn: 'Yuhu District', geometry: real.district, center: real.seat },
    subdistricts,
    communities,
    buildings,
    blocks,
    roads,
    water: real.water as FeatureCollection,
    rivers: real.rivers,
    hotspots,
  };
}

function toGeometry(polys: Ring[][], proj: LocalProjection): Polygon | MultiPolygon {
  // Rounding to 1e-7° can fold a very short Voronoi edge to a point: drop the repeated vertex (neighbours drop
  // the same one, so their shared arcs stay identical).
  const coords = polys.map((rings) =>
    rings.map((ring) => ring.map(([x, y]) => proj.toLonLat(x, y)).filter((p, i, all) => i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1])),
  );
  return coords.length === 1 ? { type: 'Polygon', coordinates: coords[0] } : { type: 'MultiPolygon', coordinates: coords };
}

/** A point inside the group for its label and centre: the building nearest the household-weighted centroid. */
function labelPoint(sites: readonly BuildingSite[], members: readonly number[], proj: LocalProjection): LonLat {
  let x = 0, y = 0, w = 0;
  for (const i of members) (x += sites[i].x * sites[i].households), (y += sites[i].y * sites[i].households), (w += sites[i].households);
  let best = members[0], bestD = Infinity;
  for (const i of members) {
    const d = (sites[i].x - x / w) ** 2 + (sites[i].y - y / w) ** 2;
    if (d < bestD) (bestD = d), (best = i);
  }
  return proj.toLonLat(sites[best].x, sites[best].y);
}

function nearestSite(sites: readonly BuildingSite[], [x, y]: readonly [number, number]): number {
  let best = 0, bestD = Infinity;
  for (let i = 0; i < sites.length; i++) {
    const d = (sites[i].x - x) ** 2 + (sites[i].y - y) ** 2;
    if (d < bestD) (bestD = d), (best = i);
  }
  return best;
}
