import type { Layer } from '@deck.gl/core';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import { GeoJsonLayer, ScatterplotLayer, SolidPolygonLayer, TextLayer } from '@deck.gl/layers';
import type { BlockCollection, BlockFeature } from '../api/types';
import type { LoadedEventColumns } from './event-columns';
import type { Label } from './labels';
import { FONT_FAMILY } from './layers';
import type { RGBA } from './palette';

/**
 * deck.gl layers of the command wall. Every layer has a fixed id, so each animation frame hands deck.gl new layer
 * descriptors with the same ids and it diffs their props: buffers are rebuilt only for the accessors named in
 * `updateTriggers`, and pure animation (the overdue pulse) moves a uniform (`radiusScale`, `opacity`) alone.
 * Sizes are in screen pixels times `scale` (1 at 1920×1080, 2 at 3840×2160), so a 4K wall reads from 5 m.
 * Hotspot outlines and route lines are MapLibre layers under these ids (see wall-lines.ts).
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
  hotspotLabelBoxes: 'wall-hotspot-label-boxes',
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
const LABEL_FONT = {
  characterSet: 'auto',
  fontFamily: FONT_FAMILY,
  fontWeight: 700,
  fontSettings: { sdf: true, fontSize: 48, buffer: 8 },
  outlineWidth: 4,
} as const;

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

export interface RoutePath {
  head: [number, number];
  label: string;
  end: [number, number];
}

export function wallRouteLayers(data: RoutePath[], frame: number, labelEpoch: number, scale: number): Layer[] {
  return [
    new ScatterplotLayer<RoutePath>({
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
    }),
    new TextLayer<RoutePath>({
      id: WALL_LAYER_IDS.routeLabels,
      data,
      ...LABEL_FONT,
      outlineColor: [5, 10, 20, 255],
      getPosition: (d) => d.end,
      getText: (d) => d.label,
      getSize: 17 * scale,
      sizeUnits: 'pixels',
      getColor: ROUTE_COLOR,
      getPixelOffset: [0, -22 * scale],
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'bottom',
      updateTriggers: { getText: labelEpoch },
    }),
  ];
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

export interface HotspotLabel {
  position: [number, number];
  title: string;
  detail: string;
  /** Screen offset chosen so labels do not overlap (see placeLabels); null: not shown at this view. */
  offset: [number, number] | null;
  /** The label's backing box in pixels from its anchor [x0, y0, x1, y1] (with the offset), when shown. */
  box: [number, number, number, number] | null;
}

/** The geometry of a hotspot label at a wall scale: type size, line height and box padding, in pixels. */
export function hotspotLabelMetrics(scale: number) {
  const size = 18 * scale;
  return { size, weight: LABEL_FONT.fontWeight, lineHeight: 1.25, padX: 8 * scale, padY: 4 * scale, gap: 10 * scale };
}

/**
 * Greedy label placement in screen space: strongest first, each label tried right of its anchor, then left, then
 * stepped down/up; a label that fits nowhere is left off the map (the side list always names every hotspot).
 */
export function placeLabels(
  labels: { anchor: { x: number; y: number }; width: number; height: number }[],
  gap: number,
): ([number, number] | null)[] {
  const boxes: [number, number, number, number][] = [];
  const hit = (b: [number, number, number, number]) => boxes.some((o) => b[0] < o[2] + gap && b[2] + gap > o[0] && b[1] < o[3] + gap && b[3] + gap > o[1]);
  return labels.map(({ anchor, width, height }) => {
    const tries: [number, number][] = [];
    for (const dy of [0, 1, -1, 2, -2, 3, -3]) {
      tries.push([gap, dy * (height + gap)]);
      tries.push([-gap - width, dy * (height + gap)]);
    }
    for (const [dx, dy] of tries) {
      const b: [number, number, number, number] = [anchor.x + dx, anchor.y + dy - height / 2, anchor.x + dx + width, anchor.y + dy + height / 2];
      if (!hit(b)) {
        boxes.push(b);
        return [dx, dy];
      }
    }
    return null;
  });
}

/**
 * Dark boxes behind the hotspot labels, as polygons (rings from label-boxes.ts). Default SolidPolygonLayer settings,
 * as the block choropleth's GeoJsonLayer fills its features with: both compile to one shader.
 */
export function wallHotspotLabelBoxLayer(rings: [number, number][][]): Layer {
  return new SolidPolygonLayer<[number, number][]>({
    id: WALL_LAYER_IDS.hotspotLabelBoxes,
    data: rings,
    getPolygon: (d) => d,
    filled: true,
    extruded: false,
    getFillColor: [20, 6, 22, 200],
    pickable: false,
  });
}

export function wallHotspotLabelLayer(data: HotspotLabel[], scale: number): Layer {
  const m = hotspotLabelMetrics(scale);
  return new TextLayer<HotspotLabel>({
    id: WALL_LAYER_IDS.hotspotLabels,
    data: data.filter((d) => d.offset !== null),
    ...LABEL_FONT,
    outlineColor: [5, 10, 20, 255],
    getPosition: (d) => d.position,
    getText: (d) => `${d.title}\n${d.detail}`,
    getSize: m.size,
    lineHeight: m.lineHeight,
    sizeUnits: 'pixels',
    getColor: [255, 170, 215, 255],
    getTextAnchor: 'start',
    getAlignmentBaseline: 'center',
    getPixelOffset: (d) => d.offset ?? [0, 0],
    updateTriggers: { getPixelOffset: data.map((d) => d.offset?.join(',')).join(';') },
  });
}

export function wallSubdistrictLabelLayer(data: readonly Label[], english: boolean, scale: number): Layer {
  return new TextLayer<Label>({
    id: WALL_LAYER_IDS.subdistrictLabels,
    data,
    ...LABEL_FONT,
    outlineColor: [5, 10, 20, 230],
    getPosition: (d) => d.position,
    getText: (d) => (english ? d.nameEn : d.name),
    getSize: 16 * scale,
    sizeUnits: 'pixels',
    getColor: [200, 210, 235, 230],
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'center',
    updateTriggers: { getText: english },
  });
}
