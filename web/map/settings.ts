/**
 * Deployment options of the map, read once at start-up. Defaults keep every request on the app's own host.
 *
 * - `?style=URL` or VITE_GEZHI_STYLE_URL: an external MapLibre style as the basemap (off by default).
 * - `?gcj=1` or VITE_GEZHI_GCJ02=1: show our WGS-84 layers shifted to GCJ-02, to sit on an Amap/Tencent basemap.
 * - `?theme=dark|light`: start in that theme.
 * - `?animate=1`: allow animated camera moves (off by default: kiosks and tests want a still map).
 */
export interface MapSettings {
  styleUrl: string | null;
  gcj02: boolean;
  theme: 'dark' | 'light' | null;
  animate: boolean;
}

function flag(value: string | null | undefined): boolean {
  return value === '1' || value === 'true' || value === 'yes';
}

export function readMapSettings(search = location.search): MapSettings {
  const q = new URLSearchParams(search);
  const env = import.meta.env;
  const theme = q.get('theme');
  return {
    styleUrl: q.get('style') || (env.VITE_GEZHI_STYLE_URL as string | undefined) || null,
    gcj02: q.has('gcj') ? flag(q.get('gcj')) : flag(env.VITE_GEZHI_GCJ02 as string | undefined),
    theme: theme === 'dark' || theme === 'light' ? theme : null,
    animate: flag(q.get('animate')),
  };
}
