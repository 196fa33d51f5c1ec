/** What the simulator is told (options) and what it tells back (counters, the summary and its handle). */
export interface SimulatorOptions {
  /** Base URL of a running Gezhi server, e.g. http://localhost:8787. */
  url: string;
  /** A token with accounts:manage (an admin's): the simulator makes from it one token per staff member it acts as. */
  token: string;
  /** New reports per simulated hour, averaged over weekday working hours (default 30). */
  rate?: number;
  /** Simulated time per real time (default 1; 20 = twenty simulated minutes per real minute). */
  speed?: number;
  /** Seed of every decision (default 1). */
  seed?: number;
  /** Stop after this many real milliseconds (default: run until stopped). */
  durationMs?: number;
  /** Simulated clock at the start, epoch ms (default: now). Only the rhythm reads it; the server stamps its own time. */
  start?: number;
  /** Most cases followed at once (default 150). */
  maxActive?: number;
  /** Open cases picked up from the server at start, at most (default: half of maxActive; 0 = none). */
  pickUp?: number;
  /** Simulated ms between position reports of a moving responder (default 5 s). */
  positionEveryMs?: number;
  /** Real ms a responder waits at least between two position reports (default 1 s; bounds the load at high speed). */
  minPositionGapMs?: number;
  /** Simulated ms between summary lines (default 1 minute, raised so lines come at most about once a real second). */
  logEveryMs?: number;
  /** Requests in flight at most (default 4). */
  maxInFlight?: number;
  /** How to dispatch: POST /api/events/:id/dispatch, the transitions endpoint, or the first while it exists (default). */
  dispatch?: 'auto' | 'endpoint' | 'transitions';
  log?: (line: string) => void;
}

export interface Counters {
  reported: number;
  skipped: number;
  rejected: number;
  filed: number;
  dispatched: number;
  returned: number;
  accepted: number;
  arrived: number;
  resolved: number;
  reworked: number;
  closed: number;
  evaluated: number;
  extensionsRequested: number;
  extensionsDecided: number;
  positions: number;
  conflicts: number;
  problems4xx: number;
  problems5xx: number;
  abandoned: number;
}

export interface SimulatorSummary extends Counters {
  pickedUp: number;
  active: number;
  moving: number;
  simulatedMs: number;
  realMs: number;
  requests: number;
  /** Requests that could not reach the server (retried with back-off). */
  networkErrors: number;
  dispatchVia: 'endpoint' | 'transitions' | 'unknown';
  /** The world was read and the simulation ran. */
  started: boolean;
}

export interface Simulator {
  /** Resolves when the world is loaded and the first cases are picked up. */
  ready: Promise<void>;
  /** Resolves when the simulator has stopped (duration over, stop(), or a failed start). */
  done: Promise<SimulatorSummary>;
  stop(): Promise<SimulatorSummary>;
  summary(): SimulatorSummary;
}

/** All counters at zero. */
export const emptyCounters = (): Counters => ({
  reported: 0, skipped: 0, rejected: 0, filed: 0, dispatched: 0, returned: 0, accepted: 0, arrived: 0, resolved: 0,
  reworked: 0, closed: 0, evaluated: 0, extensionsRequested: 0, extensionsDecided: 0, positions: 0, conflicts: 0,
  problems4xx: 0, problems5xx: 0, abandoned: 0,
});
