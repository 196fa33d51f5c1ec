/**
 * The column-mapping file of an events import: which source column holds what, how the source writes times and
 * coordinates, and how its categories and statuses map onto Gezhi's. Checked once, with every problem named.
 *
 * {
 *   "source": "xt-12345",                       // names the system; source ids are unique per source
 *   "columns": { "id": "工单号", "category": "问题类型", "created": "受理时间", "due": "办结时限",
 *                "closed": "办结时间", "status": "状态", "latitude": "纬度", "longitude": "经度",
 *                "department": "承办单位", "text": "诉求内容" },
 *   "timestampFormats": ["MM/DD/YYYY hh:mm:ss AM", "ISO"],
 *   "timeZone": "Asia/Shanghai",
 *   "crs": "GCJ02",                             // WGS84 | CGCS2000 | GCJ02 | BD09 | EPSG:nnnn | a .prj's WKT
 *   "categories": { "占道经营": "<code>" },     // source text → taxonomy code; others are kept as unmapped
 *   "statuses": { "已办结": "closed" },         // source text → Gezhi status; without: closed if a closed time, else reported
 *   "placeholderCoordinates": [[0, 0], [112.9, 27.8]],
 *   "defaults": { "kind": "demand", "channel": "hotline", "priority": "normal" }
 * }
 */
import { STATUSES, type Status } from '../contract/statuses.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { CrsError, crsConverter } from '../geo/crs.ts';
import { isTimeZone } from './timestamps.ts';

/**
 * A suspended case (挂账·缓办) stops its clock at a time an export does not carry, and Gezhi keeps that time with
 * every suspended case: such rows cannot be imported as suspended.
 */
export const UNIMPORTABLE_STATUS = 'suspended';
export const SUSPENDED_PROBLEM =
  'a suspended case (挂账) cannot be imported: the export gives no time it was suspended. ' +
  'Map it to the status it was suspended from (filed, dispatched, accepted or arrived)';

export const MAPPED_FIELDS = ['id', 'category', 'created', 'due', 'closed', 'status', 'latitude', 'longitude', 'department', 'text'] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];
/** Without these no row can be imported. */
const REQUIRED_FIELDS: readonly MappedField[] = ['id', 'category', 'created', 'latitude', 'longitude'];

const KINDS = ['demand', 'suggestion', 'incident'] as const;
const CHANNELS = ['patrol', 'hotline', 'wechat', 'consultation', 'walk-in'] as const;
const PRIORITIES = ['normal', 'urgent'] as const;

export interface EventMapping {
  source: string;
  columns: Partial<Record<MappedField, string>>;
  timestampFormats: string[];
  timeZone: string;
  crs: string;
  categories: Record<string, string>;
  statuses: Record<string, Status>;
  placeholderCoordinates: [number, number][];
  defaults: { kind: (typeof KINDS)[number]; channel: (typeof CHANNELS)[number]; priority: (typeof PRIORITIES)[number] };
}

export class MappingError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid mapping: ${problems.join('; ')}`);
    this.name = 'MappingError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed mapping file; throws MappingError listing every problem. */
export function parseMapping(raw: unknown): EventMapping {
  const problems: string[] = [];
  if (!isRecord(raw)) throw new MappingError(['the mapping must be a JSON object']);
  const source = raw.source;
  if (typeof source !== 'string' || !/^[\w.-]{1,40}$/.test(source)) problems.push('"source" must be a name of 1–40 letters, digits, ".", "_" or "-"');

  const columns: Partial<Record<MappedField, string>> = {};
  if (!isRecord(raw.columns)) problems.push('"columns" must be an object naming the source column of each field');
  else {
    for (const [k, v] of Object.entries(raw.columns)) {
      if (!(MAPPED_FIELDS as readonly string[]).includes(k)) problems.push(`columns.${k}: unknown field (known: ${MAPPED_FIELDS.join(', ')})`);
      else if (typeof v !== 'string' || v === '') problems.push(`columns.${k} must be a column name`);
      else columns[k as MappedField] = v;
    }
    for (const f of REQUIRED_FIELDS) if (!columns[f]) problems.push(`columns.${f} is required`);
  }

  const formats = raw.timestampFormats ?? ['ISO'];
  if (!Array.isArray(formats) || formats.length === 0 || !formats.every((f) => typeof f === 'string' && f !== '')) {
    problems.push('"timestampFormats" must be a non-empty list of formats such as "MM/DD/YYYY hh:mm:ss AM" or "ISO"');
  }
  const timeZone = raw.timeZone ?? 'Asia/Shanghai';
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) problems.push(`"timeZone" must be an IANA zone such as Asia/Shanghai (got ${JSON.stringify(timeZone)})`);

  const crs = raw.crs ?? 'WGS84';
  if (typeof crs !== 'string') problems.push('"crs" must be a string');
  else {
    try {
      crsConverter(crs);
    } catch (err) {
      problems.push(`crs: ${err instanceof CrsError ? err.message : String(err)}`);
    }
  }

  const categories: Record<string, string> = {};
  if (raw.categories !== undefined && !isRecord(raw.categories)) problems.push('"categories" must map source text to category codes');
  for (const [k, v] of Object.entries(isRecord(raw.categories) ? raw.categories : {})) {
    if (typeof v !== 'string' || !TAXONOMY.byCode.has(v)) problems.push(`categories["${k}"]: ${JSON.stringify(v)} is not a category code of the taxonomy`);
    else categories[k] = v;
  }

  const statuses: Record<string, Status> = {};
  if (raw.statuses !== undefined && !isRecord(raw.statuses)) problems.push('"statuses" must map source text to Gezhi statuses');
  for (const [k, v] of Object.entries(isRecord(raw.statuses) ? raw.statuses : {})) {
    if (typeof v !== 'string' || !(STATUSES as readonly string[]).includes(v)) problems.push(`statuses["${k}"]: ${JSON.stringify(v)} is not one of ${STATUSES.join(', ')}`);
    else if (v === UNIMPORTABLE_STATUS) problems.push(`statuses["${k}"]: ${SUSPENDED_PROBLEM}`);
    else statuses[k] = v as Status;
  }

  const placeholders: [number, number][] = [];
  const rawPlaceholders = raw.placeholderCoordinates ?? [];
  if (!Array.isArray(rawPlaceholders)) problems.push('"placeholderCoordinates" must be a list of [x, y] pairs');
  else {
    for (const p of rawPlaceholders) {
      if (Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n))) placeholders.push([p[0], p[1]]);
      else problems.push(`placeholderCoordinates: ${JSON.stringify(p)} is not an [x, y] pair`);
    }
  }

  const d = isRecord(raw.defaults) ? raw.defaults : {};
  const pick = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = d[name] ?? fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      problems.push(`defaults.${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return v as T;
  };
  const defaults = { kind: pick('kind', KINDS, 'demand'), channel: pick('channel', CHANNELS, 'hotline'), priority: pick('priority', PRIORITIES, 'normal') };

  if (problems.length) throw new MappingError(problems);
  return {
    source: source as string, columns, timestampFormats: formats as string[], timeZone: timeZone as string, crs: crs as string,
    categories, statuses, placeholderCoordinates: placeholders, defaults,
  };
}
