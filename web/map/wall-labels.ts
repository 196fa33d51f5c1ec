/**
 * The wall's placed labels: hotspot labels (place, governor, counts) and the ETA of each responder on the way. They
 * are placed together in screen space (label-placement.ts) so that none covers another; a route's ETA hidden under
 * a hotspot label tells the room nothing. They are drawn as HTML over the map (views/wall/map-labels.tsx), not as
 * WebGL text: crisp at any scale, and no text program for software WebGL to build before the first full render
 * (about 0.8 s of it, measured by leaving the text layers out).
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

/** Type size, weight, line height and box padding of a label kind at a wall scale (1 at 1920×1080), in pixels. */
export interface LabelMetrics {
  size: number;
  weight: number;
  lineHeight: number;
  padX: number;
  padY: number;
  gap: number;
}

export const LABEL_WEIGHT = 700;

export function hotspotLabelMetrics(scale: number): LabelMetrics {
  return { size: 18 * scale, weight: LABEL_WEIGHT, lineHeight: 1.25, padX: 8 * scale, padY: 4 * scale, gap: 10 * scale };
}

export function routeLabelMetrics(scale: number): LabelMetrics {
  return { size: 17 * scale, weight: LABEL_WEIGHT, lineHeight: 1.25, padX: 7 * scale, padY: 3 * scale, gap: 10 * scale };
}

/** Subdistrict names, centred on their areas (no box: they name the ground, not a finding). */
export function areaLabelSize(scale: number): number {
  return 16 * scale;
}

/** Height in pixels of a label box of `lines` lines. */
export function labelHeight(m: LabelMetrics, lines: number): number {
  return m.size * m.lineHeight * lines + 2 * m.padY;
}
