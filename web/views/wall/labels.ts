import { createMemo, type Accessor } from 'solid-js';
import { t } from '../../i18n';
import { placeLabels, polylineBoxes, type Box } from '../../map/label-placement';
import { textWidth } from '../../map/text-width';
import {
  hotspotLabelMetrics, labelHeight, routeLabelMetrics, type HotspotLabel, type LabelMetrics, type PlacedLabel, type RouteLabel,
} from '../../map/wall-labels';
import type { HotspotAnswer } from './api';
import type { RouteState } from './store';
import { geometryBounds } from './tour';
import { minutesLeft, routeProgress } from './route-progress';

type Projector = { project(lngLat: [number, number]): { x: number; y: number } };

export interface WallLabelInputs {
  /** The map once its style is parsed (null before): labels are placed in its screen space. */
  map: Accessor<Projector | null>;
  scale: Accessor<number>;
  hotspots: Accessor<HotspotAnswer | null>;
  routes: Accessor<readonly RouteState[]>;
  /** Changes when a move ends: labels are placed again (during a move they keep their pixel offsets). */
  viewEpoch: Accessor<number>;
  /** Changes every few seconds: ETA texts are rewritten (not on every animation frame). */
  labelEpoch: Accessor<number>;
}

/** Sets `offset` and `box` of each label from its placement; the text starts one padding inside its box. */
function applyPlacement<L extends PlacedLabel>(labels: L[], widths: number[], m: LabelMetrics, lines: number, offsets: ([number, number] | null)[]): void {
  const height = labelHeight(m, lines);
  labels.forEach((l, i) => {
    const o = offsets[i];
    if (!o) return;
    l.offset = [o[0] + m.padX, o[1]];
    l.box = [o[0], o[1] - height / 2, o[0] + widths[i], o[1] + height / 2];
  });
}

/**
 * The wall's hotspot and route labels, placed together: hotspots first (strongest first, as the API orders them),
 * then each responder's ETA at its event, in the space left. Placement is redone when a move ends, when the
 * hotspots or routes change and when the ETAs are rewritten.
 */
export function createWallLabels(input: WallLabelInputs) {
  const placed = createMemo(() => {
    input.viewEpoch();
    input.labelEpoch();
    const s = input.scale();
    const hotspots: HotspotLabel[] = (input.hotspots()?.items ?? []).map((h) => {
      const b = geometryBounds(h.outline);
      return {
        position: (b ? [b[2], (b[1] + b[3]) / 2] : h.center) as [number, number],
        title: t('wall.hotspot.label', {
          place: `${h.subdistrict.name.replace(/街道$/, '')} ${h.block.communityName}`,
          governor: h.governor?.name ?? t('wall.hotspot.noGovernor'),
        }),
        detail: t('wall.hotspot.stats', { n: h.count, z: h.z.toFixed(1) }),
        offset: null,
        box: null,
      };
    });
    const wall = Date.now();
    const routes: RouteLabel[] = input.routes().map((r) => {
      const elapsed = (wall - r.start) / 1000;
      const { done } = routeProgress(r.coordinates, r.times, elapsed);
      return {
        position: r.coordinates[r.coordinates.length - 1],
        text: done ? t('wall.route.arrived', { name: r.staffName }) : t('wall.route.eta', { name: r.staffName, min: minutesLeft(r.etaSeconds, elapsed) }),
        offset: null,
        box: null,
      };
    });
    const map = input.map();
    if (!map) return { hotspots, routes };
    const hm = hotspotLabelMetrics(s);
    const rm = routeLabelMetrics(s);
    const hWidths = hotspots.map((l) => Math.max(textWidth(l.title, hm.size, hm.weight), textWidth(l.detail, hm.size, hm.weight)) + 2 * hm.padX);
    const rWidths = routes.map((l) => textWidth(l.text, rm.size, rm.weight) + 2 * rm.padX);
    // The routes under way stay in sight: labels keep off their lines where they can.
    const obstacles: Box[] = input.routes().flatMap((r) => polylineBoxes(r.coordinates.map((c) => map.project(c)), 4 * s));
    const offsets = placeLabels(
      [
        ...hotspots.map((l, i) => ({ anchor: map.project(l.position), width: hWidths[i], height: labelHeight(hm, 2) })),
        ...routes.map((l, i) => ({ anchor: map.project(l.position), width: rWidths[i], height: labelHeight(rm, 1) })),
      ],
      Math.max(hm.gap, rm.gap),
      obstacles,
    );
    applyPlacement(hotspots, hWidths, hm, 2, offsets.slice(0, hotspots.length));
    applyPlacement(routes, rWidths, rm, 1, offsets.slice(hotspots.length));
    return { hotspots, routes };
  });

  return { hotspots: () => placed().hotspots, routes: () => placed().routes };
}
