import type { Layer } from '@deck.gl/core';
import { SolidPolygonLayer, TextLayer } from '@deck.gl/layers';
import type { RGBA } from './palette';
import { LABEL_FONT, ROUTE_COLOR, WALL_LAYER_IDS } from './wall-layers';

/**
 * The wall's placed labels: hotspot labels (place, governor, counts) and the ETA of each responder on the way. Both
 * sit on dark boxes beside their anchor, placed together in screen space so that none covers another; a route's ETA
 * hidden under a hotspot label (as it was when each kind was drawn on its own) tells the room nothing.
 */

/** A label placed beside its anchor: `offset` is where its text starts, `box` its backing box; both null if left off. */
export interface PlacedLabel {
  position: [number, number];
  offset: [number, number] | null;
  /** The label's backing box in pixels from its anchor [x0, y0, x1, y1] (with the offset), when shown. */
  box: [number, number, number, number] | null;
}

export interface HotspotLabel extends PlacedLabel {
  title: string;
  detail: string;
}

export interface RouteLabel extends PlacedLabel {
  /** "name · about N min" or "name has arrived". */
  text: string;
}

/** Type size, line height and box padding of a label kind at a wall scale (1 at 1920×1080), in pixels. */
export interface LabelMetrics {
  size: number;
  weight: number;
  lineHeight: number;
  padX: number;
  padY: number;
  gap: number;
}

export function hotspotLabelMetrics(scale: number): LabelMetrics {
  return { size: 18 * scale, weight: LABEL_FONT.fontWeight, lineHeight: 1.25, padX: 8 * scale, padY: 4 * scale, gap: 10 * scale };
}

export function routeLabelMetrics(scale: number): LabelMetrics {
  return { size: 17 * scale, weight: LABEL_FONT.fontWeight, lineHeight: 1.25, padX: 7 * scale, padY: 3 * scale, gap: 10 * scale };
}

/** Height in pixels of a label box of `lines` lines. */
export function labelHeight(m: LabelMetrics, lines: number): number {
  return m.size * m.lineHeight * lines + 2 * m.padY;
}

/** Box fills: hotspot labels on dark plum, route ETAs on dark navy (each tinted toward its own line colour). */
export const LABEL_BOX_FILL = { hotspot: [20, 6, 22, 200], route: [4, 16, 34, 215] } as const satisfies Record<string, RGBA>;

/** Leader lines from a displaced label back to its anchor, in the label's text colour. */
export const LABEL_LEADER_FILL = { hotspot: [255, 170, 215, 220], route: [ROUTE_COLOR[0], ROUTE_COLOR[1], ROUTE_COLOR[2], 230] } as const satisfies Record<string, RGBA>;

/** A backing box or a leader line, as a polygon ring (lon/lat) with its fill. */
export interface LabelBox {
  ring: [number, number][];
  fill: RGBA;
}

/**
 * Dark boxes behind the placed labels and their leader lines, as polygons (rings from label-boxes.ts). Default SolidPolygonLayer settings,
 * as the block choropleth's GeoJsonLayer fills its features with: both compile to one shader.
 */
export function wallLabelBoxLayer(boxes: LabelBox[]): Layer {
  return new SolidPolygonLayer<LabelBox>({
    id: WALL_LAYER_IDS.labelBoxes,
    data: boxes,
    getPolygon: (d) => d.ring,
    filled: true,
    extruded: false,
    getFillColor: (d) => d.fill,
    pickable: false,
  });
}

/** Text of placed labels, starting at each label's offset; labels left off (no offset) are not drawn. */
function placedTextLayer<L extends PlacedLabel>(id: string, data: L[], m: LabelMetrics, color: RGBA, text: (d: L) => string): Layer {
  return new TextLayer<L>({
    id,
    data: data.filter((d) => d.offset !== null),
    ...LABEL_FONT,
    outlineColor: [5, 10, 20, 255],
    getPosition: (d) => d.position,
    getText: text,
    getSize: m.size,
    lineHeight: m.lineHeight,
    sizeUnits: 'pixels',
    getColor: color,
    getTextAnchor: 'start',
    getAlignmentBaseline: 'center',
    getPixelOffset: (d) => d.offset ?? [0, 0],
    updateTriggers: {
      getText: data.map(text).join(';'),
      getPixelOffset: data.map((d) => d.offset?.join(',')).join(';'),
    },
  });
}

export function wallHotspotLabelLayer(data: HotspotLabel[], scale: number): Layer {
  return placedTextLayer(WALL_LAYER_IDS.hotspotLabels, data, hotspotLabelMetrics(scale), [255, 170, 215, 255], (d) => `${d.title}\n${d.detail}`);
}

export function wallRouteLabelLayer(data: RouteLabel[], scale: number): Layer {
  return placedTextLayer(WALL_LAYER_IDS.routeLabels, data, routeLabelMetrics(scale), ROUTE_COLOR, (d) => d.text);
}
