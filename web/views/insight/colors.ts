import type { RGBA } from '../../map/palette';

/**
 * Gi* confidence bins in the diverging scheme hot-spot maps use (ArcGIS's defaults): reds for hot spots, blues for
 * cold spots, deeper at higher confidence; not significant stays nearly transparent so the basemap reads through.
 */
export const BIN_COLORS: Record<number, RGBA> = {
  3: [215, 48, 39, 215],
  2: [239, 117, 81, 200],
  1: [250, 185, 132, 185],
  0: [200, 200, 200, 40],
  [-1]: [192, 204, 190, 185],
  [-2]: [132, 158, 186, 200],
  [-3]: [69, 117, 181, 215],
};

export const binColor = (bin: number): RGBA => BIN_COLORS[bin] ?? BIN_COLORS[0];

/** Legend order: hot at 99 % first, cold at 99 % last. */
export const BIN_ORDER = [3, 2, 1, 0, -1, -2, -3] as const;
