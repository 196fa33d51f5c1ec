import { FONT_FAMILY } from './layers';

let measurer: CanvasRenderingContext2D | null = null;

/** Width in CSS pixels of one line of text in the map label font, measured by the browser's own text metrics. */
export function textWidth(text: string, sizePx: number, weight: number): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * sizePx;
  measurer.font = `${weight} ${sizePx}px ${FONT_FAMILY}`;
  return measurer.measureText(text).width;
}
