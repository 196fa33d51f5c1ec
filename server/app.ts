/**
 * The Hono app: the JSON/GeoJSON API under /api and, when `webRoot` is given, the production web build with
 * client-side routes (/wall, /plan, …) answered by index.html. Routes are chained so `AppType` carries every
 * endpoint's types to the web client (`hc<AppType>` from hono/client).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Db } from './db/database.ts';
import { eventWindowQueries } from './db/queries/event-window.ts';
import { createQueries } from './db/queries/index.ts';
import { LiveHub } from './live/hub.ts';
import { bodySizeLimit, closeUnreadBodies, compressReads } from './http/middleware.ts';
import { peerAddress, rateLimit, rateLimitFromEnv } from './http/rate-limit.ts';
import { securityHeaders, securityHeadersFromEnv, type SecurityHeaderOptions } from './http/secure-headers.ts';
import { onError, onNotFound, ProblemError } from './http/problem.ts';
import { areaRoutes } from './routes/areas.ts';
import { blockRoutes } from './routes/blocks.ts';
import type { RouteDeps } from './routes/deps.ts';
import { eventColumnRoutes } from './routes/event-columns.ts';
import { eventRoutes } from './routes/events.ts';
import { createEventServices } from './services/index.ts';
import { createDispatchService } from './services/dispatch.ts';
import { createOpen311Intake } from './services/open311-intake.ts';
import { roadNetworkFor } from './services/road-network.ts';
import { dispatchEventRoutes, dispatchRouteRoutes } from './routes/dispatch.ts';
import { healthRoutes } from './routes/health.ts';
import { hotspotRoutes } from './routes/hotspots.ts';
import { insightRoutes } from './routes/insight.ts';
import { kpiRoutes } from './routes/kpi.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { layerRoutes } from './routes/layers.ts';
import { exportRoutes } from './routes/export.ts';
import { importRoutes, MAX_IMPORT_BYTES } from './routes/imports.ts';
import { open311Routes } from './routes/open311.ts';
import { planRoutes } from './routes/plans.ts';
import { positionRoutes } from './routes/positions.ts';
import { reviewRoutes } from './routes/review.ts';
import { staffRoutes } from './routes/staff.ts';
import { streamRoutes } from './routes/stream.ts';
import { unlocatedRoutes } from './routes/unlocated.ts';
import { sessionRoutes } from './routes/session.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { auditRoutes } from './routes/audit.ts';
import { authenticate } from './http/auth.ts';
import { createAccounts } from './services/accounts.ts';

export interface AppDeps {
  db: Db;
  /** The clock (epoch ms); tests pin it. */
  now?: () => number;
  /** Folder of the production web build (index.html + hashed assets/); omitted, only the API is served. */
  webRoot?: string;
  /** The live stream's hub; writers call live.notify() after each commit. Omitted, the app makes its own. */
  live?: LiveHub;
  /** Accepted Open311 api_key values; omitted, GEZHI_OPEN311_KEYS (comma-separated) is read at creation. */
  open311Keys?: readonly string[];
  /** Approved extensions (延期) a case may have; omitted, GEZHI_MAX_EXTENSIONS is read at creation (default 2). */
  maxExtensions?: number;
  /**
   * Requests per second and burst per caller (bearer token, else IP); perSecond 0 turns limiting off. Omitted,
   * GEZHI_RATE_LIMIT_RPS / GEZHI_RATE_LIMIT_BURST / GEZHI_RATE_LIMIT_LOOPBACK are read at creation (default 200/s,
   * burst 2000, loopback callers not limited).
   */
  rateLimit?: { perSecond: number; burst: number; limitLoopback?: boolean };
  /** Key callers by X-Forwarded-For's last entry (behind a reverse proxy). Omitted, GEZHI_TRUST_PROXY=1 says so. */
  trustProxy?: boolean;
  /** CSP frame-ancestors and extra origins. Omitted, GEZHI_FRAME_ANCESTORS / GEZHI_CSP_EXTRA_ORIGINS are read. */
  securityHeaders?: SecurityHeaderOptions;
  /** Called after each write service's commit, beside the live hub (the notification worker's wake-up). */
  onCommit?: () => void;
}

/** Largest request body the API accepts (for the POST/PUT endpoints to come); larger is a 413 problem. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** POST /api/events/batch takes up to 10,000 reports (~2–3 MB of JSON). */
export const MAX_BATCH_BODY_BYTES = 8 * 1024 * 1024;

export function createApp(deps: AppDeps) {
  const routeDeps: RouteDeps = { q: createQueries(deps.db), now: deps.now ?? Date.now };
  const live = deps.live ?? new LiveHub(deps.db);
  const onCommit = deps.onCommit;
  const notifier = onCommit ? { notify: () => (live.notify(), onCommit()) } : live;
  const services = createEventServices({ db: deps.db, now: routeDeps.now, live: notifier, q: routeDeps.q, maxExtensions: deps.maxExtensions ?? maxExtensionsFromEnv() });
  const dispatch = createDispatchService(services.ctx, services.transitions, roadNetworkFor(deps.db));
  const intake = createOpen311Intake(services.ctx, services.reports);
  const accounts = createAccounts(deps.db, routeDeps.now);
  const staffName = (id: number) => services.ctx.cmd.staff(id)?.name ?? null;

  const limit = (maxSize: number) =>
    bodySizeLimit({
      maxSize,
      onError: () => {
        throw new ProblemError(413, `Request bodies are limited to ${maxSize} bytes`);
      },
    });
  const bodyLimitOf = limit(MAX_BODY_BYTES);
  const batchLimit = limit(MAX_BATCH_BODY_BYTES);
  const importLimit = limit(MAX_IMPORT_BYTES);
  const limitFor = (method: string, path: string) =>
    method !== 'POST' ? bodyLimitOf : path === '/api/events/batch' || path === '/api/plans/import' ? batchLimit : path.startsWith('/api/import/') ? importLimit : bodyLimitOf;

  const api = new Hono()
    .use((c, next) => limitFor(c.req.method, c.req.path)(c, next))
    // Who is calling (session cookie or bearer token); each route's permit() then decides.
    .use(authenticate(accounts))
    .route('/health', healthRoutes(routeDeps))
    .route('/session', sessionRoutes(accounts, staffName))
    .route('/tokens', tokenRoutes(accounts))
    .route('/audit', auditRoutes(accounts.audit))
    .route('/areas', areaRoutes(routeDeps))
    .route('/blocks', blockRoutes(routeDeps))
    .route('/staff', staffRoutes(routeDeps))
    .route('/staff', positionRoutes({ db: deps.db, now: routeDeps.now, live, audit: services.ctx.audit }))
    .route('/stream', streamRoutes(live))
    .route('/kpi', kpiRoutes({ db: deps.db, now: routeDeps.now }))
    .route('/hotspots', hotspotRoutes({ db: deps.db, now: routeDeps.now }))
    .route('/insight', insightRoutes({ db: deps.db, now: routeDeps.now }))
    .route('/events/columns', eventColumnRoutes(routeDeps, eventWindowQueries(deps.db)))
    .route('/events/unlocated', unlocatedRoutes({ db: deps.db, now: routeDeps.now, intake }))
    .route('/events', eventRoutes(routeDeps, services))
    .route('/events', dispatchEventRoutes(routeDeps, dispatch))
    .route('/routes', dispatchRouteRoutes(dispatch))
    .route('/layers', layerRoutes(routeDeps))
    .route('/review', reviewRoutes({ db: deps.db, now: routeDeps.now }))
    .route('/notifications', notificationRoutes({ db: deps.db }))
    .route('/export', exportRoutes(routeDeps, deps.db))
    .route('/import', importRoutes(deps.db))
    .route('/plans', planRoutes({ db: deps.db, now: routeDeps.now }));

  // Compresses the small JSON responses of GET requests (write responses go out as they are); the large cached
  // ones arrive already encoded and pass through untouched.
  // Open311 GeoReport v2 answers errors in the spec's own format ([{ code, description }]), not problem+json.
  const trustProxy = deps.trustProxy ?? process.env.GEZHI_TRUST_PROXY === '1';
  const app = new Hono()
    .use(closeUnreadBodies())
    .use(securityHeaders(deps.securityHeaders ?? securityHeadersFromEnv()))
    .use(rateLimit({ ...(deps.rateLimit ?? rateLimitFromEnv()), clientIp: (c) => peerAddress(c, trustProxy) }))
    .use(compressReads())
    .route('/api', api)
    .route('/open311', open311Routes({ db: deps.db, now: routeDeps.now, intake, keys: deps.open311Keys }));
  app.all('/api/*', onNotFound);

  if (deps.webRoot) serveWeb(app, deps.webRoot);

  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

export type AppType = ReturnType<typeof createApp>;

/** Hashed build assets are immutable; everything else revalidates; unknown non-file paths get index.html. */
function serveWeb(app: Hono, root: string): void {
  app.use('*', async (c, next) => {
    await next();
    if (c.req.path.startsWith('/api/') || c.res.status !== 200 || c.res.headers.has('Cache-Control')) return;
    const immutable = c.req.path.startsWith('/assets/');
    c.res.headers.set('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  app.use('*', serveStatic({ root, precompressed: true }));
  // index.html names the hashed bundles of the current build: re-read it when a rebuild replaces it, or a
  // running server would hand out a page whose scripts no longer exist.
  let index: { mtimeMs: number; html: Promise<string> } | null = null;
  app.get('*', async (c, next) => {
    // Client-side routes: a path without a file extension that the browser navigates to.
    if (/\.[A-Za-z0-9]+$/.test(c.req.path) || c.req.path === '/api' || c.req.path.startsWith('/api/')) return next();
    const file = join(root, 'index.html');
    const { mtimeMs } = await stat(file);
    if (!index || index.mtimeMs !== mtimeMs) index = { mtimeMs, html: readFile(file, 'utf8') };
    return c.html(await index.html, 200, { 'Cache-Control': 'no-cache' });
  });
}

/** GEZHI_MAX_EXTENSIONS: a whole number from 0; unset, the lifecycle's default. A bad value stops start-up. */
function maxExtensionsFromEnv(): number | undefined {
  const raw = process.env.GEZHI_MAX_EXTENSIONS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new Error(`GEZHI_MAX_EXTENSIONS must be a whole number from 0 to 100, got ${JSON.stringify(raw)}`);
  return n;
}
