import type { MultiPolygon, Polygon, LineString, FeatureCollection } from 'geojson';

/** [longitude, latitude] in WGS-84 degrees. */
export type LonLat = [number, number];

/** The output of the deterministic district generator: everything no public data gives, plus the real outline. */
export interface GeneratedDistrict {
  district: { code: string; name: string; nameEn: string; geometry: MultiPolygon; center: LonLat };
  subdistricts: GeneratedSubdistrict[];
  communities: GeneratedCommunity[];
  buildings: GeneratedBuilding[];
  blocks: GeneratedBlock[];
  roads: GeneratedRoad[];
  /** Real water of the Xiang river inside the map extent (WGS-84), for the basemap. */
  water: FeatureCollection;
  /** Real river centre lines (WGS-84), for the basemap. */
  rivers: FeatureCollection;
  /** Planted problem areas for the seeded event history (documented in geodata/SOURCES.md). */
  hotspots: PlantedHotspot[];
}

export interface GeneratedSubdistrict {
  code: string; // 9 digits
  name: string; // 广场街道
  shortName: string; // 广场
  nameEn: string; // Guangchang Subdistrict
  type: '街道' | '镇' | '乡';
  urban: boolean;
  geometry: Polygon | MultiPolygon;
  center: LonLat;
}

export interface GeneratedCommunity {
  code: string; // 12 digits
  name: string; // 白石社区
  shortName: string;
  nameEn: string;
  type: '社区' | '村';
  subdistrictCode: string;
  geometry: Polygon | MultiPolygon;
  center: LonLat;
}

export interface GeneratedBuilding {
  id: number; // 1-based, stable
  lon: number;
  lat: number;
  parcel: Polygon | MultiPolygon;
  households: number;
  residents: number;
  floors: number;
  communityCode: string;
  blockCode: string;
}

export interface GeneratedBlock {
  code: string; // 15 digits: community code + 3-digit sequence (west→east, north→south)
  name: string; // 白石社区第3区块
  communityCode: string;
  subdistrictCode: string;
  geometry: Polygon | MultiPolygon;
  households: number;
  residents: number;
  areaM2: number;
  center: LonLat; // a point inside the block
}

export type RoadClass = 'arterial' | 'secondary' | 'street';

export interface GeneratedRoad {
  id: number;
  name: string;
  class: RoadClass;
  speedKmh: number;
  oneway: boolean;
  geometry: LineString;
}

export interface PlantedHotspot {
  id: string;
  /** The block at its centre. */
  blockCode: string;
  center: LonLat;
  radiusM: number;
  /** Extra weight relative to the population-proportional rate. */
  intensity: number;
  /** Category codes that pile up there. */
  categories: string[];
  description: string;
}
