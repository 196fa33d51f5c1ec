import type { Layer } from '@deck.gl/core';
import { MapboxOverlay } from '@deck.gl/mapbox';
import maplibregl, { type GeoJSONSource, type Map as MlMap, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { createSignal, onCleanup, type Accessor } from 'solid-js';
import type { Theme } from './palette';
import { basemapPaint } from './style';

/**
 * The one MapLibre + deck.gl setup of the app's maps (overview, console, wall): a MapLibre map with our settings
 * (no attribution, no rotation, no label fading), deck.gl interleaved into it as one overlay, errors to the console,
 * frames counted, and everything released when the owning component goes. Each view adds its own data and layers.
 */
export interface MapShellOptions {
  style: StyleSpecification | string;
  center: [number, number];
  zoom: number;
  /** Pan and zoom by hand (default true; a kiosk wall turns it off). */
  interactive?: boolean;
  /** Zoom buttons and a scale bar (default true). */
  controls?: boolean;
  /** Arrow keys pan the map (default true; the console keeps its keys for itself). */
  keyboard?: boolean;
  /** deck.gl layers to start with. */
  layers?: Layer[];
  /** Style additions once the style has loaded, before styleLoaded turns true (so effects waiting on it see them). */
  onLoad?: (map: MlMap) => void;
}

export interface MapShell {
  /** Creates the map in `container` (from onMount, once the container is in the document); returns it. */
  mount(container: HTMLElement, options: MapShellOptions): MlMap;
  /** The map, once mounted. */
  map(): MlMap | undefined;
  /** The style is parsed: its sources exist and take data (MapLibre's 'style.load'). */
  styleParsed: Accessor<boolean>;
  /** Every source tiled and drawn once (MapLibre's 'load'; after the view's own onLoad). */
  styleLoaded: Accessor<boolean>;
  /** Frames rendered so far. */
  frames(): number;
  /** Puts data into a GeoJSON source of the style; false when the style has no such source (yet). */
  setSource(name: string, data: GeoJSON.GeoJSON): boolean;
  setLayers(layers: Layer[]): void;
  /** The basemap's colours for a theme, on the live style (no rebuild). */
  applyTheme(theme: Theme): void;
}

/** Call in the component's body: the signals exist from the start, the map from mount(); both go with the component. */
export function createMapShell(): MapShell {
  let map: MlMap | undefined;
  let overlay: MapboxOverlay | undefined;
  let frames = 0;
  const [styleParsed, setStyleParsed] = createSignal(false);
  const [styleLoaded, setStyleLoaded] = createSignal(false);

  onCleanup(() => {
    overlay?.finalize();
    map?.remove();
  });

  return {
    mount(container, options) {
      const m = new maplibregl.Map({
        container,
        style: options.style,
        center: options.center,
        zoom: options.zoom,
        attributionControl: false,
        interactive: options.interactive ?? true,
        dragRotate: false,
        pitchWithRotate: false,
        fadeDuration: 0,
      });
      map = m;
      m.touchZoomRotate.disableRotation();
      if (options.keyboard === false) m.keyboard.disable();
      if (options.controls ?? true) {
        m.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
        m.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
      }
      overlay = new MapboxOverlay({ interleaved: true, layers: options.layers ?? [] });
      m.addControl(overlay);
      m.on('style.load', () => setStyleParsed(true));
      m.on('load', () => {
        options.onLoad?.(m);
        setStyleLoaded(true);
      });
      m.on('render', () => frames++);
      // Errors are not swallowed: they reach the console (and so the browser tests).
      m.on('error', (e) => console.error(`map error: ${e.error?.message ?? e.error} ${e.error?.stack ?? ''}`));
      return m;
    },
    map: () => map,
    styleParsed,
    styleLoaded,
    frames: () => frames,
    setSource(name, data) {
      const source = map?.getSource(name) as GeoJSONSource | undefined;
      source?.setData(data);
      return source !== undefined;
    },
    setLayers: (layers) => overlay?.setProps({ layers }),
    applyTheme(theme) {
      if (!map) return;
      for (const [id, paint] of Object.entries(basemapPaint(theme))) {
        if (!map.getLayer(id)) continue;
        for (const [prop, value] of Object.entries(paint)) map.setPaintProperty(id, prop, value);
      }
    },
  };
}
