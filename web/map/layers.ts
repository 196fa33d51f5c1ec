import type { Layer, PickingInfo } from '@deck.gl/core';
import { GeoJsonLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { BlockCollection, BlockFeature } from '../../server/contract/api';
import type { EventPoints } from './events';
import type { Label } from './labels';
import { choroplethColor, PALETTES, type Palette, type RGBA, type Theme } from './palette';

/**
 * deck.gl layer factories: small pure functions of data and state. Ids are stable, so deck.gl diffs props and keeps
 * GPU buffers across updates; colour accessors change only through `updateTriggers`.
 */

export const LAYER_IDS = {
  blocks: 'blocks',
  events: 'events',
  labelsSubdistricts: 'labels-subdistricts',
  labelsCommunities: 'labels-communities',
  labelsRoads: 'labels-roads',
  labelsWater: 'labels-water',
} as const;

export const FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** Zoom ranges in which each label family shows (min inclusive, max exclusive). */
export const LABEL_ZOOMS = {
  subdistricts: [0, 14],
  communities: [12.5, 24],
  roads: [14, 24],
  water: [0, 24],
} as const;

const EVENT_RADIUS_PX = 3.5;

export interface BlocksLayerProps {
  data: BlockCollection;
  visible: boolean;
  theme: Theme;
  beforeId?: string;
  onHover: (info: PickingInfo<BlockFeature>) => void;
  onClick: (info: PickingInfo<BlockFeature>) => void;
}

export function blocksLayer({ data, visible, theme, beforeId, onHover, onClick }: BlocksLayerProps): Layer {
  return new GeoJsonLayer<BlockFeature['properties']>({
    id: LAYER_IDS.blocks,
    data,
    visible,
    filled: true,
    stroked: false,
    pickable: true,
    autoHighlight: true,
    highlightColor: PALETTES[theme].highlight,
    getFillColor: (f) => choroplethColor(f.properties.open, f.properties.residents),
    onHover,
    onClick,
    ...({ beforeId } as object),
  });
}

export function eventsLayer(points: EventPoints, visible: boolean, onHover: (info: PickingInfo) => void): Layer {
  return new ScatterplotLayer({
    id: LAYER_IDS.events,
    data: points,
    visible,
    pickable: true,
    radiusUnits: 'pixels',
    getRadius: EVENT_RADIUS_PX,
    radiusMinPixels: 2,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 0.6,
    getLineColor: [255, 255, 255, 200],
    onHover,
  });
}

interface LabelStyle {
  id: string;
  size: number;
  color: (p: Palette) => RGBA;
  weight: number;
  angle: boolean;
}

const LABEL_STYLES = {
  subdistricts: { id: LAYER_IDS.labelsSubdistricts, size: 15, color: (p) => p.labelSubdistrict, weight: 600, angle: false },
  communities: { id: LAYER_IDS.labelsCommunities, size: 12, color: (p) => p.labelCommunity, weight: 400, angle: false },
  roads: { id: LAYER_IDS.labelsRoads, size: 11, color: (p) => p.labelRoad, weight: 400, angle: true },
  water: { id: LAYER_IDS.labelsWater, size: 14, color: (p) => p.labelWater, weight: 400, angle: true },
} satisfies Record<keyof typeof LABEL_ZOOMS, LabelStyle>;

export type LabelKind = keyof typeof LABEL_STYLES;

export function labelLayer(
  kind: LabelKind,
  data: readonly Label[],
  visible: boolean,
  theme: Theme,
  english: boolean,
): Layer {
  const style: LabelStyle = LABEL_STYLES[kind];
  const palette = PALETTES[theme];
  return new TextLayer<Label>({
    id: style.id,
    data,
    visible,
    characterSet: 'auto',
    fontFamily: FONT_FAMILY,
    fontWeight: style.weight,
    fontSettings: { sdf: true, fontSize: 40, buffer: 6 },
    outlineWidth: 3,
    outlineColor: palette.labelHalo,
    getPosition: (d) => d.position,
    getText: (d) => (english ? d.nameEn : d.name),
    getAngle: (d) => (style.angle ? d.angle : 0),
    getSize: style.size,
    sizeUnits: 'pixels',
    getColor: style.color(palette),
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'center',
    updateTriggers: { getText: english, getColor: theme },
  });
}
