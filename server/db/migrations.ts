/**
 * Versioned schema migrations. PRAGMA user_version holds the number of migrations applied; each migration runs in
 * its own transaction, so a file is always at a whole version. Append new migrations; never edit an applied one.
 *
 * Conventions: times are UTC epoch milliseconds; geometries are RFC 7946 GeoJSON geometry text in WGS-84;
 * area codes follow the statistical scheme (district 6, subdistrict 9, community 12, block 15 digits).
 */
import { categoryRecodeSql } from './category-recode.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Rebuilds a table others reference (SQLite widens a CHECK only by CREATE new, copy, DROP, RENAME): foreign keys
   * are switched off around the migration's transaction and checked with foreign_key_check before it commits.
   */
  foreignKeysOff?: true;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: /* sql */ `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- District, subdistricts/towns and communities/villages in one tree.
CREATE TABLE areas (
  code        TEXT PRIMARY KEY,
  level       TEXT NOT NULL CHECK (level IN ('district', 'subdistrict', 'community')),
  parent_code TEXT REFERENCES areas(code),
  name        TEXT NOT NULL,
  short_name  TEXT NOT NULL,
  name_en     TEXT NOT NULL,
  type        TEXT NOT NULL,           -- 区 / 街道 / 镇 / 乡 / 社区 / 村
  urban       INTEGER NOT NULL DEFAULT 0 CHECK (urban IN (0, 1)),
  center_lon  REAL NOT NULL,
  center_lat  REAL NOT NULL,
  geometry    TEXT NOT NULL,
  CHECK ((level = 'district') = (parent_code IS NULL)),
  CHECK (length(code) = CASE level WHEN 'district' THEN 6 WHEN 'subdistrict' THEN 9 ELSE 12 END)
);
CREATE INDEX areas_parent ON areas(parent_code);

-- Every published set of block boundaries; an event belongs to the version in force when it was reported.
CREATE TABLE boundary_versions (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  effective_from INTEGER NOT NULL,
  published_at   INTEGER NOT NULL,
  note           TEXT NOT NULL DEFAULT ''
);

-- 房进格: a building is the atom that blocks are made of.
CREATE TABLE buildings (
  id             INTEGER PRIMARY KEY,
  community_code TEXT NOT NULL REFERENCES areas(code),
  lon            REAL NOT NULL,
  lat            REAL NOT NULL,
  households     INTEGER NOT NULL CHECK (households >= 0),
  residents      INTEGER NOT NULL CHECK (residents >= 0),
  floors         INTEGER NOT NULL CHECK (floors >= 1),
  parcel         TEXT NOT NULL
);
CREATE INDEX buildings_community ON buildings(community_code);

CREATE TABLE blocks (
  version_id       INTEGER NOT NULL REFERENCES boundary_versions(id),
  code             TEXT NOT NULL CHECK (length(code) = 15),
  name             TEXT NOT NULL,
  community_code   TEXT NOT NULL REFERENCES areas(code),
  subdistrict_code TEXT NOT NULL REFERENCES areas(code),
  households       INTEGER NOT NULL,
  residents        INTEGER NOT NULL,
  area_m2          REAL NOT NULL,
  min_lon REAL NOT NULL, min_lat REAL NOT NULL, max_lon REAL NOT NULL, max_lat REAL NOT NULL,
  center_lon       REAL NOT NULL,
  center_lat       REAL NOT NULL,
  geometry         TEXT NOT NULL,
  PRIMARY KEY (version_id, code),
  CHECK (substr(code, 1, 12) = community_code)
);
CREATE INDEX blocks_community ON blocks(version_id, community_code);

CREATE TABLE block_buildings (
  version_id  INTEGER NOT NULL,
  building_id INTEGER NOT NULL REFERENCES buildings(id),
  block_code  TEXT NOT NULL,
  PRIMARY KEY (version_id, building_id),
  FOREIGN KEY (version_id, block_code) REFERENCES blocks(version_id, code)
);
CREATE INDEX block_buildings_block ON block_buildings(version_id, block_code);

-- Subdistrict centres (综合指导 guidance, 民生事务 livelihood, 快速处置 rapid-response, 经济发展 economy) and
-- city departments' postings to a subdistrict (城管 urban-management, 市场监管 market-regulation, 公安 police, …).
CREATE TABLE units (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('centre', 'department')),
  key              TEXT NOT NULL,
  name             TEXT NOT NULL,
  name_en          TEXT NOT NULL,
  subdistrict_code TEXT NOT NULL REFERENCES areas(code),
  UNIQUE (kind, key, subdistrict_code)
);

CREATE TABLE staff (
  id     INTEGER PRIMARY KEY,
  name   TEXT NOT NULL,
  gender TEXT NOT NULL CHECK (gender IN ('F', 'M')),
  phone  TEXT NOT NULL
);

-- Who does what where. Block roles name a block of a boundary version; centre and department roles name a unit.
CREATE TABLE role_assignments (
  id         INTEGER PRIMARY KEY,
  staff_id   INTEGER NOT NULL REFERENCES staff(id),
  role       TEXT NOT NULL CHECK (role IN ('governor', 'assistant', 'supervisor', 'centre-staff', 'centre-inspector', 'officer')),
  version_id INTEGER,
  block_code TEXT,
  unit_id    INTEGER REFERENCES units(id),
  valid_from INTEGER NOT NULL,
  valid_to   INTEGER,
  FOREIGN KEY (version_id, block_code) REFERENCES blocks(version_id, code),
  CHECK ((role IN ('governor', 'assistant', 'supervisor')) = (block_code IS NOT NULL AND unit_id IS NULL)),
  CHECK ((role IN ('centre-staff', 'centre-inspector', 'officer')) = (unit_id IS NOT NULL AND block_code IS NULL))
);
CREATE INDEX role_assignments_block ON role_assignments(version_id, block_code);
CREATE INDEX role_assignments_staff ON role_assignments(staff_id);
CREATE INDEX role_assignments_unit ON role_assignments(unit_id);
-- One governor and one supervisor per block at any time.
CREATE UNIQUE INDEX one_governor ON role_assignments(version_id, block_code) WHERE role = 'governor' AND valid_to IS NULL;
CREATE UNIQUE INDEX one_supervisor ON role_assignments(version_id, block_code) WHERE role = 'supervisor' AND valid_to IS NULL;

-- Last known position of field staff.
CREATE TABLE staff_positions (
  staff_id INTEGER PRIMARY KEY REFERENCES staff(id),
  lon      REAL NOT NULL,
  lat      REAL NOT NULL,
  at       INTEGER NOT NULL
);

-- Two-level taxonomy: 2-digit major + 2-digit minor, with tier, responsible unit and deadline.
CREATE TABLE categories (
  code           TEXT PRIMARY KEY CHECK (length(code) = 4),
  major_code     TEXT NOT NULL CHECK (length(major_code) = 2),
  major_name     TEXT NOT NULL,
  major_name_en  TEXT NOT NULL,
  name           TEXT NOT NULL,
  name_en        TEXT NOT NULL,
  tier           TEXT NOT NULL CHECK (tier IN ('block', 'centre', 'department')),
  unit_key       TEXT NOT NULL,
  deadline_value REAL NOT NULL CHECK (deadline_value > 0),
  deadline_unit  TEXT NOT NULL CHECK (deadline_unit IN ('working-hours', 'working-days', 'natural-hours')),
  warning_ratio  REAL NOT NULL CHECK (warning_ratio > 0 AND warning_ratio < 1)
);

CREATE TABLE events (
  id               INTEGER PRIMARY KEY,
  case_no          TEXT NOT NULL UNIQUE,
  kind             TEXT NOT NULL CHECK (kind IN ('demand', 'suggestion', 'incident')),
  channel          TEXT NOT NULL CHECK (channel IN ('patrol', 'hotline', 'wechat', 'consultation', 'walk-in')),
  category_code    TEXT NOT NULL REFERENCES categories(code),
  priority         TEXT NOT NULL CHECK (priority IN ('normal', 'urgent')),
  status           TEXT NOT NULL CHECK (status IN ('reported', 'filed', 'rejected', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated')),
  tier             TEXT NOT NULL CHECK (tier IN ('block', 'centre', 'department')),
  text             TEXT NOT NULL,
  lon              REAL NOT NULL,
  lat              REAL NOT NULL,
  version_id       INTEGER NOT NULL REFERENCES boundary_versions(id),
  block_code       TEXT NOT NULL,
  community_code   TEXT NOT NULL REFERENCES areas(code),
  subdistrict_code TEXT NOT NULL REFERENCES areas(code),
  reporter         TEXT NOT NULL DEFAULT '',
  assignee_id      INTEGER REFERENCES staff(id),
  unit_id          INTEGER REFERENCES units(id),
  reported_at      INTEGER NOT NULL,
  filed_at         INTEGER,
  dispatched_at    INTEGER,
  accepted_at      INTEGER,
  arrived_at       INTEGER,
  resolved_at      INTEGER,
  closed_at        INTEGER,
  evaluated_at     INTEGER,
  due_at           INTEGER NOT NULL,
  satisfaction     INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
  rework_count     INTEGER NOT NULL DEFAULT 0,
  extension_count  INTEGER NOT NULL DEFAULT 0,
  escalated        INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
  idempotency_key  TEXT UNIQUE,
  FOREIGN KEY (version_id, block_code) REFERENCES blocks(version_id, code)
);
CREATE INDEX events_reported ON events(reported_at);
CREATE INDEX events_block_status ON events(block_code, status);
CREATE INDEX events_status_due ON events(status, due_at);
CREATE INDEX events_category ON events(category_code, reported_at);
CREATE INDEX events_lonlat ON events(lon, lat);

-- Append-only: every transition and every hand-off (change of assignee) is one row.
CREATE TABLE event_log (
  id          INTEGER PRIMARY KEY,
  event_id    INTEGER NOT NULL REFERENCES events(id),
  at          INTEGER NOT NULL,
  actor_id    INTEGER REFERENCES staff(id),
  actor_role  TEXT NOT NULL,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  assignee_id INTEGER REFERENCES staff(id),
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_log_event ON event_log(event_id, at);
CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;
CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;

-- Generated map layers of the local basemap (roads, water, …) as GeoJSON FeatureCollections.
CREATE TABLE map_layers (
  name    TEXT PRIMARY KEY,
  source  TEXT NOT NULL CHECK (source IN ('real', 'generated', 'imported')),
  geojson TEXT NOT NULL
);

CREATE TABLE roads (
  id        INTEGER PRIMARY KEY,
  name      TEXT NOT NULL,
  class     TEXT NOT NULL CHECK (class IN ('arterial', 'secondary', 'street')),
  speed_kmh REAL NOT NULL CHECK (speed_kmh > 0),
  oneway    INTEGER NOT NULL DEFAULT 0 CHECK (oneway IN (0, 1)),
  geometry  TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'live stream log, escalation state, dispatch routes',
    sql: /* sql */ `
-- Every message of the live stream (/api/stream), in order. A reconnecting client resumes after its
-- Last-Event-ID from here. Rows are written in the same transaction as the change they announce.
CREATE TABLE live_messages (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  type    TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX live_messages_at ON live_messages(at);

-- Escalation (预警 at the warning threshold, 超期 at breach) and a pending extension request (延期).
ALTER TABLE events ADD COLUMN warned_at INTEGER;
ALTER TABLE events ADD COLUMN breached_at INTEGER;
ALTER TABLE events ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN extension_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_open_due ON events(due_at) WHERE status NOT IN ('rejected', 'closed', 'evaluated');

-- Routes of dispatches: the responder's road path to the case, with per-vertex times for animation.
CREATE TABLE event_routes (
  id          INTEGER PRIMARY KEY,
  event_id    INTEGER NOT NULL REFERENCES events(id),
  staff_id    INTEGER NOT NULL REFERENCES staff(id),
  created_at  INTEGER NOT NULL,
  eta_s       REAL NOT NULL,
  distance_m  REAL NOT NULL,
  geometry    TEXT NOT NULL,   -- GeoJSON LineString
  times       TEXT NOT NULL,   -- JSON array: seconds from created_at at each vertex
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'arrived', 'cancelled'))
);
CREATE INDEX event_routes_event ON event_routes(event_id);
CREATE INDEX event_routes_active ON event_routes(status) WHERE status = 'active';
`,
  },
  {
    version: 3,
    name: 'open load per assignee',
    sql: /* sql */ `
-- Proposals and candidate ranking count each person's open cases; without this they scan every open event.
CREATE INDEX events_open_assignee ON events(assignee_id) WHERE status NOT IN ('rejected', 'closed', 'evaluated');
`,
  },
  {
    version: 4,
    name: 'KPI ranges on dispatch, acceptance and closure times',
    sql: /* sql */ `
-- Today's figures (GET /api/kpi, the stream's kpi.tick) count cases dispatched, accepted and closed in a time range;
-- without these every tick scans the events table. Partial: a fresh report (all three NULL) costs no index write.
CREATE INDEX events_dispatched_at ON events(dispatched_at) WHERE dispatched_at IS NOT NULL;
CREATE INDEX events_accepted_at ON events(accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX events_closed_at ON events(closed_at, due_at) WHERE closed_at IS NOT NULL;
`,
  },
  {
    version: 5,
    name: 'stored warning instant; escalation sweep by index',
    sql: /* sql */ `
-- Each open case's warning instant (预警), computed on the working-time clock when the report is written and again
-- when an extension moves due_at. NULL on rows written before this column: the sweeper fills those in small chunks.
ALTER TABLE events ADD COLUMN warn_at INTEGER;
-- The sweep reads only the cases whose step is due: neither warned nor breached (warning), not yet breached (breach).
CREATE INDEX events_warn_due ON events(warn_at) WHERE warned_at IS NULL AND breached_at IS NULL AND status NOT IN ('rejected', 'closed', 'evaluated');
CREATE INDEX events_breach_due ON events(due_at) WHERE breached_at IS NULL AND status NOT IN ('rejected', 'closed', 'evaluated');
`,
  },
  {
    version: 6,
    name: 'verification deadline per case (核查时限), for one definition of on time',
    sql: /* sql */ `
-- When a resolved case must be verified and closed by (domain/on-time.ts): set when it is resolved, cleared by rework.
-- NULL on rows resolved before this column: filled in at start-up (db/commands/verify-due.ts) from resolved_at.
ALTER TABLE events ADD COLUMN verify_due_at INTEGER;
-- The start-up fill finds the resolved rows that still lack it without a table scan.
CREATE INDEX events_verify_due_missing ON events(id) WHERE resolved_at IS NOT NULL AND verify_due_at IS NULL;
`,
  },
  {
    version: 7,
    name: 'lifecycle: suspended and voided statuses, report verification, verification breach, photo evidence',
    foreignKeysOff: true,
    sql: /* sql */ `
-- The status CHECK gains 'suspended' (挂账·缓办, clock stopped) and 'voided' (作废·撤件, finished). SQLite cannot
-- alter a CHECK, so the table is rebuilt: same columns in the same order, then the new ones.
CREATE TABLE events_new (
  id               INTEGER PRIMARY KEY,
  case_no          TEXT NOT NULL UNIQUE,
  kind             TEXT NOT NULL CHECK (kind IN ('demand', 'suggestion', 'incident')),
  channel          TEXT NOT NULL CHECK (channel IN ('patrol', 'hotline', 'wechat', 'consultation', 'walk-in')),
  category_code    TEXT NOT NULL REFERENCES categories(code),
  priority         TEXT NOT NULL CHECK (priority IN ('normal', 'urgent')),
  status           TEXT NOT NULL CHECK (status IN ('reported', 'filed', 'rejected', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated', 'suspended', 'voided')),
  tier             TEXT NOT NULL CHECK (tier IN ('block', 'centre', 'department')),
  text             TEXT NOT NULL,
  lon              REAL NOT NULL,
  lat              REAL NOT NULL,
  version_id       INTEGER NOT NULL REFERENCES boundary_versions(id),
  block_code       TEXT NOT NULL,
  community_code   TEXT NOT NULL REFERENCES areas(code),
  subdistrict_code TEXT NOT NULL REFERENCES areas(code),
  reporter         TEXT NOT NULL DEFAULT '',
  assignee_id      INTEGER REFERENCES staff(id),
  unit_id          INTEGER REFERENCES units(id),
  reported_at      INTEGER NOT NULL,
  filed_at         INTEGER,
  dispatched_at    INTEGER,
  accepted_at      INTEGER,
  arrived_at       INTEGER,
  resolved_at      INTEGER,
  closed_at        INTEGER,
  evaluated_at     INTEGER,
  due_at           INTEGER NOT NULL,
  satisfaction     INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
  rework_count     INTEGER NOT NULL DEFAULT 0,
  extension_count  INTEGER NOT NULL DEFAULT 0,
  escalated        INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
  idempotency_key  TEXT UNIQUE,
  warned_at        INTEGER,
  breached_at      INTEGER,
  escalation_level INTEGER NOT NULL DEFAULT 0,
  extension_pending INTEGER NOT NULL DEFAULT 0,
  warn_at          INTEGER,
  verify_due_at    INTEGER,
  -- 核查超期: the verification deadline passed while the case waited, resolved, for its verifier.
  verify_breached_at INTEGER,
  -- 核实: the on-site check of a public report before it is filed.
  report_verified_at INTEGER,
  -- 挂账: since when, from which status (resume returns there), and when it is to be reviewed.
  suspended_at     INTEGER,
  suspended_from   TEXT CHECK (suspended_from IN ('filed', 'dispatched', 'accepted', 'arrived')),
  review_at        INTEGER,
  voided_at        INTEGER,
  FOREIGN KEY (version_id, block_code) REFERENCES blocks(version_id, code),
  CHECK ((status = 'suspended') = (suspended_at IS NOT NULL))
);
INSERT INTO events_new (
  id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id, block_code,
  community_code, subdistrict_code, reporter, assignee_id, unit_id, reported_at, filed_at, dispatched_at, accepted_at,
  arrived_at, resolved_at, closed_at, evaluated_at, due_at, satisfaction, rework_count, extension_count, escalated,
  idempotency_key, warned_at, breached_at, escalation_level, extension_pending, warn_at, verify_due_at)
SELECT
  id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id, block_code,
  community_code, subdistrict_code, reporter, assignee_id, unit_id, reported_at, filed_at, dispatched_at, accepted_at,
  arrived_at, resolved_at, closed_at, evaluated_at, due_at, satisfaction, rework_count, extension_count, escalated,
  idempotency_key, warned_at, breached_at, escalation_level, extension_pending, warn_at, verify_due_at
FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;

-- Every index of v1–v6, recreated; the partial ones follow the new status sets: open = not rejected, closed,
-- evaluated or voided; swept for 预警/处置超期 = open, clock running, not yet resolved. Spelled NOT IN, so that the
-- planner takes the partial index rather than events_status_due for the sweep's reads.
CREATE INDEX events_reported ON events(reported_at);
CREATE INDEX events_block_status ON events(block_code, status);
CREATE INDEX events_status_due ON events(status, due_at);
CREATE INDEX events_category ON events(category_code, reported_at);
CREATE INDEX events_lonlat ON events(lon, lat);
CREATE INDEX events_open_due ON events(due_at) WHERE status NOT IN ('rejected', 'closed', 'evaluated', 'voided', 'suspended');
CREATE INDEX events_open_assignee ON events(assignee_id) WHERE status NOT IN ('rejected', 'closed', 'evaluated', 'voided');
CREATE INDEX events_dispatched_at ON events(dispatched_at) WHERE dispatched_at IS NOT NULL;
CREATE INDEX events_accepted_at ON events(accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX events_closed_at ON events(closed_at, due_at) WHERE closed_at IS NOT NULL;
CREATE INDEX events_warn_due ON events(warn_at) WHERE warned_at IS NULL AND breached_at IS NULL AND status NOT IN ('rejected', 'closed', 'evaluated', 'voided', 'suspended', 'resolved');
CREATE INDEX events_breach_due ON events(due_at) WHERE breached_at IS NULL AND status NOT IN ('rejected', 'closed', 'evaluated', 'voided', 'suspended', 'resolved');
-- 核查超期 sweep: resolved cases whose verification deadline has not been marked as passed.
CREATE INDEX events_verify_due_missing ON events(id) WHERE resolved_at IS NOT NULL AND verify_due_at IS NULL;
CREATE INDEX events_verify_due ON events(verify_due_at) WHERE verify_breached_at IS NULL AND status = 'resolved';

-- Photo evidence (before / after) of a log row: 到场, 处置反馈, 核查. Links into the work-chat file store.
CREATE TABLE event_log_photos (
  id       INTEGER PRIMARY KEY,
  log_id   INTEGER NOT NULL REFERENCES event_log(id),
  event_id INTEGER NOT NULL REFERENCES events(id),
  kind     TEXT NOT NULL CHECK (kind IN ('before', 'after')),
  url      TEXT NOT NULL CHECK (length(url) <= 1000)
);
CREATE INDEX event_log_photos_event ON event_log_photos(event_id, log_id);
`,
  },
  {
    version: 8,
    name: 'case taxonomy follows CJ/T 214: 部件 and 事件 with the standard codes, local classes in 50–99',
    // Generated from the fixed recode table in category-recode.ts (UPDATE only; no table is rebuilt).
    sql: categoryRecodeSql(),
  },
  {
    version: 9,
    name: 'Open311: requests awaiting location, media and address of requests',
    sql: /* sql */ `
-- Open311 requests that name an address but no point (GeoReport v2 allows it). They stay here, outside events (whose
-- point and block are NOT NULL), until a dispatcher locates them by hand; the case then written is event_id.
CREATE TABLE unlocated_requests (
  id              INTEGER PRIMARY KEY,
  service_code    TEXT NOT NULL REFERENCES categories(code),
  text            TEXT NOT NULL,
  address_string  TEXT,
  address_id      TEXT,
  media_url       TEXT,
  channel         TEXT NOT NULL,
  reporter        TEXT NOT NULL DEFAULT '',
  email           TEXT,
  phone           TEXT,
  device_id       TEXT,
  account_id      TEXT,
  requested_at    INTEGER NOT NULL,
  idempotency_key TEXT UNIQUE,
  event_id        INTEGER UNIQUE REFERENCES events(id),
  located_at      INTEGER,
  CHECK (address_string IS NOT NULL OR address_id IS NOT NULL),
  CHECK ((event_id IS NULL) = (located_at IS NULL))
);

-- What an Open311 request carries beyond its event row: a media URL and the address as the reporter wrote it. Kept
-- beside events, keyed by the case id, so the events table stays as it is.
CREATE TABLE request_details (
  event_id       INTEGER PRIMARY KEY REFERENCES events(id),
  media_url      TEXT,
  address_string TEXT,
  CHECK (media_url IS NOT NULL OR address_string IS NOT NULL)
);
`,
  },
  {
    version: 10,
    name: 'imported events: source system and id, for idempotent re-imports',
    sql: /* sql */ `
-- One row per imported event: the system it came from and its id there (unique per source, so importing the same
-- file again adds nothing), the row of the file it was read from, and what the source said that Gezhi did not keep
-- as is (its category text, kept when it maps to no category; its department).
CREATE TABLE event_sources (
  event_id        INTEGER PRIMARY KEY REFERENCES events(id),
  source          TEXT NOT NULL,
  source_id       TEXT NOT NULL,
  source_row      INTEGER NOT NULL,
  source_category TEXT NOT NULL DEFAULT '',
  department      TEXT NOT NULL DEFAULT '',
  imported_at     INTEGER NOT NULL,
  UNIQUE (source, source_id)
);
`,
  },
  {
    version: 11,
    name: 'events_open_assignee leaves out cases without an assignee',
    sql: /* sql */ `
-- Every new report is open and unassigned: indexing its NULL assignee cost each insert a b-tree write that no
-- query reads (open loads are asked per assignee). Same open condition as migration 7, assigned cases only.
DROP INDEX events_open_assignee;
CREATE INDEX events_open_assignee ON events(assignee_id)
  WHERE assignee_id IS NOT NULL AND status NOT IN ('rejected', 'closed', 'evaluated', 'voided');
`,
  },
  {
    version: 12,
    name: 'accounts, sessions, API and display tokens, append-only audit log',
    sql: /* sql */ `
-- People and service accounts that sign in. A staff member's account names its staff row (their writes are theirs);
-- the scope (subdistrict) narrows what a role sees and may act on. password_hash is scrypt (see
-- services/passwords.ts); service accounts (integrations, wall screens) have none and act only through tokens.
CREATE TABLE accounts (
  id               INTEGER PRIMARY KEY,
  username         TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 64),
  kind             TEXT NOT NULL CHECK (kind IN ('person', 'service')),
  role             TEXT NOT NULL,
  subdistrict_code TEXT,
  staff_id         INTEGER REFERENCES staff(id),
  password_hash    TEXT,
  created_at       INTEGER NOT NULL,
  disabled_at      INTEGER,
  -- Sign-in back-off: consecutive failures and the instant before which no attempt is judged.
  failed_count     INTEGER NOT NULL DEFAULT 0,
  locked_until     INTEGER
);
CREATE INDEX accounts_staff ON accounts(staff_id) WHERE staff_id IS NOT NULL;

-- Browser sessions: the cookie carries a random id, the table keeps its SHA-256 only; csrf is the token the web app
-- echoes in X-CSRF-Token on every write.
CREATE TABLE sessions (
  id_hash     TEXT PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  csrf        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  ip          TEXT NOT NULL DEFAULT '',
  -- A wall screen's session, made from a display token: it ends when the token is revoked.
  token_id    INTEGER REFERENCES api_tokens(id)
);
CREATE INDEX sessions_account ON sessions(account_id);

-- Bearer tokens: integrations (api) and wall screens (display). Shown once; only the SHA-256 is kept.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  kind         TEXT NOT NULL CHECK (kind IN ('api', 'display')),
  label        TEXT NOT NULL DEFAULT '',
  token_hash   TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  revoked_at   INTEGER,
  last_used_at INTEGER
);

-- Who did what, when, from where: every write, account and token change, sign-in, sign-out and failed sign-in.
-- Append-only: the triggers below refuse any UPDATE or DELETE.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  account_id  INTEGER,
  actor       TEXT NOT NULL,
  staff_id    INTEGER,
  ip          TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL,
  target      TEXT NOT NULL DEFAULT '',
  before      TEXT,
  after       TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_action ON audit_log(action, at);
CREATE INDEX audit_log_account ON audit_log(account_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`,
  },
  {
    version: 13,
    name: "residents' contact details of a case (Open311 email and phone)",
    sql: /* sql */ `
-- How to reach the resident who reported a case (Open311 email, phone). Personal data: the API shows it whole only
-- to roles that handle cases, masked to everyone else, and never in Open311 answers.
CREATE TABLE event_contacts (
  event_id INTEGER PRIMARY KEY REFERENCES events(id),
  email    TEXT CHECK (email IS NULL OR length(email) <= 254),
  phone    TEXT CHECK (phone IS NULL OR length(phone) <= 40),
  CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
`,
  },
  {
    version: 14,
    name: 'notifications: chat channels (WeCom, DingTalk, signed webhooks), the outbox and its delivery attempts',
    sql: /* sql */ `
-- Where messages go: a WeCom group robot, a DingTalk custom robot or a signed JSON webhook, for the district, a
-- subdistrict, a unit (centre or department, by id) or a block team. The secret (DingTalk's 加签 key, the webhook's
-- HMAC key) is never returned by a read. kinds: the message kinds it takes (comma list; empty = all).
CREATE TABLE notify_channels (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'webhook')),
  url             TEXT NOT NULL,
  secret          TEXT,
  scope           TEXT NOT NULL CHECK (scope IN ('district', 'subdistrict', 'unit', 'block')),
  scope_code      TEXT NOT NULL,
  kinds           TEXT NOT NULL DEFAULT '',
  rate_per_minute INTEGER NOT NULL DEFAULT 20 CHECK (rate_per_minute BETWEEN 1 AND 10000),
  digest_at       TEXT CHECK (digest_at IS NULL OR digest_at GLOB '[0-2][0-9]:[0-5][0-9]'),
  enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at      INTEGER NOT NULL
);

-- The outbox: one row per message and channel, written in the transaction of the change it announces (so it exists
-- exactly when the change does). facts: what the message says, as JSON; it is rendered when sent. A row folded into
-- a storm digest is 'batched' with batch_id the digest's row. dedupe_key makes a daily digest once per channel and day.
CREATE TABLE notifications (
  id          INTEGER PRIMARY KEY,
  channel_id  INTEGER NOT NULL REFERENCES notify_channels(id),
  kind        TEXT NOT NULL CHECK (kind IN ('dispatch', 'warning', 'breach', 'escalation', 'rework', 'digest', 'batch')),
  event_id    INTEGER REFERENCES events(id),
  created_at  INTEGER NOT NULL,
  facts       TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'batched', 'cancelled')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,
  sent_at     INTEGER,
  interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
  last_error  TEXT,
  batch_id    INTEGER REFERENCES notifications(id),
  dedupe_key  TEXT,
  UNIQUE (channel_id, dedupe_key)
);
CREATE INDEX notifications_pending ON notifications(channel_id, next_at) WHERE status = 'pending';
CREATE INDEX notifications_sending ON notifications(channel_id) WHERE status = 'sending';
CREATE INDEX notifications_event ON notifications(event_id) WHERE event_id IS NOT NULL;

-- Every attempt to send, recorded before the request leaves: the rate window counts them, and an attempt without an
-- outcome after a restart is one the process died in.
CREATE TABLE notification_attempts (
  id              INTEGER PRIMARY KEY,
  notification_id INTEGER NOT NULL REFERENCES notifications(id),
  channel_id      INTEGER NOT NULL REFERENCES notify_channels(id),
  started_at      INTEGER NOT NULL,
  ended_at        INTEGER,
  outcome         TEXT CHECK (outcome IN ('sent', 'retry', 'rate-limited', 'failed', 'interrupted')),
  http_status     INTEGER,
  detail          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notification_attempts_window ON notification_attempts(channel_id, started_at);
CREATE INDEX notification_attempts_of ON notification_attempts(notification_id);
`,
  },
  {
    version: 15,
    name: 'boundary plans: drafts and their edit history',
    sql: /* sql */ `
-- A draft of new block boundaries, drawn over the boundary version it started from. Its state is that version's
-- membership with its edits applied up to the cursor; revision grows with every change (optimistic concurrency).
CREATE TABLE plans (
  id                   INTEGER PRIMARY KEY,
  base_version_id      INTEGER NOT NULL REFERENCES boundary_versions(id),
  name                 TEXT NOT NULL,
  description          TEXT NOT NULL DEFAULT '',
  author               TEXT NOT NULL,
  status               TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  revision             INTEGER NOT NULL DEFAULT 0,
  cursor               INTEGER NOT NULL DEFAULT 0,
  rules                TEXT NOT NULL DEFAULT '{}',
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  published_version_id INTEGER REFERENCES boundary_versions(id)
);

-- A plan's edits in order (seq from 0), each stored as the change it made (buildings moved between block codes,
-- blocks created and retired) so undo and redo are exact. Edits at seq >= the plan's cursor are undone ones.
CREATE TABLE plan_edits (
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  seq     INTEGER NOT NULL,
  delta   TEXT NOT NULL,
  author  TEXT NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (plan_id, seq)
);
`,
  },
  {
    version: 16,
    name: 'no (lon, lat) index on events: box filters go through the block grid',
    sql: /* sql */ `
-- Reports arrive in random places, so each insert wrote a random page of this index (≈ 15 % of batch ingest). The
-- box filters now find their blocks first and read events_block_status (db/queries/bbox.ts).
DROP INDEX IF EXISTS events_lonlat;
`,
  },
  {
    version: 17,
    name: 'imported cases past a bare report are filed when they came in',
    sql: /* sql */ `
-- Imports before this left filed_at empty, so the review counted none of their cases as filed (立案) and could give
-- no closure rate for an imported district. The source's created time is when a case came in (受理).
UPDATE events SET filed_at = reported_at
 WHERE filed_at IS NULL AND status NOT IN ('reported', 'rejected') AND id IN (SELECT event_id FROM event_sources);
`,
  },
  {
    version: 18,
    name: 'partial indexes on events test their statuses one by one, not with an IN list',
    sql: /* sql */ `
-- Same rows as before. SQLite builds a constant IN list afresh whenever it tests a row against a partial index
-- (each insert and update, each row of an index build); a chain of comparisons costs next to nothing (see
-- sqlStatusNone in contract/statuses.ts, which the queries that use these indexes say their conditions with).
DROP INDEX events_open_due;
CREATE INDEX events_open_due ON events(due_at) WHERE status <> 'rejected' AND status <> 'closed' AND status <> 'evaluated' AND status <> 'voided' AND status <> 'suspended';
DROP INDEX events_open_assignee;
CREATE INDEX events_open_assignee ON events(assignee_id) WHERE assignee_id IS NOT NULL AND status <> 'rejected' AND status <> 'closed' AND status <> 'evaluated' AND status <> 'voided';
DROP INDEX events_warn_due;
CREATE INDEX events_warn_due ON events(warn_at) WHERE warned_at IS NULL AND breached_at IS NULL AND status <> 'rejected' AND status <> 'closed' AND status <> 'evaluated' AND status <> 'voided' AND status <> 'suspended' AND status <> 'resolved';
DROP INDEX events_breach_due;
CREATE INDEX events_breach_due ON events(due_at) WHERE breached_at IS NULL AND status <> 'rejected' AND status <> 'closed' AND status <> 'evaluated' AND status <> 'voided' AND status <> 'suspended' AND status <> 'resolved';
`,
  },
];
