/**
 * Publishing a draft: a new boundary version effective at a chosen instant, in one transaction — its blocks
 * (unchanged blocks keep their published geometry text), every building's membership, the 1+N+1 team of every block
 * (carried over for a block that keeps its code, given in the request for a new one, or carried from a named block),
 * the old version's block teams ended at that instant, and the events reported from then on located again under the
 * new blocks. The old version stays as it was, so `?version=` still answers it and past events keep their blocks.
 */
import area from '@turf/area';
import type { Db } from '../db/database.ts';
import { planCommands, StalePublish, type PublishedBlockRow, type TeamAssignment } from '../db/commands/plans.ts';
import { geometryBbox } from '../db/seed/write-geodata.ts';
import type { PlanState } from '../domain/plan/state.ts';
import { INVALID_FIELD } from '../domain/lifecycle.ts';
import { PLAN_NOT_PUBLISHABLE, refuse, refuseField, STALE_PLAN } from '../domain/refusal.ts';
import type { Caller } from '../domain/principal.ts';
import type { PlanService } from './plans.ts';

export interface TeamInput {
  governor: number;
  assistants: number[];
  supervisor: number;
}

export interface PublishInput {
  revision: number;
  name: string;
  note: string;
  effectiveFrom: number;
  /** Teams by block code: a team, or `{ carryFrom: code }` to take over a published block's team. */
  teams: Record<string, TeamInput | { carryFrom: string }>;
}

export interface PublishResult {
  versionId: number;
  blocks: number;
  relocatedEvents: number;
}

export function createPlanPublisher(deps: { db: Db; now: () => number }, plans: PlanService) {
  const cmd = planCommands(deps.db);
  const ws = plans.workspace;
  const q = ws.q;

  return function publish(id: number, input: PublishInput, caller: Caller): PublishResult {
    const { draftRow, sessionOf, validationOf } = plans.internals;
    const p = draftRow(id, input.revision);
    const latest = q.latestVersionId();
    if (latest !== p.base_version_id) {
      throw refuse(STALE_PLAN, `Version ${latest} was published after this plan started from version ${p.base_version_id}: start a new plan from it`, {
        facts: { baseVersionId: p.base_version_id, latestVersionId: latest },
      });
    }
    const session = sessionOf(p);
    const s = session.state;
    const validation = validationOf(p, session);
    if (!validation.valid) {
      throw refuse(PLAN_NOT_PUBLISHABLE, `The plan has ${validation.errors} error(s): fix them before publishing`, {
        facts: { issues: validation.issues.filter((i) => i.severity === 'error') },
      });
    }

    const now = deps.now();
    const baseTeams = new Map<string, TeamAssignment[]>();
    for (const t of q.teams(p.base_version_id, now)) {
      const list = baseTeams.get(t.block_code) ?? [];
      list.push({ block_code: t.block_code, role: t.role, staff_id: t.staff_id });
      baseTeams.set(t.block_code, list);
    }
    const teams: TeamAssignment[] = [];
    const missing: string[] = [];
    for (const code of Object.keys(input.teams)) {
      if (!s.has(code)) throw refuseField(INVALID_FIELD, `Block ${code} is not in the plan`, `teams.${code}`, 'no such block in the plan');
    }
    for (const code of s.codes()) {
      const given = input.teams[code];
      if (given && 'carryFrom' in given) {
        const from = baseTeams.get(given.carryFrom);
        if (!from) throw refuseField(INVALID_FIELD, `Block ${given.carryFrom} has no team to carry over`, `teams.${code}.carryFrom`, 'no published block with a team');
        teams.push(...from.map((t) => ({ ...t, block_code: code })));
      } else if (given) {
        teams.push(...teamRows(code, given, (sid) => q.staffExists(sid)));
      } else if (baseTeams.has(code)) {
        teams.push(...baseTeams.get(code)!);
      } else missing.push(code);
    }
    if (missing.length > 0) {
      throw refuse(PLAN_NOT_PUBLISHABLE, `Every new block needs its 1+N+1 team: ${missing.join(', ')} has none`, { facts: { missingTeams: missing } });
    }

    const changed = session.changedCodes();
    const baseRows = new Map(q.blocks(p.base_version_id).map((b) => [b.code, b]));
    const blocks = s.codes().map((code) => blockRow(s, code, changed.has(code) ? null : baseRows.get(code)?.geometry ?? null));
    const d = s.district;
    const membership: [number, string][] = [];
    for (let i = 0; i < d.size; i++) membership.push([d.ids[i], s.codeOf(i)]);
    const relocated = relocate(s, q.eventsReportedFrom(input.effectiveFrom));

    let versionId: number | null;
    try {
      versionId = deps.db.transaction(() => {
        const v = cmd.publish({
        planId: id, revision: input.revision, baseVersionId: p.base_version_id, name: input.name, note: input.note,
          effectiveFrom: input.effectiveFrom, publishedAt: now, blocks, membership, teams, relocated,
        });
        plans.internals.audit.record(caller, { action: 'plan.publish', target: `plan:${id}`, after: { version: v, blocks: blocks.length, relocated: relocated.length } }, now);
        return v;
      })();
    } catch (err) {
      if (err instanceof StalePublish) throw refuse(STALE_PLAN, `Plan ${id} changed meanwhile`);
      throw err;
    }
    ws.published();
    return { versionId: versionId!, blocks: blocks.length, relocatedEvents: relocated.length };
  };
}

function teamRows(code: string, t: TeamInput, exists: (id: number) => boolean): TeamAssignment[] {
  const field = `teams.${code}`;
  if (t.assistants.length < 1) throw refuseField(INVALID_FIELD, `Block ${code} needs at least one assistant (1+N+1)`, `${field}.assistants`, 'at least one');
  const people = [t.governor, ...t.assistants, t.supervisor];
  for (const sid of people) if (!exists(sid)) throw refuseField(INVALID_FIELD, `No staff member ${sid}`, field, `unknown staff ${sid}`);
  if (new Set(people).size !== people.length) {
    throw refuseField(INVALID_FIELD, `Block ${code}: one person holds two roles; the supervisor handles none of the block's cases`, field, 'each person once');
  }
  return [
    { block_code: code, role: 'governor', staff_id: t.governor },
    ...t.assistants.map((a) => ({ block_code: code, role: 'assistant' as const, staff_id: a })),
    { block_code: code, role: 'supervisor', staff_id: t.supervisor },
  ];
}

function blockRow(s: PlanState, code: string, keptGeometry: string | null): PublishedBlockRow {
  const g = s.geometry(code)!;
  const d = s.district;
  const info = s.info(code);
  let households = 0, residents = 0, x = 0, y = 0;
  const members = s.members(code);
  for (const i of members) (households += d.households[i]), (residents += d.residents[i]), (x += d.lon[i] * d.households[i]), (y += d.lat[i] * d.households[i]);
  // The label point is the building nearest the household-weighted centre: always inside the block.
  const w = Math.max(households, 1);
  let best = members[0], bestD = Infinity;
  for (const i of members) {
    const dd = (d.lon[i] - x / w) ** 2 + (d.lat[i] - y / w) ** 2;
    if (dd < bestD) (bestD = dd), (best = i);
  }
  const [minLon, minLat, maxLon, maxLat] = geometryBbox(g);
  return {
    code, name: info.name, community_code: info.communityCode, subdistrict_code: info.subdistrictCode, households, residents,
    area_m2: Math.round(area(g)), min_lon: minLon, min_lat: minLat, max_lon: maxLon, max_lat: maxLat,
    center_lon: d.lon[best], center_lat: d.lat[best], geometry: keptGeometry ?? JSON.stringify(g),
  };
}

/** Each event's block under the plan: the block of the parcel it fell in, or of the nearest building outside any. */
function relocate(s: PlanState, events: { id: number; lon: number; lat: number }[]): [number, string][] {
  const d = s.district;
  const at = d.locate(Float64Array.from(events, (e) => e.lon), Float64Array.from(events, (e) => e.lat));
  return events.map((e, k) => {
    let b = at[k];
    if (b < 0) {
      let bestD = Infinity;
      for (let i = 0; i < d.size; i++) {
        const dd = (d.lon[i] - e.lon) ** 2 + (d.lat[i] - e.lat) ** 2;
        if (dd < bestD) (bestD = dd), (b = i);
      }
    }
    return [e.id, s.codeOf(b)];
  });
}
