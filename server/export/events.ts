/**
 * Events export in three formats, streamed page by page (bounded memory, whatever the size): CSV with a UTF-8 BOM
 * (spreadsheet programs then read the Chinese text correctly), GeoJSON (RFC 7946 FeatureCollection of points) and
 * Open311 GeoReport v2 JSON (an array of service requests). The filter is the API's (GET /api/events): the same
 * rows in the same order (newest first). Times are ISO 8601 with the +08:00 offset; a case without a deadline
 * exports an empty due time. The CSV reads back through `gezhi import events` with the mapping `exportMapping()`.
 */
import { hasDeadline } from '../contract/deadline.ts';
import { FINISHED_STATUSES } from '../contract/statuses.ts';
import type { EventFilter, EventSummaryRow } from '../db/queries/events.ts';
import type { ExportExtraRow } from '../db/queries/export.ts';
import { toIso } from '../time.ts';

export const EXPORT_FORMATS = ['csv', 'geojson', 'open311'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  geojson: 'application/geo+json; charset=utf-8',
  open311: 'application/json; charset=utf-8',
};

export interface ExportSource {
  list(f: EventFilter): EventSummaryRow[];
  extras(ids: readonly number[]): Map<number, ExportExtraRow>;
}

type Row = EventSummaryRow & ExportExtraRow;

const PAGE = 2000;

/** The rows of a filter, newest first, a page at a time (the filter's limit caps the total; 0 = no cap). */
export function* exportRows(src: ExportSource, filter: Omit<EventFilter, 'limit' | 'after'>, max = 0): Generator<Row> {
  let after: EventFilter['after'];
  let left = max > 0 ? max : Infinity;
  while (left > 0) {
    const page = src.list({ ...filter, after, limit: Math.min(PAGE, left) });
    if (page.length === 0) return;
    const extras = src.extras(page.map((r) => r.id));
    for (const r of page) yield { ...r, ...extras.get(r.id)! };
    left -= page.length;
    const last = page[page.length - 1];
    after = { reportedAt: last.reported_at, id: last.id };
    if (page.length < PAGE) return;
  }
}

const iso = (ms: number | null): string => (ms === null ? '' : toIso(ms));
const dueIso = (ms: number): string | null => (hasDeadline(ms) ? toIso(ms) : null);

export const CSV_COLUMNS = [
  'case_no', 'source', 'source_id', 'category', 'category_name', 'kind', 'channel', 'priority', 'status', 'created', 'due',
  'resolved', 'closed', 'longitude', 'latitude', 'block', 'subdistrict', 'department', 'text',
] as const;

const csvField = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

function csvLine(r: Row): string {
  return [
    r.case_no, r.source, r.source_id, r.category_code, r.category_name, r.kind, r.channel, r.priority, r.status,
    iso(r.reported_at), dueIso(r.due_at), iso(r.resolved_at), iso(r.closed_at), r.lon, r.lat, r.block_code,
    r.subdistrict_code, r.department, r.text,
  ].map(csvField).join(',') + '\r\n';
}

function feature(r: Row): object {
  return {
    type: 'Feature',
    id: r.case_no,
    geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
    properties: {
      caseNo: r.case_no, source: r.source, sourceId: r.source_id, category: r.category_code, categoryName: r.category_name,
      kind: r.kind, channel: r.channel, priority: r.priority, status: r.status, reportedAt: toIso(r.reported_at),
      dueAt: dueIso(r.due_at), resolvedAt: r.resolved_at === null ? null : toIso(r.resolved_at),
      closedAt: r.closed_at === null ? null : toIso(r.closed_at), block: r.block_code, subdistrict: r.subdistrict_code,
      department: r.department, text: r.text,
    },
  };
}

function open311(r: Row): object {
  return {
    service_request_id: r.case_no,
    status: (FINISHED_STATUSES as readonly string[]).includes(r.status) ? 'closed' : 'open',
    service_name: r.category_name,
    service_code: r.category_code,
    description: r.text,
    agency_responsible: r.department ?? '',
    requested_datetime: toIso(r.reported_at),
    updated_datetime: toIso(r.closed_at ?? r.resolved_at ?? r.reported_at),
    expected_datetime: dueIso(r.due_at),
    address: r.block_name,
    lat: r.lat,
    long: r.lon,
  };
}

/** The export as text chunks (about a page each). */
export function* exportChunks(format: ExportFormat, rows: Iterable<Row>): Generator<string> {
  let chunk = format === 'csv' ? `\uFEFF${CSV_COLUMNS.join(',')}\r\n` : format === 'geojson' ? '{"type":"FeatureCollection","features":[' : '[';
  let first = true;
  for (const r of rows) {
    if (format === 'csv') chunk += csvLine(r);
    else {
      chunk += (first ? '' : ',') + JSON.stringify(format === 'geojson' ? feature(r) : open311(r));
      first = false;
    }
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk + (format === 'csv' ? '' : format === 'geojson' ? ']}' : ']');
}

/** The column mapping that reads an export CSV back (`gezhi import events FILE --mapping …`). */
export function exportMapping(source: string): Record<string, unknown> {
  return {
    source,
    columns: {
      id: 'case_no', category: 'category', created: 'created', due: 'due', closed: 'closed', status: 'status',
      latitude: 'latitude', longitude: 'longitude', department: 'department', text: 'text',
    },
    timestampFormats: ['ISO'],
    timeZone: 'Asia/Shanghai',
    crs: 'WGS84',
  };
}
