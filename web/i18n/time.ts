import { lang, type Lang } from './index';

/**
 * Instants as the district reads them: Asia/Shanghai, 24-hour, in the current language. One cached
 * Intl.DateTimeFormat per (language, format): building one costs far more than using it, and the wall formats
 * its clock every second and its ticker on every report.
 */
const TIME_ZONE = 'Asia/Shanghai';

const FORMATS = {
  /** 14:05:09 — the wall clock, the time of the last message. */
  clock: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
  /** 14:05 — ticker rows. */
  hourMinute: { hour: '2-digit', minute: '2-digit' },
  /** 11/24 14:05 — lists. */
  dateTime: { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
  /** 11/24 14:05:09 — a case's log. */
  dateTimeSeconds: { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
  /** 2026/11/24 周二 — the wall's date line. */
  date: { year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

export type TimeFormat = keyof typeof FORMATS;

const cache = new Map<string, Intl.DateTimeFormat>();

export function timeFormatter(format: TimeFormat, language: Lang = lang()): Intl.DateTimeFormat {
  const key = `${language} ${format}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(language, { timeZone: TIME_ZONE, hour12: false, ...FORMATS[format] })));
  return f;
}

/** An instant (epoch ms or ISO 8601) in Asia/Shanghai, in the current language. */
export function formatInstant(at: number | string, format: TimeFormat): string {
  return timeFormatter(format).format(typeof at === 'string' ? Date.parse(at) : at);
}
