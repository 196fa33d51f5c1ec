import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';

/**
 * The shapes the map reads from the API. The typed client (`hc<AppType>`) checks each response against these, so a
 * change on the server that breaks the map is a type error here rather than a blank map.
 */
export type LonLat = [number, number];

export interface Health {
  status: string;
  version: string;
  schemaVersion: number;
  blocks: number;
  events: number;
  demo: boolean;
  time: string;
}

export interface Area {
  code: string;
  name: string;
  shortName: string;
  nameEn: string;
  type: string;
  urban: boolean;
  parentCode: string | null;
  center: LonLat;
  residents: number;
  households: number;
  blocks: number;
}

export interface Areas {
  district: Area | null;
  subdistricts: Area[];
  communities: Area[];
}

export interface StaffRef {
  id: string | number;
  name: string;
}

export interface Staff extends StaffRef {
  phone: string;
  role: string;
  gender: string;
}

export interface BlockProperties {
  code: string;
  name: string;
  communityCode: string;
  communityName: string;
  subdistrictCode: string;
  subdistrictName: string;
  residents: number;
  households: number;
  areaM2: number;
  governor: StaffRef | null;
  supervisor: StaffRef | null;
  assistants: number;
  open: number;
  overdue: number;
}

export type BlockFeature = Feature<Polygon | MultiPolygon, BlockProperties>;
export type BlockCollection = FeatureCollection<Polygon | MultiPolygon, BlockProperties>;

export interface EventSummary {
  id: string | number;
  caseNo: string;
  kind: string;
  channel: string;
  category: { code: string; name: string };
  status: string;
  priority: string | number;
  tier: string;
  lon: number;
  lat: number;
  blockCode: string | null;
  communityCode: string | null;
  subdistrictCode: string | null;
  reportedAt: string;
  dueAt: string | null;
  closedAt: string | null;
  overdue: boolean;
  assignee: StaffRef | null;
}

export interface EventPage {
  items: EventSummary[];
  nextCursor: string | null;
}

export interface BlockDetail {
  code: string;
  name: string;
  community: { code: string; name: string };
  subdistrict: { code: string; name: string };
  residents: number;
  households: number;
  areaM2: number;
  center: LonLat;
  bbox: [number, number, number, number];
  geometry: Polygon | MultiPolygon;
  team: { governor: Staff | null; assistants: Staff[]; supervisor: Staff | null };
  open: number;
  overdue: number;
  recentEvents: EventSummary[];
}

export const LAYER_NAMES = ['district', 'subdistricts', 'communities', 'roads', 'water', 'rivers'] as const;
export type LayerName = (typeof LAYER_NAMES)[number];

export interface AreaLayerProperties {
  code: string;
  name: string;
  nameEn: string;
  type: string;
  urban: boolean;
  center: LonLat;
}

export interface RoadProperties {
  id: number;
  name: string;
  class: 'arterial' | 'secondary' | 'street';
  speedKmh: number;
  oneway: boolean;
}

export type AnyCollection = FeatureCollection<Geometry, Record<string, unknown>>;
export type BasemapLayers = Record<LayerName, AnyCollection>;
