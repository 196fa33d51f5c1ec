/**
 * Entry of `npm start`: opens the SQLite file at GEZHI_DB (default data/gezhi.db), seeds the Yuhu demo data into it
 * when it holds no boundary version yet, and serves the API and the production web build on PORT (default 8787).
 * SIGINT/SIGTERM stop accepting connections, let requests in flight finish, and close the database.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { openDatabase, type Db } from './db/database.ts';
import { fillMissingVerifyDue } from './db/commands/verify-due.ts';
import { verifyDueAt } from './domain/on-time.ts';
import { createQueries } from './db/queries/index.ts';
import { LiveHub } from './live/hub.ts';
import { startKpiTicker } from './live/kpi.ts';
import { startEscalationSweeper } from './services/escalation-sweeper.ts';
import { startWalCheckpointer } from './db/wal-checkpointer.ts';
import { autostartSimulator, isDemoDatabase } from './sim/autostart.ts';
import { createAccounts } from './services/accounts.ts';
import { ensureDemoAccounts } from './services/demo-accounts.ts';
import { SYSTEM_CALLER } from './domain/principal.ts';
import { holidayCoverageWarning, PROCESS_CALENDAR } from './domain/calendar.ts';

export interface StartOptions {
  port: number;
  dbFile: string;
  /** Production web build; served when its index.html exists. */
  webRoot?: string;
  log?: (line: string) => void;
  /** Interval of the live stream's kpi.tick messages (ms, default 30 s). */
  kpiTickMs?: number;
}

export interface Running {
  url: string;
  port: number;
  db: Db;
  live: LiveHub;
  close: () => Promise<void>;
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../dist/web', import.meta.url));

/** Fills an empty database with the demo district (buildings, blocks, staff, events). */
async function seedIfEmpty(db: Db, log: (line: string) => void): Promise<void> {
  if (createQueries(db).versions.exists()) return;
  log('Empty database: seeding the Yuhu demo data (first run only)…');
  const started = Date.now();
  // Loaded on demand: the seed (and the generator it pulls in) is only needed on a first run.
  const { seedDemo } = await import('./db/seed/index.ts');
  await seedDemo(db, {
    now: Date.now(),
    onProgress: (done, total) => log(`  events ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`),
  });
  log(`Seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function start(options: StartOptions): Promise<Running> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Past the holiday table, deadlines would silently count 春节 or 国庆 bridging days as working days.
  const holidayWarning = holidayCoverageWarning(PROCESS_CALENDAR, Date.now());
  if (holidayWarning) log(`Warning: ${holidayWarning}`);
  const db = openDatabase(options.dbFile);
  try {
    await seedIfEmpty(db, log);
    // No default password ships: the first start makes the admin from GEZHI_ADMIN_PASSWORD or prints a random one.
    const accounts = createAccounts(db);
    const admin = await accounts.ensureAdmin(process.env.GEZHI_ADMIN_PASSWORD, SYSTEM_CALLER);
    if (admin.password) log(`Created the account admin with the password ${admin.password} (shown once; set GEZHI_ADMIN_PASSWORD to choose it)`);
    if (isDemoDatabase(db) && (await ensureDemoAccounts(db, accounts)) > 0) log('Demo accounts made (see README: leader, analyst, dispatcher, planner, governor, supervisor, field, wall)');
  } catch (err) {
    db.close();
    throw err;
  }
  // Cases resolved before the verification deadline was stored (schema v6) get it now, once.
  const filled = fillMissingVerifyDue(db, (resolvedAt) => verifyDueAt(resolvedAt));
  if (filled > 0) log(`Set the verification deadline of ${filled} resolved cases`);
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const hasWeb = existsSync(`${webRoot}/index.html`);
  // Checkpoints in a worker thread, so no request pays for copying the write-ahead log into the database file.
  const checkpointer = startWalCheckpointer(db, options.dbFile, { onError: (message) => log(message) });
  const live = new LiveHub(db);
  const kpi = startKpiTicker(db, live, { intervalMs: options.kpiTickMs });
  // 预警 / 超期: escalates open cases as they cross their warning threshold and due time.
  const stopSweeper = startEscalationSweeper({ db, live, intervalMs: 30_000 });
  const app = createApp({ db, webRoot: hasWeb ? webRoot : undefined, live });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port }, () => resolve(s as Server));
    (s as Server).once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  log(`Gezhi listening on ${url}`);
  if (!hasWeb) log('  (no web build found: serving the API only; run `npm run build` for the web app)');
  // Live demo activity on the demo database only (GEZHI_SIMULATE=0 turns it off; see server/sim/autostart.ts).
  const simulator = autostartSimulator({ db, url, log });

  // Warm the large cached representations so the first visitor does not pay for building them.
  setImmediate(() => {
    for (const path of ['/api/blocks', '/api/layers/district', '/api/layers/subdistricts', '/api/layers/roads']) {
      Promise.resolve(app.request(path, { headers: { 'Accept-Encoding': 'br, gzip' } })).catch(() => undefined);
    }
  });

  let closing: Promise<void> | null = null;
  const close = () =>
    // The simulator is a client of this server: it stops first.
    (closing ??= (simulator ? simulator.stop().catch(() => undefined) : Promise.resolve()).then(() => new Promise<void>((resolve) => {
      // Live streams never end by themselves: end them first so their connections can close.
      kpi.stop();
      stopSweeper();
      live.close();
      server.close(() => {
        checkpointer.stop().finally(() => {
          db.close();
          resolve();
        });
      });
      server.closeIdleConnections();
      // The ended live streams leave keep-alive connections that turn idle a moment later.
      setTimeout(() => server.closeIdleConnections(), 50).unref();
      // Requests still open after 5 s are cut so shutdown always completes.
      setTimeout(() => server.closeAllConnections(), 5000).unref();
    })));
  return { url, port, db, live, close };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  const dbFile = process.env.GEZHI_DB || 'data/gezhi.db';
  const running = await start({ port, dbFile });
  const stop = (signal: string) => {
    console.log(`${signal}: shutting down`);
    running.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
