/** Request bodies of /api/plans: their shape checked here (400 naming the field); values are the service's to judge. */
import type { FeatureCollection } from 'geojson';
import { invalidParam } from '../http/problem.ts';
import type { PlanRules } from '../domain/plan/validate.ts';
import type { PlanEditInput } from '../services/plans.ts';
import type { PublishInput, TeamInput } from '../services/plan-publish.ts';

type Obj = Record<string, unknown>;

export function object(raw: unknown, allowed: readonly string[], name = 'body'): Obj {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParam(name, 'must be a JSON object', 'body');
  for (const k of Object.keys(raw)) if (!allowed.includes(k)) throw invalidParam(name === 'body' ? k : `${name}.${k}`, `unknown field; allowed: ${allowed.join(', ')}`, 'body');
  return raw as Obj;
}

export function text(o: Obj, name: string, max: number, required: true): string;
export function text(o: Obj, name: string, max: number, required?: false): string | undefined;
export function text(o: Obj, name: string, max: number, required = false): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) {
    if (required) throw invalidParam(name, 'is required', 'body');
    return undefined;
  }
  if (typeof v !== 'string' || (required && v.trim() === '') || v.length > max) throw invalidParam(name, `must be a ${required ? 'non-empty ' : ''}string of at most ${max} characters`, 'body');
  return v;
}

export function revisionOf(o: Obj): number {
  const v = o.revision;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalidParam('revision', 'is required: the revision of the plan the edit was made on (a whole number)', 'body');
  return v;
}

const code15 = (name: string, v: unknown): string => {
  if (typeof v !== 'string' || !/^\d{15}$/.test(v)) throw invalidParam(name, 'must be a 15-digit block code', 'body');
  return v;
};

const ids = (name: string, v: unknown): number[] => {
  if (!Array.isArray(v) || v.length === 0 || v.length > 20_000) throw invalidParam(name, 'must be a non-empty array of building ids', 'body');
  return v.map((x, i) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1) throw invalidParam(`${name}[${i}]`, 'must be a building id (a positive integer)', 'body');
    return x;
  });
};

const lonLat = (name: string, v: unknown): [number, number] => {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number' || Math.abs(v[0]) > 180 || Math.abs(v[1]) > 90) {
    throw invalidParam(name, 'must be [longitude, latitude] in degrees', 'body');
  }
  return [v[0], v[1]];
};

export const EDIT_OPS = ['move', 'split', 'merge', 'create', 'retire'] as const;

export function parseEdit(raw: unknown): { revision: number; edit: PlanEditInput } {
  const o = object(raw, ['revision', 'op', 'buildings', 'to', 'block', 'line', 'blocks']);
  const revision = revisionOf(o);
  const op = o.op;
  if (typeof op !== 'string' || !(EDIT_OPS as readonly string[]).includes(op)) throw invalidParam('op', `must be one of ${EDIT_OPS.join(', ')}`, 'body');
  let edit: PlanEditInput;
  switch (op as (typeof EDIT_OPS)[number]) {
    case 'move':
      edit = { op: 'move', buildings: ids('buildings', o.buildings), to: code15('to', o.to) };
      break;
    case 'create':
      edit = { op: 'create', buildings: ids('buildings', o.buildings) };
      break;
    case 'split': {
      if (!Array.isArray(o.line) || o.line.length < 2 || o.line.length > 1000) throw invalidParam('line', 'must be an array of 2 to 1000 [longitude, latitude] points', 'body');
      edit = { op: 'split', block: code15('block', o.block), line: o.line.map((p, i) => lonLat(`line[${i}]`, p)) };
      break;
    }
    case 'merge': {
      if (!Array.isArray(o.blocks) || o.blocks.length !== 2) throw invalidParam('blocks', 'must be two block codes: the block that stays and the block merged into it', 'body');
      edit = { op: 'merge', blocks: [code15('blocks[0]', o.blocks[0]), code15('blocks[1]', o.blocks[1])] };
      break;
    }
    case 'retire':
      edit = { op: 'retire', block: code15('block', o.block) };
      break;
  }
  return { revision, edit };
}

export function parseRules(v: unknown): Partial<PlanRules> | undefined {
  if (v === undefined || v === null) return undefined;
  const o = object(v, ['minPolsbyPopper', 'minReock', 'maxDeviation'], 'rules');
  const out: Partial<PlanRules> = {};
  const share = (name: string, x: unknown, max: number): number => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > max) throw invalidParam(name, `must be a number from 0 to ${max}`, 'body');
    return x;
  };
  if (o.minPolsbyPopper !== undefined) out.minPolsbyPopper = share('rules.minPolsbyPopper', o.minPolsbyPopper, 1);
  if (o.minReock !== undefined) out.minReock = share('rules.minReock', o.minReock, 1);
  if (o.maxDeviation !== undefined) {
    const m = object(o.maxDeviation, ['residents', 'households', 'events', 'householdsPerStaff'], 'rules.maxDeviation');
    const dev: Partial<PlanRules['maxDeviation']> = {};
    for (const [k, x] of Object.entries(m)) dev[k as keyof PlanRules['maxDeviation']] = share(`rules.maxDeviation.${k}`, x, 100);
    out.maxDeviation = dev as PlanRules['maxDeviation'];
  }
  return out;
}

export function parseInstant(name: string, v: unknown): number {
  if (typeof v !== 'string' || v.length > 40 || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    throw invalidParam(name, 'must be an ISO 8601 date-time with offset (2026-12-01T00:00:00+08:00)', 'body');
  }
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw invalidParam(name, 'is not a real instant', 'body');
  return t;
}

export function parsePublish(raw: unknown): PublishInput {
  const o = object(raw, ['revision', 'name', 'note', 'effectiveFrom', 'teams']);
  const teams: PublishInput['teams'] = {};
  if (o.teams !== undefined) {
    if (typeof o.teams !== 'object' || o.teams === null || Array.isArray(o.teams)) throw invalidParam('teams', 'must be an object keyed by block code', 'body');
    for (const [code, t] of Object.entries(o.teams as Obj)) {
      code15(`teams.${code}`, code);
      const to = object(t, ['governor', 'assistants', 'supervisor', 'carryFrom'], `teams.${code}`);
      if (to.carryFrom !== undefined) {
        teams[code] = { carryFrom: code15(`teams.${code}.carryFrom`, to.carryFrom) };
        continue;
      }
      const staff = (name: string, x: unknown): number => {
        if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1) throw invalidParam(name, 'must be a staff id', 'body');
        return x;
      };
      if (!Array.isArray(to.assistants)) throw invalidParam(`teams.${code}.assistants`, 'must be an array of staff ids', 'body');
      teams[code] = {
        governor: staff(`teams.${code}.governor`, to.governor),
        assistants: to.assistants.map((a, i) => staff(`teams.${code}.assistants[${i}]`, a)),
        supervisor: staff(`teams.${code}.supervisor`, to.supervisor),
      } satisfies TeamInput;
    }
  }
  return {
    revision: revisionOf(o),
    name: text(o, 'name', 200, true),
    note: text(o, 'note', 2000) ?? '',
    effectiveFrom: parseInstant('effectiveFrom', o.effectiveFrom),
    teams,
  };
}

export function parseFeatureCollection(v: unknown): FeatureCollection {
  if (typeof v !== 'object' || v === null || (v as Obj).type !== 'FeatureCollection' || !Array.isArray((v as Obj).features)) {
    throw invalidParam('geojson', 'must be a GeoJSON FeatureCollection', 'body');
  }
  const fc = v as FeatureCollection;
  if (fc.features.length === 0 || fc.features.length > 20_000) throw invalidParam('geojson.features', 'must hold 1 to 20,000 features', 'body');
  fc.features.forEach((f, k) => {
    if (typeof f !== 'object' || f === null || f.type !== 'Feature' || typeof f.geometry !== 'object' || f.geometry === null) {
      throw invalidParam(`geojson.features[${k}]`, 'must be a Feature with a geometry', 'body');
    }
    const g = f.geometry as { type?: unknown; coordinates?: unknown };
    const where = `geojson.features[${k}].geometry`;
    if (g.type === 'Polygon') polygonShape(where, g.coordinates);
    else if (g.type === 'MultiPolygon') {
      if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) throw invalidParam(where, 'a MultiPolygon needs at least one polygon', 'body');
      g.coordinates.forEach((p, i) => polygonShape(`${where}.coordinates[${i}]`, p));
    }
  });
  return fc;
}

/** Rings of at least four [lon, lat] positions with finite numbers. */
function polygonShape(where: string, rings: unknown): void {
  if (!Array.isArray(rings) || rings.length === 0) throw invalidParam(where, 'a polygon needs at least one ring', 'body');
  rings.forEach((ring, r) => {
    if (!Array.isArray(ring) || ring.length < 4) throw invalidParam(`${where}[${r}]`, 'a ring needs at least four positions', 'body');
    for (const p of ring) {
      if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw invalidParam(`${where}[${r}]`, 'positions must be [longitude, latitude] numbers', 'body');
      }
    }
  });
}
