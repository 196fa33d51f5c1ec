/**
 * A small but complete database for API tests, built by direct inserts (no generator, no seed): district 430302,
 * 2 subdistricts, 3 communities, 6 blocks in a row of 0.01° squares (one a MultiPolygon, one with over-precise
 * coordinates), 1+N+1 teams, 4 units with staff, 3 categories, 30 events with log rows (open, overdue, closed,
 * rejected, evaluated; several sharing a reported_at to exercise keyset tie-breaks), roads and two stored layers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { openDatabase, type Db } from '../../server/db/database.ts';

/** The fixture's clock: 2024-06-15 12:00 in Shanghai. */
export const NOW = Date.UTC(2024, 5, 15, 4, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DISTRICT = '430302';
export const SUBDISTRICTS = ['430302001', '430302002'] as const;
export const COMMUNITIES = ['430302001001', '430302001002', '430302002001'] as const;
/** Block i sits at lon 112.80 + 0.01·i, lat 27.85…27.86; blocks 0-1 in community 0, 2-3 in 1, 4-5 in 2. */
export const BLOCKS = COMMUNITIES.flatMap((c) => [`${c}001`, `${c}002`]);
export const OPEN = ['reported', 'filed', 'dispatched', 'accepted', 'arrived', 'resolved'];

export interface FixtureEvent {
  id: number;
  status: string;
  block: string;
  category: string;
  reportedAt: number;
  dueAt: number;
  lon: number;
  lat: number;
}

export interface Fixture {
  db: Db;
  file: string;
  events: FixtureEvent[];
  staffCount: number;
  /** Active role assignments (current version), one per staff × role. */
  roleCount: number;
}

const square = (x0: number, y0: number, d: number) => [
  [[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]],
];

const LOG_PATH = ['reported', 'filed', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated'];

export function createFixture(file = join(mkdtempSync(join(tmpdir(), 'gezhi-api-')), 'fixture.db')): Fixture {
  const db = openDatabase(file);
  const insertArea = db.prepare(
    `INSERT INTO areas (code, level, parent_code, name, short_name, name_en, type, urban, center_lon, center_lat, geometry)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const poly = (x0: number, x1: number) =>
    JSON.stringify({ type: 'Polygon', coordinates: [[[x0, 27.85], [x1, 27.85], [x1, 27.86], [x0, 27.86], [x0, 27.85]]] });

  db.transaction(() => {
    db.prepare(`INSERT INTO meta (key, value) VALUES ('demo', '1')`).run();
    insertArea.run(DISTRICT, 'district', null, '雨湖区', '雨湖', 'Yuhu District', '区', 1, 112.83, 27.855, poly(112.8, 112.86));
    insertArea.run(SUBDISTRICTS[0], 'subdistrict', DISTRICT, '广场街道', '广场', 'Guangchang Subdistrict', '街道', 1, 112.82, 27.855, poly(112.8, 112.84));
    insertArea.run(SUBDISTRICTS[1], 'subdistrict', DISTRICT, '长城乡', '长城', 'Changcheng Township', '乡', 0, 112.85, 27.855, poly(112.84, 112.86));
    insertArea.run(COMMUNITIES[0], 'community', SUBDISTRICTS[0], '大埠桥社区', '大埠桥', 'Dabuqiao Community', '社区', 1, 112.81, 27.855, poly(112.8, 112.82));
    insertArea.run(COMMUNITIES[1], 'community', SUBDISTRICTS[0], '雨湖路社区', '雨湖路', 'Yuhulu Community', '社区', 1, 112.83, 27.855, poly(112.82, 112.84));
    insertArea.run(COMMUNITIES[2], 'community', SUBDISTRICTS[1], '长城村', '长城', 'Changcheng Village', '村', 0, 112.85, 27.855, poly(112.84, 112.86));

    db.prepare(`INSERT INTO boundary_versions (id, name, effective_from, published_at) VALUES (1, '2024 初版', ?, ?)`).run(NOW - 90 * DAY, NOW - 91 * DAY);
    // A version published for the future must not be served yet.
    db.prepare(`INSERT INTO boundary_versions (id, name, effective_from, published_at) VALUES (2, '2100 调整', ?, ?)`).run(Date.UTC(2100, 0, 1), NOW - DAY);

    const insertBlock = db.prepare(
      `INSERT INTO blocks (version_id, code, name, community_code, subdistrict_code, households, residents, area_m2,
         min_lon, min_lat, max_lon, max_lat, center_lon, center_lat, geometry)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 27.85, ?, 27.86, ?, 27.855, ?)`,
    );
    const insertBuilding = db.prepare(
      `INSERT INTO buildings (id, community_code, lon, lat, households, residents, floors, parcel) VALUES (?, ?, ?, 27.855, ?, ?, 6, ?)`,
    );
    const insertBB = db.prepare(`INSERT INTO block_buildings (version_id, building_id, block_code) VALUES (1, ?, ?)`);
    BLOCKS.forEach((code, i) => {
      const x0 = 112.8 + 0.01 * i;
      let geometry: unknown;
      if (i === 1) {
        // Over-precise coordinates, to be rounded to 6 decimals on the way out.
        geometry = { type: 'Polygon', coordinates: [[[x0 + 0.0000001234, 27.85], [x0 + 0.01, 27.85], [x0 + 0.01, 27.860000049], [x0, 27.86], [x0 + 0.0000001234, 27.85]]] };
      } else if (i === 5) {
        geometry = { type: 'MultiPolygon', coordinates: [square(x0, 27.85, 0.005), square(x0 + 0.005, 27.855, 0.005)] };
      } else {
        geometry = { type: 'Polygon', coordinates: square(x0, 27.85, 0.01) };
      }
      const community = code.slice(0, 12);
      const households = 100 + 10 * i;
      insertBlock.run(code, `区块${i + 1}`, community, community.slice(0, 9), households, households * 3, 1_090_000 + i, x0, x0 + 0.01, x0 + 0.005, JSON.stringify(geometry));
      insertBuilding.run(i + 1, community, x0 + 0.005, households, households * 3, JSON.stringify({ type: 'Polygon', coordinates: square(x0 + 0.004, 27.854, 0.002) }));
      insertBB.run(i + 1, code);
    });

    const insertUnit = db.prepare(`INSERT INTO units (id, kind, key, name, name_en, subdistrict_code) VALUES (?, ?, ?, ?, ?, ?)`);
    insertUnit.run(1, 'centre', 'rapid-response', '广场街道快速处置中心', 'Rapid-response centre', SUBDISTRICTS[0]);
    insertUnit.run(2, 'department', 'urban-management', '城管广场中队', 'Urban management', SUBDISTRICTS[0]);
    insertUnit.run(3, 'centre', 'livelihood', '长城乡民生事务中心', 'Livelihood centre', SUBDISTRICTS[1]);
    insertUnit.run(4, 'department', 'police', '长城派出所', 'Police', SUBDISTRICTS[1]);

    const insertStaff = db.prepare(`INSERT INTO staff (id, name, gender, phone) VALUES (?, ?, ?, ?)`);
    const insertRole = db.prepare(
      `INSERT INTO role_assignments (staff_id, role, version_id, block_code, unit_id, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertPos = db.prepare(`INSERT INTO staff_positions (staff_id, lon, lat, at) VALUES (?, ?, 27.855, ?)`);
    let staffId = 0;
    const person = (gender: 'F' | 'M') => {
      staffId += 1;
      insertStaff.run(staffId, `员工${staffId}`, gender, `1380000${String(staffId).padStart(4, '0')}`);
      return staffId;
    };
    BLOCKS.forEach((code, i) => {
      const x = 112.805 + 0.01 * i;
      const g = person('M');
      insertRole.run(g, 'governor', 1, code, null, NOW - 90 * DAY, null);
      insertPos.run(g, x, NOW - 5 * 60_000);
      for (let a = 0; a < 1 + (i % 2); a++) insertRole.run(person('F'), 'assistant', 1, code, null, NOW - 90 * DAY, null);
      insertRole.run(person('M'), 'supervisor', 1, code, null, NOW - 90 * DAY, null);
    });
    // A governor who left: ended assignment, must not show.
    insertRole.run(person('F'), 'governor', 1, BLOCKS[0], null, NOW - 200 * DAY, NOW - 90 * DAY);
    // The first block's governor also assists in block 2 (two roles → two staff items).
    insertRole.run(1, 'assistant', 1, BLOCKS[2], null, NOW - 10 * DAY, null);
    for (const unit of [1, 2, 3, 4]) {
      insertRole.run(person('M'), unit % 2 ? 'centre-staff' : 'officer', null, null, unit, NOW - 90 * DAY, null);
    }
    person('F'); // on file, no role: listed only when no filter is given

    const cat = db.prepare(
      `INSERT INTO categories (code, major_code, major_name, major_name_en, name, name_en, tier, unit_key, deadline_value, deadline_unit, warning_ratio)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0.8)`,
    );
    cat.run('0102', '01', '市容环境', 'City appearance', '暴露垃圾', 'Exposed rubbish', 'block', 'block', 4, 'working-hours');
    cat.run('0103', '01', '市容环境', 'City appearance', '积存垃圾渣土', 'Accumulated waste', 'centre', 'rapid-response', 2, 'working-days');
    cat.run('5101', '51', '矛盾纠纷', 'Disputes', '邻里纠纷', 'Neighbour dispute', 'centre', 'livelihood', 24, 'natural-hours');

    db.prepare(`INSERT INTO roads (id, name, class, speed_kmh, oneway, geometry) VALUES (1, '雨湖路', 'arterial', 40, 0, ?), (2, '小巷', 'street', 15, 1, ?)`).run(
      JSON.stringify({ type: 'LineString', coordinates: [[112.8, 27.855], [112.86, 27.855]] }),
      JSON.stringify({ type: 'LineString', coordinates: [[112.805, 27.85], [112.805, 27.86]] }),
    );
    const layer = (name: string) =>
      JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: '湘江' }, geometry: { type: 'LineString', coordinates: [[112.8, 27.849], [112.86, 27.8491234567]] } }] });
    db.prepare(`INSERT INTO map_layers (name, source, geojson) VALUES ('water', 'real', ?), ('rivers', 'real', ?)`).run(layer('water'), layer('rivers'));
  })();

  const events = insertEvents(db);
  return { db, file, events, ...counts(db) };
}

function counts(db: Db) {
  const staffCount = (db.prepare('SELECT count(*) AS n FROM staff').get() as { n: number }).n;
  // staff × active role (current version), plus one row for each staff with no active role
  const roleCount = (db.prepare(
    `SELECT count(*) AS n FROM staff s LEFT JOIN role_assignments r ON r.staff_id = s.id AND r.valid_to IS NULL`,
  ).get() as { n: number }).n;
  return { staffCount, roleCount };
}

/** 30 events: status cycles through the lifecycle; due times straddle NOW so some open ones are overdue. */
function insertEvents(db: Db): FixtureEvent[] {
  const statuses = ['reported', 'filed', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated', 'rejected', 'dispatched'];
  const cats = ['0102', '0103', '5101'];
  const insert = db.prepare(
    `INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id, block_code,
       community_code, subdistrict_code, reporter, assignee_id, reported_at, filed_at, dispatched_at, accepted_at, arrived_at,
       resolved_at, closed_at, evaluated_at, due_at, satisfaction, rework_count, extension_count, escalated)
     VALUES (@id, @caseNo, 'incident', @channel, @category, @priority, @status, @tier, @text, @lon, @lat, 1, @block,
       @community, @subdistrict, '市民', @assignee, @reportedAt, @filedAt, @dispatchedAt, @acceptedAt, @arrivedAt,
       @resolvedAt, @closedAt, @evaluatedAt, @dueAt, @satisfaction, @rework, 0, @escalated)`,
  );
  const log = db.prepare(
    `INSERT INTO event_log (event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const out: FixtureEvent[] = [];
  db.transaction(() => {
    for (let i = 0; i < 30; i++) {
      const id = i + 1;
      const status = statuses[i % statuses.length];
      const b = i % BLOCKS.length;
      const block = BLOCKS[b];
      // Pairs of events share a reported_at (ids 1-2, 3-4, …) so pagination must break ties by id.
      const reportedAt = NOW - Math.floor(i / 2) * 7 * HOUR - 30 * 60_000;
      const dueAt = reportedAt + (i % 3 === 0 ? 2 * HOUR : 5 * DAY);
      const category = cats[i % 3];
      const lon = 112.8 + 0.01 * b + 0.002 + 0.0002 * i;
      const lat = 27.851 + 0.0002 * i;
      const steps = status === 'rejected' ? ['reported', 'rejected'] : LOG_PATH.slice(0, LOG_PATH.indexOf(status) + 1);
      const at = (s: string) => (steps.includes(s) ? reportedAt + (LOG_PATH.indexOf(s) + 1) * 10 * 60_000 : null);
      const assignee = steps.includes('dispatched') ? 1 + b * 4 : null; // the block's governor id pattern is approximate
      insert.run({
        id,
        caseNo: `YH20240615${String(id).padStart(4, '0')}`,
        channel: ['patrol', 'hotline', 'wechat', 'consultation', 'walk-in'][i % 5],
        category,
        priority: i % 7 === 0 ? 'urgent' : 'normal',
        status,
        tier: category === '0102' ? 'block' : 'centre',
        text: `事件${id}：路边有垃圾`,
        lon,
        lat,
        block,
        community: block.slice(0, 12),
        subdistrict: block.slice(0, 9),
        assignee,
        reportedAt,
        filedAt: at('filed'),
        dispatchedAt: at('dispatched'),
        acceptedAt: at('accepted'),
        arrivedAt: at('arrived'),
        resolvedAt: at('resolved'),
        closedAt: at('closed'),
        evaluatedAt: at('evaluated'),
        dueAt,
        satisfaction: status === 'evaluated' ? 5 : null,
        rework: i === 6 ? 1 : 0,
        escalated: i === 0 ? 1 : 0,
      });
      let prev: string | null = null;
      for (const s of steps) {
        log.run(id, s === 'reported' ? reportedAt : at(s) ?? reportedAt + HOUR, s === 'reported' ? null : 1, s === 'reported' ? 'resident' : 'dispatcher', prev, s, s === 'dispatched' ? assignee : null, '');
        prev = s;
      }
      out.push({ id, status, block, category, reportedAt, dueAt, lon, lat });
    }
  })();
  return out;
}

/** Reads a response as problem+json and returns it (fails the test if it is not one). */
export async function readProblem(res: Response): Promise<{
  type: string; title: string; status: number; detail: string; errors?: { in: string; name: string; detail: string }[];
}> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${type} (${res.status})`);
  const body = await res.json();
  if (body.status !== res.status || typeof body.title !== 'string' || typeof body.detail !== 'string' || typeof body.type !== 'string') {
    throw new Error(`not a problem document: ${JSON.stringify(body)}`);
  }
  return body;
}

/** The body of a response as text, undoing Content-Encoding (app.request does not decompress, unlike fetch). */
export async function bodyText(res: Response): Promise<string> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const enc = res.headers.get('content-encoding');
  if (enc === 'gzip') return gunzipSync(bytes).toString('utf8');
  if (enc === 'br') return brotliDecompressSync(bytes).toString('utf8');
  if (enc === 'deflate') return inflateSync(bytes).toString('utf8');
  return bytes.toString('utf8');
}
