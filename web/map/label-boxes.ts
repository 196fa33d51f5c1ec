import { FONT_FAMILY } from './layers';

/**
 * Backing boxes of screen-space labels, drawn as map polygons: a box is fixed in pixels around its label, so it is
 * unprojected again whenever the view moves. As polygons they reuse the block choropleth's program, where deck.gl's
 * own text background needed a program of its own (about 0.5 s of the wall's first render under software WebGL).
 */

type Projector = {
  project(lngLat: [number, number]): { x: number; y: number };
  unproject(point: [number, number]): { lng: number; lat: number };
};

let measurer: CanvasRenderingContext2D | null = null;

/** Width in CSS pixels of one line of text, with the canvas metrics deck.gl builds its glyph atlas from. */
export function textWidth(text: string, sizePx: number, weight: number): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * sizePx;
  measurer.font = `${weight} ${sizePx}px ${FONT_FAMILY}`;
  return measurer.measureText(text).width;
}

/**
 * A closed ring (lon/lat) covering the screen box [x0, y0, x1, y1] given in pixels relative to
 * `anchor`; north-up views only (the wall does not rotate or pitch).
 */
export function boxRing(map: Projector, anchor: [number, number], box: [number, number, number, number]): [number, number][] {
  const p = map.project(anchor);
  const sw = map.unproject([p.x + box[0], p.y + box[3]]);
  const ne = map.unproject([p.x + box[2], p.y + box[1]]);
  return [
    [sw.lng, sw.lat],
    [ne.lng, sw.lat],
    [ne.lng, ne.lat],
    [sw.lng, ne.lat],
    [sw.lng, sw.lat],
  ];
}

/**
 * A leader line from `anchor` to the point `to` (pixels relative to the anchor), as a thin closed ring (lon/lat):
 * drawn with the label boxes' polygon program, so it costs no program of its own either.
 */
export function leaderRing(map: Projector, anchor: [number, number], to: { x: number; y: number }, widthPx: number): [number, number][] {
  const p = map.project(anchor);
  const len = Math.hypot(to.x, to.y) || 1;
  const nx = (-to.y / len) * (widthPx / 2);
  const ny = (to.x / len) * (widthPx / 2);
  const at = (x: number, y: number): [number, number] => {
    const q = map.unproject([p.x + x, p.y + y]);
    return [q.lng, q.lat];
  };
  const first = at(nx, ny);
  return [first, at(to.x + nx, to.y + ny), at(to.x - nx, to.y - ny), at(-nx, -ny), first];
}
