/**
 * The road network of a database as one RoadGraph + Router, built from the roads table on first use and shared by
 * everything in the process that routes on that database (one per database connection). A cheap marker of the
 * roads table (count, highest id, sum of ids: one pass over the integer keys, ~0.25 ms for 5,000 roads) is checked
 * at most every MARKER_CHECK_MS; when roads were imported or replaced the graph is rebuilt on the next use.
 *
 * A Router is not re-entrant, but its searches are synchronous, so one per process serves every request.
 */
import type { LineString } from 'geojson';
import type { Db } from '../db/database.ts';
import { dispatchQueries, type DispatchQueries } from '../db/queries/dispatch.ts';
import { layerQueries } from '../db/queries/layers.ts';
import { RoadGraph, type RoadInput } from '../geo/road-graph.ts';
import { Router } from '../geo/routing.ts';

/** How often the roads table is checked for changes, ms. */
export const MARKER_CHECK_MS = 2000;

export interface RoadNetwork {
  /** The graph and router, or null when there are no roads. */
  current(): { graph: RoadGraph; router: Router } | null;
  /** Build figures of the graph in use (null before the first build or without roads). */
  stats(): { links: number; nodes: number; roads: number; buildMs: number; builtAt: number } | null;
  /** Forgets the graph; the next use rebuilds it. */
  invalidate(): void;
}

const networks = new WeakMap<Db, RoadNetwork>();

/** The shared road network of a database. */
export function roadNetworkFor(db: Db): RoadNetwork {
  let n = networks.get(db);
  if (!n) {
    n = createRoadNetwork(db, dispatchQueries(db), Date.now); // real time: the throttle, not the app's clock
    networks.set(db, n);
  }
  return n;
}

function createRoadNetwork(db: Db, q: DispatchQueries, now: () => number): RoadNetwork {
  const layers = layerQueries(db);
  let built: { graph: RoadGraph; router: Router; marker: string; builtAt: number } | null = null;
  let empty: string | null = null; // the marker seen when there were no roads
  let checkedAt = -Infinity;

  function build(marker: string): void {
    const roads: RoadInput[] = [];
    for (const r of layers.roads()) {
      const geometry = JSON.parse(r.geometry) as LineString;
      if (geometry?.type !== 'LineString' || geometry.coordinates.length < 2) continue;
      roads.push({ geometry, speedKmh: r.speed_kmh, oneway: r.oneway === 1, class: r.class });
    }
    const graph = roads.length ? RoadGraph.build(roads) : null;
    if (!graph || graph.linkCount === 0) {
      built = null;
      empty = marker;
      return;
    }
    built = { graph, router: new Router(graph), marker, builtAt: now() };
    empty = null;
  }

  return {
    current() {
      const t = now();
      if (built === null && empty === null) {
        build(q.roadsMarker());
        checkedAt = t;
      } else if (t - checkedAt >= MARKER_CHECK_MS || t < checkedAt) {
        checkedAt = t;
        const marker = q.roadsMarker();
        if (marker !== (built?.marker ?? empty)) build(marker);
      }
      return built && { graph: built.graph, router: built.router };
    },
    stats() {
      if (!built) return null;
      const g = built.graph;
      return { links: g.linkCount, nodes: g.nodeCount, roads: g.stats.roads, buildMs: g.stats.buildMs, builtAt: built.builtAt };
    },
    invalidate() {
      built = null;
      empty = null;
    },
  };
}
