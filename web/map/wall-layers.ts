import type { Layer } from '@deck.gl/core';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import { GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { BlockCollection, BlockFeature } from '../../server/contract/api';
import type { LoadedEventColumns } from './event-columns';
import type { RGBA } from './palette';

/**
 * deck.gl layers of the command wall. Every layer has a fixed id, so each animation frame hands deck.gl new layer
 * descriptors with the same ids and it diffs their props: buffers are rebuilt only for the accessors named in
 * `updateTriggers`, and pure animation (the overdue pulse) moves a uniform (`radiusScale`, `opacity`) alone.
 * Sizes are in screen pixels times `scale` (1 at 1920×1080, 2 at 3840×2160), so a 4K wall reads from 5 m.
 * Hotspot outlines and route lines are MapLibre layers under these ids (see wall-lines.ts); the map's labels are
 * HTML under these ids (views/wall/map-labels.tsx).
 */
export const WALL_LAYER_IDS = {
  blocks: 'wall-blocks',
  heat: 'wall-heat',
  hotspots: 'wall-hotspots',
  cases: 'wall-cases',
  pulse: 'wall-pulse',
  routes: 'wall-routes',
  routeHeads: 'wall-route-heads',
  routeLabels: 'wall-route-labels',
  staff: 'wall-staff',
  rings: 'wall-rings',
  hotspotLabels: 'wall-hotspot-labels',
  subdistrictLabels: 'wall-subdistrict-labels',
} as const;

/** SLA countdown colours: before the warning threshold, in warning, past due. */
export const SLA_COLORS = {
  onTrack: [46, 204, 113, 235] as RGBA,
  warning: [255, 184, 0, 245] as RGBA,
  overdue: [255, 59, 48, 255] as RGBA,
};
export const HOTSPOT_COLOR: RGBA = [255, 64, 160, 255];
export const ROUTE_COLOR: RGBA = [64, 200, 255, 255];
export const STAFF_COLOR: RGBA = [150, 235, 255, 120];
export const RING_COLOR: RGBA = [255, 255, 255, 255];
/** Heat ramp (low → high), transparent-free so the map beneath stays readable through the layer's opacity. */
export const HEAT_RANGE: RGBA[] = [
  [37, 52, 148, 255],
  [44, 127, 184, 255],
  [65, 182, 196, 255],
  [161, 218, 180, 255],
  [255, 255, 140, 255],
  [255, 140, 40, 255],
];

/** Block backlog classes: by overdue count first, then by open count. */
export const LOAD_COLORS = {
  none: [0, 0, 0, 0] as RGBA,
  open: [
    [70, 90, 150, 70],
    [95, 105, 190, 110],
    [130, 110, 230, 150],
  ] as RGBA[],
  overdue: [
    [200, 50, 70, 120],
    [225, 40, 60, 165],
    [250, 30, 50, 205],
  ] as RGBA[],
};

export function loadColor(open: number, overdue: number): RGBA {
  if (overdue > 0) return LOAD_COLORS.overdue[overdue >= 4 ? 2 : overdue >= 2 ? 1 : 0];
  if (open > 0) return LOAD_COLORS.open[open >= 4 ? 2 : open >= 2 ? 1 : 0];
  return LOAD_COLORS.none;
}

export function slaColor(now: number, dueAt: number, warningAt: number | null): RGBA {
  if (now >= dueAt) return SLA_COLORS.overdue;
  if (warningAt !== null && now >= warningAt) return SLA_COLORS.warning;
  return SLA_COLORS.onTrack;
}

export function wallBlocksLayer(
  data: BlockCollection,
  counts: Map<string, { open: number; overdue: number }>,
  version: number,
  beforeId: string | undefined,
): Layer {
  return new GeoJsonLayer<BlockFeature['properties']>({
    id: WALL_LAYER_IDS.blocks,
    data,
    filled: true,
    stroked: false,
    pickable: false,
    getFillColor: (f) => {
      const c = counts.get(f.properties.code);
      return c ? loadColor(c.open, c.overdue) : LOAD_COLORS.none;
    },
    updateTriggers: { getFillColor: version },
    ...({ beforeId } as object),
  });
}

export function wallHeatLayer(heat: LoadedEventColumns, scale: number, beforeId: string | undefined): Layer {
  return new HeatmapLayer({
    id: WALL_LAYER_IDS.heat,
    ...heat.layerProps,
    getWeight: 1,
    radiusPixels: 28 * scale,
    intensity: 1.2,
    threshold: 0.06,
    opacity: 0.55,
    colorRange: HEAT_RANGE,
    debounceTimeout: 500,
    weightsTextureSize: 512,
    pickable: false,
    ...({ beforeId } as object),
  });
}

export interface CasePoint {
  lon: number;
  lat: number;
  dueAt: number;
  warningAt: number | null;
}

/** Open cases coloured by their SLA countdown; `colourEpoch` (e.g. the current 10 s) re-evaluates the colours. */
export function wallCasesLayer(data: CasePoint[], now: number, colourEpoch: number, scale: number): Layer {
  return new ScatterplotLayer<CasePoint>({
    id: WALL_LAYER_IDS.cases,
    data,
    radiusUnits: 'pixels',
    getRadius: 5 * scale,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 1.2 * scale,
    getLineColor: [10, 14, 25, 255],
    getPosition: (d) => [d.lon, d.lat],
    getFillColor: (d) => slaColor(now, d.dueAt, d.warningAt),
    updateTriggers: { getFillColor: colourEpoch },
  });
}

/** The overdue pulse: only `radiusScale` and `opacity` change per frame (uniforms, no buffer rebuild). */
export function wallPulseLayer(data: CasePoint[], phase: number, scale: number): Layer {
  return new ScatterplotLayer<CasePoint>({
    id: WALL_LAYER_IDS.pulse,
    data,
    radiusUnits: 'pixels',
    getRadius: 6 * scale,
    radiusScale: 1 + 2.2 * phase,
    opacity: 0.9 * (1 - phase),
    filled: false,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 2.5 * scale,
    getLineColor: SLA_COLORS.overdue,
    getPosition: (d) => [d.lon, d.lat],
  });
}

/**
 * One font for every wall label: deck.gl keys its glyph atlas by font family, weight and settings, so the three
 * label layers share one atlas and one program. (A second weight built a second atlas; the hotspot labels'
 * background boxes needed a program of their own: the dark outline keeps them readable without it.)
 */

export interface RingPoint {
  lon: number;
  lat: number;
  /** 0 at birth … 1 at the end of the animation. */
  age: number;
}

export function wallRingsLayer(data: RingPoint[], frame: number, scale: number): Layer {
  return new ScatterplotLayer<RingPoint>({
    id: WALL_LAYER_IDS.rings,
    data,
    radiusUnits: 'pixels',
    getRadius: (d) => (8 + 52 * d.age) * scale,
    filled: true,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 3 * scale,
    getFillColor: (d) => [255, 255, 255, Math.round(60 * (1 - d.age))],
    getLineColor: (d) => [RING_COLOR[0], RING_COLOR[1], RING_COLOR[2], Math.round(255 * (1 - d.age * 0.85))],
    getPosition: (d) => [d.lon, d.lat],
    updateTriggers: { getRadius: frame, getFillColor: frame, getLineColor: frame },
  });
}

/** A responder on the way: where the moving head is now. */
export interface RoutePath {
  head: [number, number];
}

export function wallRouteHeadLayer(data: RoutePath[], frame: number, scale: number): Layer {
  return new ScatterplotLayer<RoutePath>({
    id: WALL_LAYER_IDS.routeHeads,
    data,
    radiusUnits: 'pixels',
    getRadius: 8 * scale,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 2.5 * scale,
    getLineColor: [255, 255, 255, 255],
    getFillColor: ROUTE_COLOR,
    getPosition: (d) => d.head,
    updateTriggers: { getPosition: frame },
  });
}

export function wallStaffLayer(data: { lon: number; lat: number }[], version: number, scale: number): Layer {
  return new ScatterplotLayer<{ lon: number; lat: number }>({
    id: WALL_LAYER_IDS.staff,
    data,
    radiusUnits: 'pixels',
    getRadius: 1.5 * scale,
    radiusMinPixels: 1.5,
    getFillColor: STAFF_COLOR,
    getPosition: (d) => [d.lon, d.lat],
    updateTriggers: { getPosition: version },
  });
}

