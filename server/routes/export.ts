import { permit, principalOf } from '../http/auth.ts';
import { Hono } from 'hono';
import type { Db } from '../db/database.ts';
import { exportQueries } from '../db/queries/export.ts';
import { CONTENT_TYPES, EXPORT_FORMATS, exportChunks, exportRows, type ExportFormat } from '../export/events.ts';
import { BLOCK_EXPORT_FORMATS, blocksGeoJson, blocksShapefile } from '../export/blocks.ts';
import { invalidParam, notFound } from '../http/problem.ts';
import { parseEnumList, queryValidator } from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { EVENT_QUERY, eventScope, parseEventQuery } from './events.ts';

const EXPORT_QUERY = ['format', ...EVENT_QUERY.filter((k) => k !== 'cursor' && k !== 'limit'), 'limit'] as const;

/**
 * GET /api/export/blocks?format=geojson|shapefile: the blocks of the boundary version in force, as GeoJSON or a
 * zipped Shapefile that `import boundaries` reads back.
 *
 * GET /api/export/events?format=csv|geojson|open311 with GET /api/events's filters (from, to, status, category,
 * block, bbox; `limit` caps the rows, default all): the whole selection as one streamed download, newest first.
 */
export function exportRoutes({ q, now }: RouteDeps, db: Db) {
  const extras = exportQueries(db);
  return new Hono().get(
    '/blocks', permit('map:read'),
    queryValidator(['format'] as const, (raw) => {
      if (raw.format === undefined) throw invalidParam('format', `required: one of ${BLOCK_EXPORT_FORMATS.join(', ')}`);
      const [format] = parseEnumList('format', raw.format, BLOCK_EXPORT_FORMATS);
      return { format };
    }),
    (c) => {
      const { format } = c.req.valid('query');
      const version = q.versions.current(now());
      if (!version) throw notFound('no block boundaries yet');
      const district = q.areas.all().find((a) => a.level === 'district');
      const d = { code: district?.code ?? '', name: district?.name ?? '' };
      const blocks = q.blocks.list(version.id);
      if (format === 'geojson') {
        return new Response(blocksGeoJson(blocks, d), {
          headers: { 'Content-Type': 'application/geo+json; charset=utf-8', 'Content-Disposition': 'attachment; filename="blocks.geojson"' },
        });
      }
      return new Response(new Uint8Array(blocksShapefile(blocks, d)), {
        headers: { 'Content-Type': 'application/zip', 'Content-Disposition': 'attachment; filename="blocks.zip"' },
      });
    },
  ).get(
    '/events', permit('events:export'),
    queryValidator(EXPORT_QUERY, (raw) => {
      if (raw.format === undefined) throw invalidParam('format', `required: one of ${EXPORT_FORMATS.join(', ')}`);
      const [format] = parseEnumList('format', raw.format, EXPORT_FORMATS);
      let max = 0;
      if (raw.limit !== undefined) {
        max = /^\d+$/.test(raw.limit) ? Number(raw.limit) : NaN;
        if (!Number.isSafeInteger(max) || max < 1) throw invalidParam('limit', `must be a whole number ≥ 1 (got "${raw.limit}")`);
      }
      const { limit: _limit, ...filter } = parseEventQuery({ ...raw, limit: undefined });
      return { format: format as ExportFormat, filter, max };
    }),
    (c) => {
      const { format, filter, max } = c.req.valid('query');
      const scope = eventScope(principalOf(c));
      const chunks = exportChunks(format, exportRows({ list: q.events.list, extras: extras.extras }, { ...filter, ...(scope ? { scope } : {}), now: now() }, max));
      const encoder = new TextEncoder();
      // Pulled a chunk at a time: a slow client holds back the reading instead of the whole export piling up.
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        },
      });
      const ext = format === 'csv' ? 'csv' : format === 'geojson' ? 'geojson' : 'json';
      return new Response(body, {
        headers: {
          'Content-Type': CONTENT_TYPES[format],
          'Content-Disposition': `attachment; filename="events.${ext}"`,
        },
      });
    },
  );
}
