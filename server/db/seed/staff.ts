/**
 * The people: per block a 1+N+1 team (1 governor, 2–5 assistants, 1 supervisor shared by ~3 neighbouring blocks
 * of a community), 4 centres per subdistrict with 3–8 staff each (one inspector per centre), and city departments'
 * officers posted to each subdistrict. Writes units, staff, role_assignments and staff_positions.
 */
import type { Db } from '../database.ts';
import type { GeneratedDistrict, GeneratedBuilding } from '../../geo/gen/types.ts';
import { CENTRE_KEYS, DEPARTMENT_KEYS, TAXONOMY, type CentreKey, type DepartmentKey, type Taxonomy } from '../../contract/taxonomy.ts';
import type { Rng } from '../../domain/prng.ts';
import { uniqueMobile, uniqueName, type Gender } from './names.ts';
import { BASELINE_EFFECTIVE_FROM, BASELINE_VERSION_ID } from './write-geodata.ts';

export interface BlockTeam {
  governor: number;
  assistants: number[];
  supervisor: number;
}

export interface UnitStaff {
  unitId: number;
  /** Staff who handle cases (centre-staff or officers). */
  handlers: number[];
  /** The centre's inspector (centres only). */
  inspector: number | null;
}

export interface StaffDirectory {
  blockTeams: Map<string, BlockTeam>;
  /** subdistrict code → centre key → unit */
  centres: Map<string, Map<CentreKey, UnitStaff>>;
  /** subdistrict code → department key → unit */
  departments: Map<string, Map<DepartmentKey, UnitStaff>>;
  /** staff id → name */
  names: Map<number, string>;
  counts: { units: number; staff: number; roleAssignments: number; positions: number };
}

const METRES_PER_DEG_LAT = 111_320;

function jitter(rng: Rng, lon: number, lat: number, metres: number): [number, number] {
  const r = metres * Math.sqrt(rng.next());
  const a = rng.next() * 2 * Math.PI;
  const dLat = (r * Math.sin(a)) / METRES_PER_DEG_LAT;
  const dLon = (r * Math.cos(a)) / (METRES_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
  return [lon + dLon, lat + dLat];
}

/** Splits n items into consecutive groups of 2–4 (mostly 3); a lone item stays alone. */
function groupSizes(rng: Rng, n: number): number[] {
  const out: number[] = [];
  let left = n;
  while (left > 0) {
    if (left <= 4) {
      out.push(left);
      break;
    }
    const s = rng.weighted([2, 3, 4], [1, 3, 1]);
    out.push(s);
    left -= s;
  }
  return out;
}

export function writeStaff(db: Db, d: GeneratedDistrict, rng: Rng, now: number, taxonomy: Taxonomy = TAXONOMY): StaffDirectory {
  const insertUnit = db.prepare('INSERT INTO units (id, kind, key, name, name_en, subdistrict_code) VALUES (?, ?, ?, ?, ?, ?)');
  const insertStaff = db.prepare('INSERT INTO staff (id, name, gender, phone) VALUES (?, ?, ?, ?)');
  const insertRole = db.prepare(
    `INSERT INTO role_assignments (staff_id, role, version_id, block_code, unit_id, valid_from, valid_to)
     VALUES (?, ?, ?, ?, ?, ?, NULL)`,
  );
  const insertPosition = db.prepare('INSERT INTO staff_positions (staff_id, lon, lat, at) VALUES (?, ?, ?, ?)');

  const dir: StaffDirectory = {
    blockTeams: new Map(),
    centres: new Map(),
    departments: new Map(),
    names: new Map(),
    counts: { units: 0, staff: 0, roleAssignments: 0, positions: 0 },
  };
  const phones = new Set<string>();
  let nextStaffId = 1;
  let nextUnitId = 1;

  const person = (gender: Gender, taken: Set<string>): number => {
    const id = nextStaffId++;
    const name = uniqueName(rng, gender, taken);
    insertStaff.run(id, name, gender, uniqueMobile(rng, phones));
    dir.names.set(id, name);
    dir.counts.staff++;
    return id;
  };
  const blockRole = (id: number, role: 'governor' | 'assistant' | 'supervisor', blockCode: string): void => {
    insertRole.run(id, role, BASELINE_VERSION_ID, blockCode, null, BASELINE_EFFECTIVE_FROM);
    dir.counts.roleAssignments++;
  };
  const unitRole = (id: number, role: 'centre-staff' | 'centre-inspector' | 'officer', unitId: number): void => {
    insertRole.run(id, role, null, null, unitId, BASELINE_EFFECTIVE_FROM);
    dir.counts.roleAssignments++;
  };
  const position = (id: number, lon: number, lat: number): void => {
    insertPosition.run(id, lon, lat, now - rng.int(0, 20 * 60) * 1000);
    dir.counts.positions++;
  };

  const buildingsByBlock = new Map<string, GeneratedBuilding[]>();
  for (const b of d.buildings) {
    let list = buildingsByBlock.get(b.blockCode);
    if (!list) buildingsByBlock.set(b.blockCode, (list = []));
    list.push(b);
  }
  const placeInBlock = (blockCode: string, fallback: [number, number]): [number, number] => {
    const list = buildingsByBlock.get(blockCode);
    if (!list || list.length === 0) return fallback;
    const b = rng.pick(list);
    return jitter(rng, b.lon, b.lat, 15);
  };

  db.transaction(() => {
    // Block teams, community by community; blocks are numbered west→east, north→south, so consecutive blocks of a
    // community are neighbours and share a supervisor.
    const blocksByCommunity = new Map<string, GeneratedDistrict['blocks']>();
    for (const bl of [...d.blocks].sort((a, b) => a.code.localeCompare(b.code))) {
      let list = blocksByCommunity.get(bl.communityCode);
      if (!list) blocksByCommunity.set(bl.communityCode, (list = []));
      list.push(bl);
    }
    for (const [, blocks] of [...blocksByCommunity].sort((a, b) => a[0].localeCompare(b[0]))) {
      let i = 0;
      for (const size of groupSizes(rng, blocks.length)) {
        const group = blocks.slice(i, i + size);
        i += size;
        const supervisorNames = new Set<string>();
        const supervisor = person(rng.chance(0.45) ? 'F' : 'M', supervisorNames);
        const supName = dir.names.get(supervisor)!;
        position(supervisor, ...placeInBlock(group[0].code, group[0].center));
        for (const bl of group) {
          const taken = new Set<string>([supName]);
          const governor = person(rng.chance(0.58) ? 'F' : 'M', taken);
          blockRole(governor, 'governor', bl.code);
          position(governor, ...placeInBlock(bl.code, bl.center));
          const assistants: number[] = [];
          const nAssistants = rng.weighted([2, 3, 4, 5], [3, 4, 2, 1]);
          for (let k = 0; k < nAssistants; k++) {
            const a = person(rng.chance(0.55) ? 'F' : 'M', taken);
            blockRole(a, 'assistant', bl.code);
            position(a, ...placeInBlock(bl.code, bl.center));
            assistants.push(a);
          }
          blockRole(supervisor, 'supervisor', bl.code);
          dir.blockTeams.set(bl.code, { governor, assistants, supervisor });
        }
      }
    }

    // Centres and department postings per subdistrict.
    for (const s of [...d.subdistricts].sort((a, b) => a.code.localeCompare(b.code))) {
      const centres = new Map<CentreKey, UnitStaff>();
      for (const key of CENTRE_KEYS) {
        const t = taxonomy.centres.find((c) => c.key === key)!;
        const unitId = nextUnitId++;
        insertUnit.run(unitId, 'centre', key, `${s.name}${t.name}`, `${t.nameEn}, ${s.nameEn}`, s.code);
        dir.counts.units++;
        const taken = new Set<string>();
        const n = rng.int(3, 8);
        const inspector = person(rng.chance(0.5) ? 'F' : 'M', taken);
        unitRole(inspector, 'centre-inspector', unitId);
        const handlers: number[] = [];
        for (let k = 1; k < n; k++) {
          const id = person(rng.chance(0.55) ? 'F' : 'M', taken);
          unitRole(id, 'centre-staff', unitId);
          handlers.push(id);
          // The rapid-response centre works in the field; the others start from the subdistrict office, so the
          // dispatcher's road ETAs cover every centre's staff.
          position(id, ...jitter(rng, s.center[0], s.center[1], key === 'rapid-response' ? 600 : 150));
        }
        centres.set(key, { unitId, handlers, inspector });
      }
      dir.centres.set(s.code, centres);

      const departments = new Map<DepartmentKey, UnitStaff>();
      for (const key of DEPARTMENT_KEYS) {
        const t = taxonomy.departments.find((x) => x.key === key)!;
        const unitId = nextUnitId++;
        insertUnit.run(unitId, 'department', key, `${t.name}（${s.name}）`, `${t.nameEn} (${s.nameEn})`, s.code);
        dir.counts.units++;
        const taken = new Set<string>();
        const handlers: number[] = [];
        const n = rng.int(2, 6);
        for (let k = 0; k < n; k++) {
          const id = person(rng.chance(0.3) ? 'F' : 'M', taken);
          unitRole(id, 'officer', unitId);
          position(id, ...jitter(rng, s.center[0], s.center[1], 900));
          handlers.push(id);
        }
        departments.set(key, { unitId, handlers, inspector: null });
      }
      dir.departments.set(s.code, departments);
    }
  })();
  return dir;
}
