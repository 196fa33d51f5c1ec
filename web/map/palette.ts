/** Colours of both map themes and the choropleth classes. One place, so the legend and the layers agree. */
export type Theme = 'light' | 'dark';
export type RGBA = [number, number, number, number];

export interface Palette {
  background: string;
  districtFill: string;
  districtLine: string;
  water: string;
  river: string;
  subdistrictLine: string;
  communityLine: string;
  roadArterial: string;
  roadSecondary: string;
  roadStreet: string;
  roadCasing: string;
  blockOutline: string;
  blockSelectedLine: string;
  highlight: RGBA;
  labelSubdistrict: RGBA;
  labelCommunity: RGBA;
  labelRoad: RGBA;
  labelWater: RGBA;
  labelHalo: RGBA;
}

export const PALETTES: Record<Theme, Palette> = {
  light: {
    background: '#e9edf1',
    districtFill: '#f7f6f1',
    districtLine: '#5b6577',
    water: '#a8cbe9',
    river: '#6fa5d8',
    subdistrictLine: '#7a6a9e',
    communityLine: '#b3abc6',
    roadArterial: '#d9963c',
    roadSecondary: '#c9b08c',
    roadStreet: '#d3cabb',
    roadCasing: '#ffffff',
    blockOutline: 'rgba(90, 100, 120, 0.55)',
    blockSelectedLine: '#1458c8',
    highlight: [30, 110, 220, 90],
    labelSubdistrict: [52, 40, 92, 255],
    labelCommunity: [85, 80, 110, 255],
    labelRoad: [105, 90, 60, 255],
    labelWater: [40, 95, 160, 255],
    labelHalo: [255, 255, 255, 230],
  },
  dark: {
    background: '#070c17',
    districtFill: '#0f1729',
    districtLine: '#7b8cb2',
    water: '#143458',
    river: '#2b6198',
    subdistrictLine: '#8e9fd0',
    communityLine: '#34446a',
    roadArterial: '#c9a46a',
    roadSecondary: '#7d89a8',
    roadStreet: '#4a5675',
    roadCasing: '#050a14',
    blockOutline: 'rgba(140, 160, 200, 0.45)',
    blockSelectedLine: '#5ac8ff',
    highlight: [120, 200, 255, 90],
    labelSubdistrict: [225, 230, 250, 255],
    labelCommunity: [170, 180, 210, 255],
    labelRoad: [200, 180, 140, 255],
    labelWater: [130, 180, 235, 255],
    labelHalo: [7, 12, 23, 220],
  },
};

/**
 * Choropleth classes of open events per 1,000 residents: class 0 is no open event at all, class i ≥ 1 covers
 * (BREAKS[i-2] or 0, BREAKS[i-1]], the last is open-ended. Fixed breaks rather than quantiles, so a colour means the
 * same load on every day and in every district.
 */
export const CHOROPLETH_BREAKS = [0.5, 1, 2, 4] as const;
export const CHOROPLETH_COLORS: readonly RGBA[] = [
  [255, 252, 235, 100],
  [254, 217, 118, 165],
  [254, 178, 76, 175],
  [253, 141, 60, 185],
  [240, 59, 32, 195],
  [189, 0, 38, 205],
];
export const NO_RESIDENTS_COLOR: RGBA = [160, 160, 170, 60];

/** The class index (0…CHOROPLETH_COLORS.length-1) of a rate, or -1 for a block without residents. */
export function choroplethClass(open: number, residents: number): number {
  if (!(residents > 0)) return -1;
  if (open <= 0) return 0;
  const rate = (open * 1000) / residents;
  let i = 1;
  while (i <= CHOROPLETH_BREAKS.length && rate > CHOROPLETH_BREAKS[i - 1]) i++;
  return i;
}

export function choroplethColor(open: number, residents: number): RGBA {
  const i = choroplethClass(open, residents);
  return i < 0 ? NO_RESIDENTS_COLOR : CHOROPLETH_COLORS[i];
}

/** Event point colours by state. */
export const EVENT_COLORS = {
  open: [37, 99, 235, 220] as RGBA,
  overdue: [220, 38, 38, 235] as RGBA,
  closed: [100, 116, 139, 160] as RGBA,
};

export function cssColor([r, g, b, a]: RGBA): string {
  return `rgba(${r}, ${g}, ${b}, ${(a / 255).toFixed(2)})`;
}
