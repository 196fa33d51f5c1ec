/**
 * Writes of a roster import: people found by name and phone or added, and each listed block's team made exactly
 * the roster's — assignments the roster no longer lists end now, new ones start now, equal ones are left alone (so
 * importing the same roster twice changes nothing). The caller runs it in one transaction. No domain rules here.
 */
import type { Db } from '../database.ts';

export interface RosterPerson {
  name: string;
  phone: string;
  gender: 'F' | 'M';
}

export interface RosterTeam {
  block_code: string;
  members: { person: RosterPerson; role: 'governor' | 'assistant' | 'supervisor' }[];
}

export function importRosterCommands(db: Db) {
  const version = db.prepare<[number], { id: number }>(
    `SELECT id FROM boundary_versions WHERE effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1`,
  );
  const blockCodes = db.prepare<[number], { code: string }>(`SELECT code FROM blocks WHERE version_id = ?`);
  const findStaff = db.prepare<[string, string], { id: number }>(`SELECT id FROM staff WHERE name = ? AND phone = ? ORDER BY id LIMIT 1`);
  const addStaff = db.prepare(`INSERT INTO staff (name, gender, phone) VALUES (?, ?, ?)`);
  const active = db.prepare<[number, string, number], { id: number; staff_id: number; role: string }>(
    `SELECT id, staff_id, role FROM role_assignments
      WHERE version_id = ? AND block_code = ? AND valid_to IS NULL AND valid_from <= ? AND role IN ('governor', 'assistant', 'supervisor')`,
  );
  const end = db.prepare(`UPDATE role_assignments SET valid_to = ? WHERE id = ?`);
  const add = db.prepare(`INSERT INTO role_assignments (staff_id, role, version_id, block_code, unit_id, valid_from) VALUES (?, ?, ?, ?, NULL, ?)`);

  return {
    /** The boundary version in force at `now` and its block codes; null when there are no boundaries yet. */
    blocksInForce(now: number): { versionId: number; codes: Set<string> } | null {
      const v = version.get(now);
      return v ? { versionId: v.id, codes: new Set(blockCodes.all(v.id).map((r) => r.code)) } : null;
    },
    /** Makes each team exactly the roster's; returns what changed. */
    writeTeams(versionId: number, teams: readonly RosterTeam[], now: number): { staffAdded: number; started: number; ended: number } {
      const out = { staffAdded: 0, started: 0, ended: 0 };
      db.transaction(() => {
        for (const t of teams) {
          const wanted = new Map<string, { staffId: number; role: string }>();
          for (const m of t.members) {
            let id = findStaff.get(m.person.name, m.person.phone)?.id;
            if (id === undefined) {
              id = Number(addStaff.run(m.person.name, m.person.gender, m.person.phone).lastInsertRowid);
              out.staffAdded++;
            }
            wanted.set(`${id}|${m.role}`, { staffId: id, role: m.role });
          }
          // Ends first: the one-governor and one-supervisor indexes allow one open assignment at a time.
          for (const a of active.all(versionId, t.block_code, now)) {
            if (wanted.delete(`${a.staff_id}|${a.role}`)) continue;
            end.run(now, a.id);
            out.ended++;
          }
          for (const w of wanted.values()) {
            add.run(w.staffId, w.role, versionId, t.block_code, now);
            out.started++;
          }
        }
      })();
      return out;
    },
  };
}
