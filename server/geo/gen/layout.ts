/**
 * The hand-placed plan of the generated district, in kilometres east/north of the district seat
 * (112.907 E, 27.861 N in GCJ-02). The urban area follows the west bank of the Xiang, which runs from the
 * south-west to the north-east past the seat; the four rural towns lie to the west and north.
 */
export type Km = [number, number];

/** Axis of the urban area along the river bank; the city is everything within URBAN_RADIUS_KM of it. */
export const URBAN_AXIS_KM: Km[] = [
  [-4.2, -2.2],
  [-1.2, 0.4],
  [3.2, 2.6],
  [5.4, 6.4],
];
export const URBAN_RADIUS_KM = 2.3;

/** Seeds of the township-level units (codes from geodata/townships.json). */
export const UNIT_SEEDS_KM: Record<string, Km> = {
  '430302007': [-4.4, -1.6], // 窑湾: old river-port quarter, south-west along the bank
  '430302002': [-2.4, -0.6], // 城正街: the old town by the river
  '430302001': [-1.6, 1.4], // 雨湖路: around Yuhu lake
  '430302009': [-4.6, 1.6], // 昭潭: west
  '430302005': [0.2, 0.4], // 广场: the district seat's square
  '430302010': [0.4, 3.2], // 先锋: north
  '430302011': [2.6, 1.6], // 万楼: east along the bank
  '430302004': [4.4, 4.8], // 云塘: north-east
  '430302101': [-12.6, -1.4], // 楠竹山镇: south-west
  '430302102': [-14.6, 6.4], // 姜畲镇: west
  '430302202': [-9.1, 15.3], // 长城乡: north-west
  '430302100': [0.2, 10.6], // 鹤岭镇: north
};

/** Grid spacing of building sites: apartment blocks in the city, hamlets in the countryside. */
export const URBAN_SPACING_M = 95;
export const RURAL_SPACING_M = 280;
/** The city grid is turned to follow the river. */
export const URBAN_GRID_ANGLE_DEG = 36;

export const TARGET_RESIDENTS = 600_000;
export const PERSONS_PER_HOUSEHOLD = 2.6;
export const URBAN_RESIDENT_SHARE = 0.73;
export const BLOCK_COUNT = 667;
/** Rural blocks cover more households each: allocation weight of a rural household relative to an urban one. */
export const RURAL_BLOCK_WEIGHT = 0.31;
/** Typical households per community (社区) in the city and per village (村) in the countryside. */
export const URBAN_HOUSEHOLDS_PER_COMMUNITY = 2_400;
export const RURAL_HOUSEHOLDS_PER_VILLAGE = 1_500;
