/**
 * /api/plans — boundary planning: drafts, edits (with the revision they were made on; a stale one is a 409), undo
 * and redo, the draft's blocks, validation, figures beside the published version, what-if replay, diff, publish,
 * and the plan as GeoJSON (export, and import of any boundary file as a new draft).
 */
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import type { Db } from '../db/database.ts';
import { callerOf, permit } from '../http/auth.ts';
import { featureCollectionText, featureText } from '../http/geojson.ts';
import { parseId, parseIntInRange, queryValidator } from '../http/validate.ts';
import { createPlanFiles } from '../services/plan-files.ts';
import { createPlanPublisher } from '../services/plan-publish.ts';
import { createPlanService, type PlanBlock } from '../services/plans.ts';
import { REPLAY_MAX_MONTHS } from '../services/plan-workspace.ts';
import { toIso } from '../time.ts';
import { readJson } from './event-writes.ts';
import { object, parseEdit, parseFeatureCollection, parsePublish, parseRules, revisionOf, text } from './plan-body.ts';

const EDIT = permit('plan:edit');
const idParam = validator('param', (v) => ({ id: parseId('id', String(v.id), 'path') }));
const noQuery = queryValidator([], () => ({}));

function blocksText(blocks: PlanBlock[], members: Record<string, unknown> = {}): string {
  return featureCollectionText(
    blocks.filter((b) => b.geometry).map((b) => featureText(b.code, JSON.stringify(b.geometry), b.metrics)),
    members,
  );
}

const GEOJSON = 'application/geo+json; charset=utf-8';

export function planRoutes(deps: { db: Db; now: () => number }) {
  const plans = createPlanService(deps);
  const publish = createPlanPublisher(deps, plans);
  const files = createPlanFiles(plans);
  const withTimes = <T extends { createdAt: number; updatedAt: number; history: { at: number }[] }>(p: T) => ({
    ...p,
    createdAt: toIso(p.createdAt),
    updatedAt: toIso(p.updatedAt),
    history: p.history.map((h) => ({ ...h, at: toIso(h.at) })),
  });

  return new Hono()
    .get('/', EDIT, noQuery, (c) => c.json({ plans: plans.list().map(withTimes) }))
    .post('/', EDIT, async (c) => {
      const o = object(await readJson(c), ['name', 'description', 'rules']);
      const rules = parseRules(o.rules);
      const plan = plans.create({ name: text(o, 'name', 200, true), description: text(o, 'description', 2000) ?? '', ...(rules ? { rules } : {}) }, callerOf(c));
      return c.json(withTimes(plan), 201, { Location: `/api/plans/${plan.id}` });
    })
    .post('/import', EDIT, async (c) => {
      const o = object(await readJson(c), ['name', 'description', 'geojson']);
      const r = files.importGeoJson({
        name: text(o, 'name', 200, true), description: text(o, 'description', 2000) ?? '', geojson: parseFeatureCollection(o.geojson),
      }, callerOf(c));
      return c.json({ ...r, plan: withTimes(r.plan) }, 201, { Location: `/api/plans/${r.plan.id}` });
    })
    .get('/:id', EDIT, idParam, noQuery, (c) => c.json(withTimes(plans.get(c.req.valid('param').id))))
    .patch('/:id', EDIT, idParam, async (c) => {
      const o = object(await readJson(c), ['revision', 'name', 'description', 'rules']);
      const rules = parseRules(o.rules);
      const plan = plans.update(c.req.valid('param').id, revisionOf(o), {
        ...(o.name !== undefined ? { name: text(o, 'name', 200, true) } : {}),
        ...(o.description !== undefined ? { description: text(o, 'description', 2000) ?? '' } : {}),
        ...(rules ? { rules } : {}),
      }, callerOf(c));
      return c.json(withTimes(plan));
    })
    .post('/:id/edits', EDIT, idParam, async (c) => {
      const { id } = c.req.valid('param');
      const { revision, edit } = parseEdit(await readJson(c));
      const r = plans.edit(id, revision, edit, callerOf(c));
      return c.json({ ...r, plan: withTimes(r.plan) });
    })
    .post('/:id/undo', EDIT, idParam, async (c) => {
      const r = plans.step(c.req.valid('param').id, revisionOf(object(await readJson(c), ['revision'])), 'undo', callerOf(c));
      return c.json({ ...r, plan: withTimes(r.plan) });
    })
    .post('/:id/redo', EDIT, idParam, async (c) => {
      const r = plans.step(c.req.valid('param').id, revisionOf(object(await readJson(c), ['revision'])), 'redo', callerOf(c));
      return c.json({ ...r, plan: withTimes(r.plan) });
    })
    .get('/:id/blocks', EDIT, idParam, noQuery, (c) => {
      const { id } = c.req.valid('param');
      const p = plans.get(id);
      return c.body(blocksText(plans.blocks(id), { plan: { id, revision: p.revision } }), 200, { 'Content-Type': GEOJSON, 'Cache-Control': 'no-store' });
    })
    .get('/:id/buildings', EDIT, idParam, noQuery, (c) => c.json(plans.buildings(c.req.valid('param').id)))
    .get('/:id/validation', EDIT, idParam, noQuery, (c) => c.json(plans.validation(c.req.valid('param').id)))
    .get('/:id/metrics', EDIT, idParam, noQuery, (c) => c.json(plans.metrics(c.req.valid('param').id)))
    .get(
      '/:id/replay',
      EDIT,
      idParam,
      queryValidator(['months'], (raw) => ({ months: raw.months === undefined ? 12 : parseIntInRange('months', raw.months, 1, REPLAY_MAX_MONTHS) })),
      (c) => {
        const r = plans.replay(c.req.valid('param').id, c.req.valid('query').months);
        return c.json({ ...r, from: toIso(r.from), to: toIso(r.to) });
      },
    )
    .get('/:id/diff', EDIT, idParam, noQuery, (c) => c.json(plans.diff(c.req.valid('param').id)))
    .get('/:id/export', EDIT, idParam, noQuery, (c) => {
      const { id } = c.req.valid('param');
      return c.body(JSON.stringify(files.exportGeoJson(id)), 200, {
        'Content-Type': GEOJSON,
        'Content-Disposition': `attachment; filename="plan-${id}.geojson"`,
        'Cache-Control': 'no-store',
      });
    })
    .post('/:id/publish', EDIT, idParam, async (c) => {
      const r = publish(c.req.valid('param').id, parsePublish(await readJson(c)), callerOf(c));
      return c.json(r, 201, { Location: `/api/blocks?version=${r.versionId}` });
    });
}
