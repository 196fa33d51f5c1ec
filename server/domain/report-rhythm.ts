/**
 * When residents report: relative volume by local (Asia/Shanghai) hour, weekday and month. Shared by the seeded
 * history and the live simulator, so a simulated day looks like the seeded ones.
 */

/** Relative report volume per local hour (few at night, peaks 9–11 and 15–17). */
export const HOURLY: readonly number[] = [
  0.15, 0.1, 0.07, 0.06, 0.06, 0.12, 0.35, 0.8, 1.5, 2.4, 2.6, 2.0, 1.0, 0.9, 1.5, 2.3, 2.4, 1.6, 1.0, 0.9, 0.8, 0.6, 0.4, 0.25,
];
/** Sunday … Saturday. */
export const WEEKDAY: readonly number[] = [0.62, 1.08, 1.04, 1.02, 1.0, 0.98, 0.72];
/** January … December (Spring Festival and National Day lulls, summer peak). */
export const MONTHLY: readonly number[] = [0.85, 0.8, 0.95, 1.0, 1.05, 1.15, 1.2, 1.15, 1.05, 0.95, 1.0, 0.95];
