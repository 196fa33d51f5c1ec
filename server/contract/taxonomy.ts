/**
 * The two-level event taxonomy (categories.json): typed, validated on load, with lookups.
 * Pure: no database, no framework.
 */
import rawTaxonomy from './categories.json' with { type: 'json' };

export type Tier = 'block' | 'centre' | 'department';
export type DeadlineUnit = 'working-hours' | 'working-days' | 'natural-hours';
export type CentreKey = 'guidance' | 'livelihood' | 'rapid-response' | 'economy';
export type DepartmentKey =
  | 'urban-management'
  | 'market-regulation'
  | 'police'
  | 'housing-construction'
  | 'ecology-environment'
  | 'emergency-management';
/** The responsible unit: 'block' for 家事自办, a centre key for 小事共办, a department key for 大事公办. */
export type UnitKey = 'block' | CentreKey | DepartmentKey;

export const TIERS: readonly Tier[] = ['block', 'centre', 'department'];
export const DEADLINE_UNITS: readonly DeadlineUnit[] = ['working-hours', 'working-days', 'natural-hours'];
export const CENTRE_KEYS: readonly CentreKey[] = ['guidance', 'livelihood', 'rapid-response', 'economy'];
export const DEPARTMENT_KEYS: readonly DepartmentKey[] = [
  'urban-management',
  'market-regulation',
  'police',
  'housing-construction',
  'ecology-environment',
  'emergency-management',
];

export interface Deadline {
  value: number;
  unit: DeadlineUnit;
}

export interface UnitType<K extends string> {
  key: K;
  name: string;
  nameEn: string;
}

export interface Category {
  /** 4 digits: 2-digit major + 2-digit minor. */
  code: string;
  majorCode: string;
  majorName: string;
  majorNameEn: string;
  name: string;
  nameEn: string;
  tier: Tier;
  unitKey: UnitKey;
  deadline: Deadline;
  /** Share of the allowed time after which a case is in warning (预警). */
  warningRatio: number;
}

export interface MajorCategory {
  code: string;
  name: string;
  nameEn: string;
  categories: readonly Category[];
}

export interface Taxonomy {
  version: number;
  centres: readonly UnitType<CentreKey>[];
  departments: readonly UnitType<DepartmentKey>[];
  majors: readonly MajorCategory[];
  /** Every minor category, ordered by code. */
  categories: readonly Category[];
  byCode: ReadonlyMap<string, Category>;
}

export class TaxonomyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid taxonomy: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` (+${problems.length - 10} more)` : ''}`);
    this.name = 'TaxonomyError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Validates a taxonomy document (the shape of categories.json) and builds the typed lookups; throws TaxonomyError. */
export function parseTaxonomy(doc: unknown): Taxonomy {
  const problems: string[] = [];
  if (!isObject(doc)) throw new TaxonomyError(['document is not an object']);
  const version = typeof doc.version === 'number' ? doc.version : (problems.push('version must be a number'), 0);

  const readUnits = <K extends string>(field: string, known: readonly K[]): UnitType<K>[] => {
    const list = doc[field];
    const out: UnitType<K>[] = [];
    if (!Array.isArray(list)) {
      problems.push(`${field} must be an array`);
      return out;
    }
    for (const [i, u] of list.entries()) {
      if (!isObject(u) || !known.includes(u.key as K) || !isText(u.name) || !isText(u.nameEn)) {
        problems.push(`${field}[${i}] needs a known key (${known.join(', ')}), name and nameEn`);
        continue;
      }
      if (out.some((o) => o.key === u.key)) problems.push(`${field}[${i}]: duplicate key ${String(u.key)}`);
      out.push({ key: u.key as K, name: u.name, nameEn: u.nameEn });
    }
    for (const k of known) if (!out.some((o) => o.key === k)) problems.push(`${field}: missing ${k}`);
    return out;
  };
  const centres = readUnits<CentreKey>('centres', CENTRE_KEYS);
  const departments = readUnits<DepartmentKey>('departments', DEPARTMENT_KEYS);

  const majors: MajorCategory[] = [];
  const byCode = new Map<string, Category>();
  if (!Array.isArray(doc.majors) || doc.majors.length === 0) problems.push('majors must be a non-empty array');
  for (const [i, m] of (Array.isArray(doc.majors) ? doc.majors : []).entries()) {
    if (!isObject(m) || typeof m.code !== 'string' || !/^\d{2}$/.test(m.code) || !isText(m.name) || !isText(m.nameEn)) {
      problems.push(`majors[${i}] needs a 2-digit code, name and nameEn`);
      continue;
    }
    if (majors.some((x) => x.code === m.code)) problems.push(`major ${m.code}: duplicate code`);
    const cats: Category[] = [];
    if (!Array.isArray(m.minors) || m.minors.length === 0) problems.push(`major ${m.code}: minors must be a non-empty array`);
    for (const [j, c] of (Array.isArray(m.minors) ? m.minors : []).entries()) {
      const where = `major ${m.code} minor[${j}]`;
      if (!isObject(c)) {
        problems.push(`${where} is not an object`);
        continue;
      }
      const code = c.code;
      if (typeof code !== 'string' || !/^\d{4}$/.test(code)) {
        problems.push(`${where}: code must be 4 digits`);
        continue;
      }
      if (!code.startsWith(m.code)) problems.push(`${code}: does not start with its major code ${m.code}`);
      if (code.endsWith('00')) problems.push(`${code}: minor part 00 is reserved`);
      if (byCode.has(code)) problems.push(`${code}: duplicate code`);
      if (!isText(c.name) || !isText(c.nameEn)) problems.push(`${code}: needs name and nameEn`);
      const tier = c.tier as Tier;
      if (!TIERS.includes(tier)) problems.push(`${code}: unknown tier ${String(c.tier)}`);
      const unitKey = c.unit as UnitKey;
      const unitOk =
        tier === 'block'
          ? unitKey === 'block'
          : tier === 'centre'
            ? CENTRE_KEYS.includes(unitKey as CentreKey)
            : tier === 'department'
              ? DEPARTMENT_KEYS.includes(unitKey as DepartmentKey)
              : false;
      if (!unitOk) problems.push(`${code}: unit ${String(c.unit)} does not fit tier ${String(c.tier)}`);
      const d = c.deadline;
      let deadline: Deadline = { value: 1, unit: 'working-days' };
      if (!isObject(d) || typeof d.value !== 'number' || !(d.value > 0) || !Number.isFinite(d.value) || !DEADLINE_UNITS.includes(d.unit as DeadlineUnit)) {
        problems.push(`${code}: deadline needs a positive value and a unit (${DEADLINE_UNITS.join(', ')})`);
      } else deadline = { value: d.value, unit: d.unit as DeadlineUnit };
      const warningRatio = c.warningRatio;
      if (typeof warningRatio !== 'number' || !(warningRatio > 0 && warningRatio < 1)) problems.push(`${code}: warningRatio must be in (0, 1)`);
      const cat: Category = {
        code,
        majorCode: m.code,
        majorName: m.name,
        majorNameEn: m.nameEn,
        name: String(c.name),
        nameEn: String(c.nameEn),
        tier,
        unitKey,
        deadline,
        warningRatio: Number(warningRatio),
      };
      cats.push(cat);
      byCode.set(code, cat);
    }
    majors.push({ code: m.code, name: m.name, nameEn: m.nameEn, categories: cats });
  }
  if (problems.length > 0) throw new TaxonomyError(problems);
  majors.sort((a, b) => a.code.localeCompare(b.code));
  const categories = [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
  return { version, centres, departments, majors, categories, byCode };
}

/** The built-in taxonomy. */
export const TAXONOMY: Taxonomy = parseTaxonomy(rawTaxonomy);

/** The category with this code, or undefined. */
export function findCategory(code: string, taxonomy: Taxonomy = TAXONOMY): Category | undefined {
  return taxonomy.byCode.get(code);
}

/** The category with this code; throws if unknown. */
export function getCategory(code: string, taxonomy: Taxonomy = TAXONOMY): Category {
  const c = taxonomy.byCode.get(code);
  if (!c) throw new RangeError(`unknown category ${code}`);
  return c;
}

/** The major category (2-digit code) or undefined. */
export function findMajor(code: string, taxonomy: Taxonomy = TAXONOMY): MajorCategory | undefined {
  return taxonomy.majors.find((m) => m.code === code);
}

/** The categories handled by a tier (and optionally a unit key). */
export function categoriesFor(tier: Tier, unitKey?: UnitKey, taxonomy: Taxonomy = TAXONOMY): Category[] {
  return taxonomy.categories.filter((c) => c.tier === tier && (unitKey === undefined || c.unitKey === unitKey));
}

export function isCentreKey(key: string): key is CentreKey {
  return (CENTRE_KEYS as readonly string[]).includes(key);
}

export function isDepartmentKey(key: string): key is DepartmentKey {
  return (DEPARTMENT_KEYS as readonly string[]).includes(key);
}
