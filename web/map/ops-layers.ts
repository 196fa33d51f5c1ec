import type { Layer, PickingInfo } from '@deck.gl/core';
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { LonLat } from '../../server/contract/api';
import type { Display } from './display';
import { FONT_FAMILY } from './layers';
import type { RGBA } from './palette';

/**
 * deck.gl layers of the dispatcher's console: the case point, the candidates' positions (numbered by rank) and
 * the road routes of the top candidates, coloured by rank. Pure factories; stable ids.
 */

export const OPS_LAYER_IDS = {
  routes: 'ops-routes',
  candidates: 'ops-candidates',
  ranks: 'ops-candidate-ranks',
  casePoint: 'ops-case',
} as const;

/** Rank colours: 1st blue, 2nd teal, 3rd violet; the rest grey. The candidate list uses the same ones. */
export const RANK_COLORS: readonly RGBA[] = [
  [29, 95, 208, 255],
  [0, 150, 136, 255],
  [142, 68, 173, 255],
];
export const OTHER_COLOR: RGBA = [110, 120, 135, 220];
export const CASE_COLOR: RGBA = [220, 38, 38, 255];
/** A dispatched route (the one actually sent) draws in this colour on top. */
export const SENT_COLOR: RGBA = [234, 88, 12, 255];

export const rankColor = (rank: number): RGBA => RANK_COLORS[rank] ?? OTHER_COLOR;

export interface OpsCandidatePoint {
  rank: number;
  staffId: number;
  name: string;
  position: LonLat;
}

export interface OpsRoute {
  /** Rank of the candidate (0-based), or -1 for a dispatched route. */
  rank: number;
  staffId: number;
  path: LonLat[];
}

export interface OpsLayerData {
  display: Display;
  casePoint: LonLat | null;
  candidates: readonly OpsCandidatePoint[];
  routes: readonly OpsRoute[];
  /** Staff id under the pointer or chosen in the list: drawn larger. */
  focused: number | null;
  onHover?: (info: PickingInfo<OpsCandidatePoint>) => void;
}

const shift = (d: Display, p: LonLat): LonLat => d.point(p[0], p[1]);

export function opsLayers(data: OpsLayerData): Layer[] {
  const d = data.display;
  const layers: Layer[] = [];
  const routes = data.routes.map((r) => ({ ...r, path: d.gcj02 ? r.path.map((p) => shift(d, p)) : r.path }));
  // Lower ranks last so the best route is drawn on top; the dispatched route above all.
  routes.sort((a, b) => (b.rank === -1 ? -1 : a.rank === -1 ? 1 : b.rank - a.rank));
  layers.push(
    new PathLayer<OpsRoute>({
      id: OPS_LAYER_IDS.routes,
      data: routes,
      getPath: (r) => r.path,
      getColor: (r) => (r.rank === -1 ? SENT_COLOR : rankColor(r.rank)),
      getWidth: (r) => (r.rank === -1 ? 7 : r.rank === 0 ? 6 : 4),
      widthUnits: 'pixels',
      widthMinPixels: 2,
      capRounded: true,
      jointRounded: true,
      updateTriggers: { getColor: routes.map((r) => r.rank).join(',') },
    }),
  );
  const points = data.candidates.map((c) => ({ ...c, position: shift(d, c.position) }));
  layers.push(
    new ScatterplotLayer<OpsCandidatePoint>({
      id: OPS_LAYER_IDS.candidates,
      data: points,
      pickable: true,
      radiusUnits: 'pixels',
      getPosition: (c) => c.position,
      getRadius: (c) => (c.staffId === data.focused ? 11 : c.rank < 3 ? 9 : 6),
      getFillColor: (c) => rankColor(c.rank),
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
      getLineColor: [255, 255, 255, 255],
      onHover: data.onHover,
      updateTriggers: { getRadius: data.focused },
    }),
  );
  layers.push(
    new TextLayer<OpsCandidatePoint>({
      id: OPS_LAYER_IDS.ranks,
      data: points.filter((c) => c.rank < 9),
      characterSet: '123456789',
      fontFamily: FONT_FAMILY,
      fontWeight: 700,
      getPosition: (c) => c.position,
      getText: (c) => String(c.rank + 1),
      getSize: 11,
      sizeUnits: 'pixels',
      getColor: [255, 255, 255, 255],
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'center',
    }),
  );
  if (data.casePoint) {
    layers.push(
      new ScatterplotLayer<LonLat>({
        id: OPS_LAYER_IDS.casePoint,
        data: [shift(d, data.casePoint)],
        radiusUnits: 'pixels',
        getPosition: (p) => p,
        getRadius: 10,
        getFillColor: CASE_COLOR,
        stroked: true,
        lineWidthUnits: 'pixels',
        getLineWidth: 3,
        getLineColor: [255, 255, 255, 255],
      }),
    );
  }
  return layers;
}

/** Bounds [w, s, e, n] of the case point, the candidates shown and the routes (for fitting the camera). */
export function opsBounds(casePoint: LonLat | null, points: readonly LonLat[], routes: readonly OpsRoute[]): [number, number, number, number] | null {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = ([x, y]: LonLat) => {
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  };
  if (casePoint) add(casePoint);
  for (const p of points) add(p);
  for (const r of routes) for (const p of r.path) add(p);
  return Number.isFinite(b[0]) ? b : null;
}
