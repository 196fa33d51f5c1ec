import { createMemo, Index, Show, type Accessor, type JSX } from 'solid-js';
import { leaderEnd } from '../../map/label-placement';
import { FONT_FAMILY } from '../../map/layers';
import {
  areaLabelSize, hotspotLabelMetrics, LABEL_WEIGHT, routeLabelMetrics, type HotspotLabel, type LabelMetrics, type PlacedLabel, type RouteLabel,
} from '../../map/wall-labels';
import { WALL_LAYER_IDS } from '../../map/wall-layers';

type Project = (lngLat: [number, number]) => { x: number; y: number };

export interface AreaName {
  position: [number, number];
  text: string;
}

/** Labels in the DOM that the wall reports as layers (each is a container with this data-layer). */
export const WALL_DOM_LAYERS = [WALL_LAYER_IDS.subdistrictLabels, WALL_LAYER_IDS.hotspotLabels, WALL_LAYER_IDS.routeLabels] as const;

function boxStyle(l: PlacedLabel, p: { x: number; y: number }, m: LabelMetrics): JSX.CSSProperties {
  const [x0, y0, x1, y1] = l.box!;
  return {
    transform: `translate(${(p.x + x0).toFixed(1)}px, ${(p.y + y0).toFixed(1)}px)`,
    width: `${(x1 - x0).toFixed(1)}px`,
    height: `${(y1 - y0).toFixed(1)}px`,
    padding: `${m.padY}px ${m.padX}px`,
    'font-size': `${m.size}px`,
    'line-height': String(m.lineHeight),
  };
}

/** One kind of placed label: a box per label that has a place, reused by index. */
function PlacedLabels<L extends PlacedLabel>(props: {
  id: string;
  class: string;
  labels: Accessor<L[]>;
  project: Project;
  metrics: LabelMetrics;
  children: (label: L) => JSX.Element;
}): JSX.Element {
  return (
    <div data-layer={props.id}>
      <Index each={props.labels()}>
        {(l) => (
          <Show when={l().box}>
            <div class={props.class} style={boxStyle(l(), props.project(l().position), props.metrics)}>
              {props.children(l())}
            </div>
          </Show>
        )}
      </Index>
    </div>
  );
}

/**
 * The wall's map labels as HTML over the map canvas: subdistrict names, hotspot labels and route ETAs on their
 * boxes, and a leader line from each label moved away from its anchor. Labels are placed by createWallLabels; here
 * they follow the map on every frame of a move (`project` changes with it). Rows are reused by index, so the DOM
 * holds at most one element per label and never grows.
 */
export function WallMapLabels(props: {
  project: Accessor<Project | null>;
  scale: Accessor<number>;
  areas: Accessor<AreaName[]>;
  hotspots: Accessor<HotspotLabel[]>;
  routes: Accessor<RouteLabel[]>;
}): JSX.Element {
  const hm = () => hotspotLabelMetrics(props.scale());
  const rm = () => routeLabelMetrics(props.scale());
  const leaders = createMemo(() => {
    const project = props.project();
    if (!project) return [];
    const s = props.scale();
    const out: { kind: 'hotspot' | 'route'; x1: number; y1: number; x2: number; y2: number }[] = [];
    const add = (l: PlacedLabel, kind: 'hotspot' | 'route', reach: number) => {
      if (!l.box) return;
      const end = leaderEnd({ x: 0, y: 0 }, l.box, reach);
      if (!end) return;
      const p = project(l.position);
      out.push({ kind, x1: p.x, y1: p.y, x2: p.x + end.x, y2: p.y + end.y });
    };
    for (const l of props.hotspots()) add(l, 'hotspot', 1.5 * hotspotLabelMetrics(s).gap);
    for (const l of props.routes()) add(l, 'route', 1.5 * routeLabelMetrics(s).gap);
    return out;
  });
  return (
    <Show when={props.project()}>
      {(project) => (
        <div class="wall-map-labels" style={{ 'font-family': FONT_FAMILY, 'font-weight': LABEL_WEIGHT }}>
          <div data-layer={WALL_LAYER_IDS.subdistrictLabels}>
            <Index each={props.areas()}>
              {(a) => {
                const p = () => project()(a().position);
                return (
                  <div class="wall-area-label" style={{ transform: `translate(${p().x.toFixed(1)}px, ${p().y.toFixed(1)}px) translate(-50%, -50%)`, 'font-size': `${areaLabelSize(props.scale())}px` }}>
                    {a().text}
                  </div>
                );
              }}
            </Index>
          </div>
          <svg class="wall-leaders" stroke-width={2 * props.scale()}>
            <Index each={leaders()}>
              {(l) => <line class={l().kind} x1={l().x1} y1={l().y1} x2={l().x2} y2={l().y2} />}
            </Index>
          </svg>
          <PlacedLabels id={WALL_LAYER_IDS.hotspotLabels} class="wall-hotspot-label" labels={props.hotspots} project={project()} metrics={hm()}>
            {(l) => (
              <>
                <div>{l.title}</div>
                <div>{l.detail}</div>
              </>
            )}
          </PlacedLabels>
          <PlacedLabels id={WALL_LAYER_IDS.routeLabels} class="wall-route-label" labels={props.routes} project={project()} metrics={rm()}>
            {(l) => l.text}
          </PlacedLabels>
        </div>
      )}
    </Show>
  );
}
