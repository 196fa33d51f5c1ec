/**
 * The JSON shapes of the API as the web app reads them. The server's presenters declare their results with these
 * types, so a change on one side that breaks the other is a type error rather than a blank map. Times are ISO 8601
 * with +08:00; coordinates WGS-84 [lon, lat].
 */
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';
import type { Status } from './statuses.ts';

export type LonLat = [lon: number, lat: number];

export interface Health {
  status: 'ok';
  version: string;
  schemaVersion: number;
  boundaryVersion: { id: number; name: string; effectiveFrom: string } | null;
  blocks: number;
  events: number;
  demo: boolean;
  /** The district the database holds (null before any boundaries): the UI's titles name it. */
  district: { code: string; name: string; nameEn: string } | null;
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

export interface PersonRef {
  id: number;
  name: string;
}

export interface Staff extends PersonRef {
  phone: string;
  role: string;
  gender: 'F' | 'M';
}

/** Properties of one feature of GET /api/blocks. */
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
  governor: PersonRef | null;
  supervisor: PersonRef | null;
  assistants: number;
  open: number;
  overdue: number;
}

export type BlockFeature = Feature<Polygon | MultiPolygon, BlockProperties>;
/** GET /api/blocks: RFC 7946 plus the boundary version in force. */
export interface BlockCollection extends FeatureCollection<Polygon | MultiPolygon, BlockProperties> {
  boundaryVersion?: { id: number; name: string } | null;
}

export interface EventSummary {
  id: number;
  caseNo: string;
  kind: string;
  channel: string;
  category: { code: string; name: string };
  status: Status;
  priority: string;
  tier: string;
  lon: number;
  lat: number;
  blockCode: string;
  communityCode: string;
  subdistrictCode: string;
  reportedAt: string;
  /** Null for a case without a deadline (imported from a system that recorded none; contract/deadline.ts). */
  dueAt: string | null;
  closedAt: string | null;
  overdue: boolean;
  assignee: PersonRef | null;
}

export interface EventPage {
  items: EventSummary[];
  nextCursor: string | null;
}

export interface LogEntry {
  id: number;
  at: string;
  actor: PersonRef | null;
  actorRole: string;
  from: string | null;
  to: string;
  assignee: PersonRef | null;
  note: string;
  /** Photo evidence that came with this step (到场, 处置反馈, 核查): links into the work-chat file store. */
  photos: Photo[];
}

/** A before/after photo of a step. */
export interface Photo {
  kind: 'before' | 'after';
  url: string;
}

/** GET /api/events/:id: the summary with the case's text, times and log. */
/** A resident's contact details: whole for the roles that handle cases, masked (138****1234) for the others. */
export interface ResidentContact {
  email: string | null;
  phone: string | null;
  masked: boolean;
}

export interface EventDetail extends EventSummary {
  text: string;
  reporter: string;
  /** GET /api/events/:id only, when the report came with one: how to reach the reporting resident. */
  contact?: ResidentContact;
  filedAt: string | null;
  dispatchedAt: string | null;
  acceptedAt: string | null;
  arrivedAt: string | null;
  resolvedAt: string | null;
  evaluatedAt: string | null;
  satisfaction: number | null;
  reworkCount: number;
  extensionCount: number;
  escalated: boolean;
  /** 核查时限: by when a resolved case is to be verified and closed. */
  verifyDueAt: string | null;
  /** 核查超期: the verification deadline passed before the case was closed (the verifier's lateness). */
  verifyOverdue: boolean;
  /** 核实: when a hotline or walk-in report was checked on site before filing. */
  reportVerifiedAt: string | null;
  /** 挂账: since when, from which status (resume returns there), and when it is to be reviewed. */
  suspendedAt: string | null;
  suspendedFrom: string | null;
  reviewAt: string | null;
  /** 作废: when the case was voided. */
  voidedAt: string | null;
  log: LogEntry[];
}

/** One row of GET /api/events/overdue: past due, or (with include=warning) past the warning threshold. */
export interface DueItem extends EventSummary {
  level: 'overdue' | 'warning';
  overdueMs: number;
  warningAt: string;
  escalationLevel: number;
  extensionPending: boolean;
}

export interface DueList {
  now: string;
  overdue: number;
  warning: number;
  items: DueItem[];
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

/** A member of staff as GET /api/staff lists them (position: the latest fix, if any). */
export interface StaffItem {
  id: number;
  name: string;
  phone: string;
  gender: 'F' | 'M';
  /** null for staff without an active role. */
  role: string | null;
  blockCode: string | null;
  subdistrictCode: string | null;
  unit: { id: number; kind: string; key: string; name: string } | null;
  position: { lon: number; lat: number; at: string } | null;
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

/** Today's key figures (GET /api/kpi without `day`/`asOf` is the kpi.tick message). */
export interface KpiFigures {
  reports: number;
  dispatched: number;
  accepted: number;
  closed: number;
  /** Cases due today whose on-time outcome is known, and of those closed on time. */
  dueDecided: number;
  dueOnTime: number;
  /** 按期结案率 over the cases due today, 0…1; null while none of them is decided. */
  onTimeClosureRate: number | null;
  overdue: number;
  open: number;
  /** Median reported → accepted of today's acceptances, seconds; null when none. */
  medianResponseS: number | null;
  day: string;
}

/** GET /api/kpi. */
export interface Kpi extends KpiFigures {
  asOf: string;
}

/** A dispatch route: GET /api/routes/active's items, POST …/dispatch's `route`, and the route.dispatched message. */
export interface DispatchRoute {
  id: number;
  eventId: number;
  staffId: number;
  staffName: string;
  createdAt: string;
  etaSeconds: number;
  distanceMetres: number;
  coordinates: LonLat[];
  /** Seconds from the start to each vertex. */
  times: number[];
  status: 'active' | 'arrived' | 'cancelled';
}

export interface CandidateRoute {
  coordinates: LonLat[];
  times: number[];
}

/** Why a candidate ranks where it does. */
export const CANDIDATE_REASONS = [
  'own-block', 'neighbour-block', 'responsible-unit', 'other-unit',
  'nearest', 'near', 'far', 'unreachable', 'no-position', 'stale-position',
  'light-load', 'heavy-load', 'sla-tight', 'late',
] as const;
export type CandidateReason = (typeof CANDIDATE_REASONS)[number];

export interface ScoreParts {
  eta: number;
  ownership: number;
  load: number;
  sla: number;
}

export interface Candidate {
  staff: {
    id: number;
    name: string;
    phone: string;
    role: string;
    blockCode: string | null;
    unit: { id: number; kind: string; key: string; name: string } | null;
  };
  position: { lon: number; lat: number; at: string } | null;
  etaSeconds: number | null;
  distanceMetres: number | null;
  openLoad: number;
  owner: boolean;
  score: number;
  parts: ScoreParts;
  reasons: CandidateReason[];
  route: CandidateRoute | null;
}

/** GET /api/events/:id/candidates. */
export interface CandidatesResult {
  eventId: number;
  tier: string;
  category: { code: string; name: string };
  dueAt: string;
  remainingSeconds: number;
  items: Candidate[];
}

export type HotspotMeasure = 'late' | 'overdue' | 'open';
export const HOTSPOT_MEASURES: readonly HotspotMeasure[] = ['late', 'overdue', 'open'];

export interface HotspotItem {
  /** The core block's code (stable while the cluster holds). */
  id: string;
  /** Member block codes, highest z first. */
  blocks: string[];
  /** Gi* z-score of the strongest member, its one-sided p-value and its Benjamini–Hochberg adjusted p. */
  z: number;
  p: number;
  q: number;
  /** Cases of the measure in the member blocks, and what the district mean would give for as many blocks. */
  count: number;
  expected: number;
  center: LonLat;
  block: { code: string; name: string; communityName: string };
  subdistrict: { code: string; name: string };
  governor: PersonRef | null;
  outline: Polygon | MultiPolygon;
}

/** GET /api/hotspots. */
export interface HotspotResponse {
  method: 'getis-ord-gi*';
  weights: 'queen-contiguity';
  correction: 'benjamini-hochberg';
  measure: HotspotMeasure;
  days: number | null;
  from: string | null;
  to: string;
  alpha: number;
  blocks: number;
  total: number;
  mean: number;
  items: HotspotItem[];
}

/** An Open311 request that named an address but no point, awaiting location by hand (GET /api/events/unlocated). */
export interface UnlocatedRequest {
  id: number;
  /** Its Open311 service_request_id: 'U' and the id. */
  serviceRequestId: string;
  category: { code: string; name: string };
  text: string;
  addressString: string | null;
  addressId: string | null;
  mediaUrl: string | null;
  channel: string;
  reporter: string;
  email: string | null;
  phone: string | null;
  accountId: string | null;
  requestedAt: string;
  /** The case it became once located; null while it waits. */
  eventId: number | null;
  locatedAt: string | null;
}

export interface UnlocatedList {
  items: UnlocatedRequest[];
}
