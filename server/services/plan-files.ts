/**
 * A plan as a file and back. Export: the draft's blocks as an RFC 7946 FeatureCollection (polygons with their codes
 * and names). Import: any boundary file (polygons, a `code` property where known) becomes building membership — each
 * building goes to the polygon that holds its parcel's centroid — and a new draft over the published version; the
 * parcels no polygon holds keep their published block and are reported. A polygon whose `code` is a block code of
 * its buildings' community keeps it (unless that code was retired); any other gets the community's next code.
 */
import type { Feature, FeatureCollection } from 'geojson';
import { BlockLocator } from '../geo/block-locator.ts';
import { centroidOf } from '../geo/plan/shape.ts';
import { BLOCK_CODE, blockName, nextBlockCode } from '../domain/plan/codes.ts';
import type { BlockInfo, PlanDelta } from '../domain/plan/delta.ts';
import { INVALID_FIELD } from '../domain/lifecycle.ts';
import { NOT_FOUND, refuse, refuseField } from '../domain/refusal.ts';
import type { Areal } from '../geo/plan/parcel-topology.ts';
import type { Caller } from '../domain/principal.ts';
import type { PlanService, PlanView } from './plans.ts';

export interface ImportResult {
  plan: PlanView;
  /** Buildings whose parcel centroid no polygon of the file holds (they stay in their published block). */
  unmatched: { building: number; block: string }[];
  /** Features that hold no parcel centroid (ignored), by their index in the file. */
  emptyFeatures: number[];
  blocks: number;
}

export function createPlanFiles(plans: PlanService) {
  const ws = plans.workspace;

  return {
    exportGeoJson(id: number): FeatureCollection {
      const p = plans.internals.row(id);
      const s = plans.internals.sessionOf(p).state;
      return {
        type: 'FeatureCollection',
        features: s.codes().flatMap((code): Feature[] => {
          const g = s.geometry(code);
          if (!g) return [];
          const info = s.info(code);
          return [{ type: 'Feature', id: code, geometry: g, properties: { code, name: info.name, communityCode: info.communityCode, subdistrictCode: info.subdistrictCode } }];
        }),
      };
    },

    importGeoJson(input: { name: string; description: string; geojson: FeatureCollection }, caller: Caller): ImportResult {
      const features = input.geojson.features;
      features.forEach((f, k) => {
        if (!f.geometry || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) {
          throw refuseField(INVALID_FIELD, `Feature ${k} is not a Polygon or MultiPolygon`, `geojson.features[${k}].geometry`, 'must be a Polygon or MultiPolygon');
        }
      });
      const baseId = ws.q.latestVersionId();
      if (baseId === null) throw refuse(NOT_FOUND, 'There is no published boundary version to plan from');
      const base = ws.base(baseId);
      const d = base.district;
      const locator = BlockLocator.build(features.map((f) => f.geometry as Areal));
      const lons = new Float64Array(d.size), lats = new Float64Array(d.size);
      for (let i = 0; i < d.size; i++) [lons[i], lats[i]] = centroidOf(d.parcels[i]);
      const hit = new Int32Array(d.size);
      locator.locateMany(lons, lats, hit);

      // Each feature's buildings, and the community most of them belong to.
      const byFeature = new Map<number, number[]>();
      for (let i = 0; i < d.size; i++) if (hit[i] >= 0) (byFeature.get(hit[i]) ?? byFeature.set(hit[i], []).get(hit[i])!).push(i);
      const taken = new Set<string>([...base.allCodes(), ...base.reserved]);
      const claimed = new Set<string>();
      const created: BlockInfo[] = [];
      const codeOfFeature = new Map<number, string>();
      for (const [k, members] of [...byFeature].sort((a, b) => a[0] - b[0])) {
        const count = new Map<string, number>();
        for (const i of members) count.set(d.communityOf[i], (count.get(d.communityOf[i]) ?? 0) + 1);
        const community = [...count].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0][0];
        const raw = (features[k].properties ?? {}).code;
        const wanted = typeof raw === 'string' && BLOCK_CODE.test(raw) && raw.startsWith(community) ? raw : null;
        let code: string;
        if (wanted && !claimed.has(wanted) && (base.has(wanted) || !taken.has(wanted))) code = wanted;
        else code = nextBlockCode(community, [...taken, ...claimed]);
        claimed.add(code);
        codeOfFeature.set(k, code);
        if (!base.has(code)) {
          const c = d.communities.get(community)!;
          created.push({ code, name: blockName(c.name, code), communityCode: community, subdistrictCode: c.subdistrictCode });
          taken.add(code);
        }
      }
      const moves: PlanDelta['moves'] = [];
      const unmatched: ImportResult['unmatched'] = [];
      const remaining = new Map(base.codes().map((c) => [c, base.members(c).length]));
      for (let i = 0; i < d.size; i++) {
        const from = base.codeOf(i);
        if (hit[i] < 0) {
          unmatched.push({ building: d.ids[i], block: from });
          continue;
        }
        const to = codeOfFeature.get(hit[i])!;
        if (to !== from) moves.push([d.ids[i], from, to]), remaining.set(from, remaining.get(from)! - 1);
      }
      const retired = [...remaining].filter(([c, n]) => n === 0 && !claimed.has(c)).map(([c]) => c).sort();
      const delta: PlanDelta = { kind: 'import', moves, created, retired, summary: `${features.length} polygons, ${moves.length} buildings moved` };
      const plan = plans.createWithDelta(input, baseId, delta, caller);
      return {
        plan,
        unmatched,
        emptyFeatures: features.map((_, k) => k).filter((k) => !byFeature.has(k)),
        blocks: base.codes().length - retired.length + created.length,
      };
    },
  };
}
