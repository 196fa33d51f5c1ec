/**
 * Starts the live-activity simulator inside `npm start` when the database is the demo database, so the wall shows
 * a living district out of the box. It drives the server through its own public API (its URL, over HTTP), exactly
 * as `npm run gezhi -- simulate` does from outside, and never writes the database itself.
 *
 * Environment:
 *   GEZHI_SIMULATE        '0' turns the simulator off; '1' turns it on; unset: on for the demo database (except
 *                         under a test runner, where it stays off unless set to '1'). It never runs on a database
 *                         that is not the demo database (meta demo ≠ true), e.g. imported real data.
 *   GEZHI_SIMULATE_RATE   new reports per simulated hour over weekday working hours (default 12: a steady trickle
 *                         that keeps the wall moving without loading the machine)
 *   GEZHI_SIMULATE_SPEED  simulated time per real time (default 1: real time)
 *   GEZHI_SIMULATE_SEED   seed of the simulator's decisions (default: a new one per start)
 */
import type { Db } from '../db/database.ts';
import { SYSTEM_CALLER } from '../domain/principal.ts';
import { createAccounts } from '../services/accounts.ts';

export const AUTOSTART_RATE = 12;
export const AUTOSTART_MAX_ACTIVE = 60;

export interface AutostartHandle {
  stop(): Promise<void>;
}

/** Is this the demo database (meta demo = 'true', as GET /api/health's `demo` reads it)? */
export function isDemoDatabase(db: Db): boolean {
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'demo'").get() as { value: string } | undefined;
    return row?.value === 'true' || row?.value === '1';
  } catch {
    return false;
  }
}

/** Whether the environment asks for the simulator (before the demo check). */
export function simulateWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.GEZHI_SIMULATE?.trim();
  if (v === '0' || v?.toLowerCase() === 'false' || v?.toLowerCase() === 'off') return false;
  if (v === undefined || v === '') return env.VITEST === undefined;
  return true;
}

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, log: (line: string) => void): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < min) {
    log(`${name}=${JSON.stringify(text)} is not a number ≥ ${min}; using ${fallback}`);
    return fallback;
  }
  return v;
}

/**
 * Starts the simulator against `url` when wanted and the database is the demo one; returns null otherwise. The
 * simulator loads lazily and in the background: the server is already answering while it reads the district.
 */
export function autostartSimulator(options: { db: Db; url: string; log: (line: string) => void; env?: NodeJS.ProcessEnv }): AutostartHandle | null {
  const env = options.env ?? process.env;
  const { log } = options;
  if (!simulateWanted(env)) return null;
  if (!isDemoDatabase(options.db)) {
    if (env.GEZHI_SIMULATE === '1') log('Simulator not started: the database is not the demo database');
    return null;
  }
  const rate = envNumber(env, 'GEZHI_SIMULATE_RATE', AUTOSTART_RATE, 0, log);
  const speed = envNumber(env, 'GEZHI_SIMULATE_SPEED', 1, Number.MIN_VALUE, log);
  const seed = Math.trunc(envNumber(env, 'GEZHI_SIMULATE_SEED', Date.now() % 2 ** 31, 0, log));
  log(`Simulator: live demo activity on the demo database (rate ${rate}/h, speed ×${speed}; GEZHI_SIMULATE=0 turns it off)`);

  // The simulator is a client of the API like any other: it gets an admin token of its own (it makes the staff
  // members' tokens from it), valid a day at most and revoked when it stops.
  const accounts = createAccounts(options.db);
  const made = accounts.createToken({ role: 'admin', label: 'simulator', expiresAt: Date.now() + 86_400_000 }, SYSTEM_CALLER);
  let stopped = false;
  let sim: { stop(): Promise<unknown> } | null = null;
  const loading = import('./simulator.ts').then(
    ({ startSimulator }) => {
      if (stopped) return;
      sim = startSimulator({ url: options.url, token: made.token, rate, speed, seed, maxActive: AUTOSTART_MAX_ACTIVE, pickUp: 20, maxInFlight: 2, log });
    },
    (err) => log(`Simulator failed to load: ${err instanceof Error ? err.message : String(err)}`),
  );
  return {
    async stop() {
      stopped = true;
      await loading;
      if (sim) await sim.stop();
      accounts.revokeToken(made.id, SYSTEM_CALLER);
    },
  };
}
