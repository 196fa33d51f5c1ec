import type { Rng } from '../../domain/prng.ts';
import type { BuildingSite } from './buildings.ts';
import { URBAN_GRID_ANGLE_DEG, UNIT_SEEDS_KM, BLOCK_COUNT, RURAL_BLOCK_WEIGHT, URBAN_HOUSEHOLDS_PER_COMMUNITY, RURAL_HOUSEHOLDS_PER_VILLAGE } from './layout.ts';
import { apportion, bisect, kMeans, readingOrder } from './partition.ts';
import { Namer } from './names.ts';

export interface Township {
  code: string;
  name: string;
  shortName: string;
  pinyin: string;
  type: '街道' | '镇' | '乡';
}

export interface CommunityPlan {
  code: string;
  name: string;
  shortName: string;
  nameEn: string;
  type: '社区' | '村';
  subdistrictCode: string;
  sites: number[];
}

export interface BlockPlan {
  code: string;
  name: string;
  communityCode: string;
  subdistrictCode: string;
  sites: number[];
}

export interface Hierarchy {
  subdistrictOf: string[]; // per site
  communities: CommunityPlan[];
  blocks: BlockPlan[];
  blockOf: string[]; // per site
}

/**
 * Ties building sites to subdistricts (nearest seed of their own kind: city sites to the 8 街道, country sites to
 * the towns), communities (k-means by households) and exactly BLOCK_COUNT blocks (apportioned by households,
 * cut by recursive bisection), and gives every area its statistical code in reading order.
 */
export function planHierarchy(sites: readonly BuildingSite[], townships: readonly Township[], rng: Rng): Hierarchy {
  const seeds = townships.map((t) => {
    const km = UNIT_SEEDS_KM[t.code];
    if (!km) throw new Error(`no seed position for township ${t.code} ${t.name}`);
    return { t, x: km[0] * 1000, y: km[1] * 1000, urban: t.type === '街道' };
  });
  const subdistrictOf = sites.map((s) => {
    let best = '', bestD = Infinity;
    for (const seed of seeds) {
      if (seed.urban !== s.urban) continue;
      const d = (s.x - seed.x) ** 2 + (s.y - seed.y) ** 2;
      if (d < bestD) (bestD = d), (best = seed.t.code);
    }
    return best;
  });

  const namer = new Namer(rng.fork('names'), townships.map((t) => t.shortName));
  const communities: CommunityPlan[] = [];
  for (const seed of seeds) {
    const members = sites.map((_, i) => i).filter((i) => subdistrictOf[i] === seed.t.code);
    const households = members.reduce((t, i) => t + sites[i].households, 0);
    const per = seed.urban ? URBAN_HOUSEHOLDS_PER_COMMUNITY : RURAL_HOUSEHOLDS_PER_VILLAGE;
    const k = Math.max(2, Math.round(households / per));
    // City communities are cut like their blocks, along the street grid; villages grow round their hamlets.
    const clusters = seed.urban
      ? bisect(members.map((i) => gridFrame(sites[i])), k)
      : kMeans(members.map((i) => ({ x: sites[i].x, y: sites[i].y, w: sites[i].households })), k, rng.fork(seed.t.code));
    const groups: number[][] = Array.from({ length: k }, () => []);
    clusters.forEach((c, j) => groups[c].push(members[j]));
    const centres = groups.map((g) => centroid(sites, g));
    // In a town, the community around the town seat is its residential 社区; the rest are villages (村).
    let seatGroup = -1;
    if (!seed.urban) {
      let bestD = Infinity;
      centres.forEach((c, gi) => {
        const d = (c.x - seed.x) ** 2 + (c.y - seed.y) ** 2;
        if (d < bestD) (bestD = d), (seatGroup = gi);
      });
    }
    let nextCommunity = 1, nextVillage = 200;
    for (const gi of readingOrder(centres)) {
      const name = namer.next();
      const isCommunity = seed.urban || gi === seatGroup;
      const seq = isCommunity ? nextCommunity++ : nextVillage++;
      communities.push({
        code: seed.t.code + String(seq).padStart(3, '0'),
        name: name.stem + (isCommunity ? '社区' : '村'),
        shortName: name.stem,
        nameEn: `${name.pinyin} ${isCommunity ? 'Community' : 'Village'}`,
        type: isCommunity ? '社区' : '村',
        subdistrictCode: seed.t.code,
        sites: groups[gi],
      });
    }
  }
  communities.sort((a, b) => (a.code < b.code ? -1 : 1));

  const weights = communities.map((c) => c.sites.reduce((t, i) => t + sites[i].households * (sites[i].urban ? 1 : RURAL_BLOCK_WEIGHT), 0));
  const quotas = apportion(weights, BLOCK_COUNT);
  const blocks: BlockPlan[] = [];
  const blockOf = new Array<string>(sites.length).fill('');
  communities.forEach((c, ci) => {
    const k = Math.min(quotas[ci], c.sites.length);
    if (k !== quotas[ci]) throw new Error(`community ${c.code} has ${c.sites.length} buildings for ${quotas[ci]} blocks`);
    const parts = bisect(c.sites.map((i) => gridFrame(sites[i])), k);
    const groups: number[][] = Array.from({ length: k }, () => []);
    parts.forEach((p, j) => groups[p].push(c.sites[j]));
    const order = readingOrder(groups.map((g) => centroid(sites, g)));
    order.forEach((gi, seq) => {
      const code = c.code + String(seq + 1).padStart(3, '0');
      blocks.push({ code, name: `${c.name}第${seq + 1}区块`, communityCode: c.code, subdistrictCode: c.subdistrictCode, sites: groups[gi] });
      for (const s of groups[gi]) blockOf[s] = code;
    });
  });
  return { subdistrictOf, communities, blocks, blockOf };
}

const GRID_COS = Math.cos((URBAN_GRID_ANGLE_DEG * Math.PI) / 180);
const GRID_SIN = Math.sin((URBAN_GRID_ANGLE_DEG * Math.PI) / 180);

/** A site in the frame of its own street grid (turned for the city), so bisection cuts run along streets. */
function gridFrame(s: BuildingSite) {
  if (!s.urban) return { x: s.x, y: s.y, w: s.households };
  return { x: s.x * GRID_COS + s.y * GRID_SIN, y: -s.x * GRID_SIN + s.y * GRID_COS, w: s.households };
}

function centroid(sites: readonly BuildingSite[], members: readonly number[]) {
  let x = 0, y = 0, w = 0;
  for (const i of members) {
    x += sites[i].x * sites[i].households;
    y += sites[i].y * sites[i].households;
    w += sites[i].households;
  }
  return { x: x / w, y: y / w };
}
