/**
 * The named-query module: every read the API makes, as prepared statements behind plain functions. It is the only
 * place with SQL for reads, so another backend (PostgreSQL/PostGIS) can replace it behind the same `Queries` shape.
 */
import type { Db } from '../database.ts';
import { areaQueries } from './areas.ts';
import { blockQueries } from './blocks.ts';
import { eventQueries } from './events.ts';
import { layerQueries } from './layers.ts';
import { metaQueries } from './meta.ts';
import { staffQueries } from './staff.ts';
import { versionQueries } from './versions.ts';

export function createQueries(db: Db) {
  return {
    versions: versionQueries(db),
    areas: areaQueries(db),
    blocks: blockQueries(db),
    staff: staffQueries(db),
    events: eventQueries(db),
    layers: layerQueries(db),
    meta: metaQueries(db),
  };
}

export type Queries = ReturnType<typeof createQueries>;
export { OPEN_STATUSES, FINISHED_STATUSES, STATUSES, type Status } from './events.ts';
export { ROLES, type Role } from './staff.ts';
