/**
 * The wall's URL options, read once at start-up (a kiosk screen is configured by its link):
 *
 * - `?kiosk=1`: no navigation header, nothing to click (a display nobody logs into).
 * - `?token=…`: a read-only display token, sent with every API request as `Authorization: Bearer …`.
 * - `?window=24h|7d|30d|cycle`: the heatmap's time window (default 7d; `cycle` turns through the three).
 * - `?tour=0`: no automatic tour through the subdistricts (default on).
 * - `?motion=0`: no continuous animation (pulse, moving route heads, expanding rings are drawn still); tests and
 *   slow screens. `?fps=N` caps the animation frame rate (default 8).
 * - `?hotspotDays=N`: the window of the overdue hotspots (default 90 days).
 */
export type HeatWindow = '24h' | '7d' | '30d';
export const HEAT_WINDOWS: readonly HeatWindow[] = ['24h', '7d', '30d'];
export const WINDOW_MS: Record<HeatWindow, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

export interface WallParams {
  kiosk: boolean;
  token: string | null;
  window: HeatWindow | 'cycle';
  tour: boolean;
  motion: boolean;
  fps: number;
  hotspotDays: number;
}

const off = (v: string | null) => v === '0' || v === 'false' || v === 'off' || v === 'no';
const on = (v: string | null) => v === '1' || v === 'true' || v === 'on' || v === 'yes';

export function readWallParams(search = location.search): WallParams {
  const q = new URLSearchParams(search);
  const w = q.get('window');
  const fps = Number(q.get('fps'));
  const days = Number(q.get('hotspotDays'));
  return {
    kiosk: on(q.get('kiosk')),
    token: q.get('token') || null,
    window: w === 'cycle' || (HEAT_WINDOWS as readonly string[]).includes(w ?? '') ? (w as HeatWindow | 'cycle') : '7d',
    tour: !off(q.get('tour')),
    motion: !off(q.get('motion')),
    fps: Number.isFinite(fps) && fps >= 1 && fps <= 30 ? fps : 8,
    hotspotDays: Number.isInteger(days) && days >= 1 && days <= 3660 ? days : 90,
  };
}
