/**
 * API time format: ISO 8601 with the Asia/Shanghai offset (+08:00, no daylight saving), millisecond precision.
 * The database keeps UTC epoch milliseconds; only the API boundary converts.
 */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** 1717200000000 → '2024-06-01T08:00:00.000+08:00'. */
export function toIso(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, -1) + '+08:00';
}

/** toIso for nullable columns. */
export function toIsoOrNull(ms: number | null | undefined): string | null {
  return ms == null ? null : toIso(ms);
}
