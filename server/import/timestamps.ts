/**
 * Source timestamps → UTC epoch ms. A source writes local wall-clock times of its own IANA time zone in one or more
 * formats; each value is tried against the formats in order.
 *
 * Format tokens: YYYY, MM/M (month), DD/D (day), HH/H (24-hour), hh/h (12-hour), mm, ss, SSS (fraction, 1–9 digits),
 * A / AM / PM (meridiem: AM, PM, 上午, 下午, case-insensitive); anything else is literal. 'ISO' accepts ISO 8601
 * (date, date-time with 'T' or a space, optional fraction and offset); a value with an offset (or Z) is absolute and
 * needs no zone.
 *
 * Local times across daylight-saving changes: a wall time that occurs twice (the hour repeated in autumn) is
 * ambiguous — resolved to the earlier instant and flagged; one that never occurs (the hour skipped in spring) is
 * nonexistent — refused. Pure: the zone's offsets come from Intl (the ICU data that ships with Node).
 */

export type TimeResult =
  | { ok: true; ms: number; ambiguous: boolean }
  | { ok: false; reason: 'invalid-timestamp' | 'nonexistent-local-time'; detail: string };

interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  /** Offset in minutes east of UTC when the value carried one. */
  offset?: number;
}

type Parser = (text: string) => Fields | null;

const TOKENS: [string, string, (f: Fields, v: string) => void][] = [
  ['YYYY', '(\\d{4})', (f, v) => (f.y = Number(v))],
  ['SSS', '(\\d{1,9})', (f, v) => (f.ms = Math.round(Number(`0.${v}`) * 1000))],
  ['MM', '(\\d{2})', (f, v) => (f.mo = Number(v))],
  ['DD', '(\\d{2})', (f, v) => (f.d = Number(v))],
  ['HH', '(\\d{2})', (f, v) => (f.h = Number(v))],
  ['hh', '(\\d{2})', (f, v) => (f.h = Number(v) + 100)], // +100 marks a 12-hour clock until the meridiem is seen
  ['mm', '(\\d{2})', (f, v) => (f.mi = Number(v))],
  ['ss', '(\\d{2})', (f, v) => (f.s = Number(v))],
  ['AM', '(AM|PM|上午|下午)', (f, v) => (f.offset = meridiem(v))],
  ['PM', '(AM|PM|上午|下午)', (f, v) => (f.offset = meridiem(v))],
  ['M', '(\\d{1,2})', (f, v) => (f.mo = Number(v))],
  ['D', '(\\d{1,2})', (f, v) => (f.d = Number(v))],
  ['H', '(\\d{1,2})', (f, v) => (f.h = Number(v))],
  ['h', '(\\d{1,2})', (f, v) => (f.h = Number(v) + 100)],
  ['A', '(AM|PM|上午|下午)', (f, v) => (f.offset = meridiem(v))],
];

// The meridiem is parked in `offset` as a sentinel (−1 AM, −2 PM) and folded into the hour once all fields are read.
const meridiem = (v: string): number => (/^(pm|下午)$/i.test(v) ? -2 : -1);

/** Fixed-width tokens: their width and the field they set (a meridiem's two characters: AM, PM, 上午, 下午). */
const FIXED: Record<string, { width: number; field: 'y' | 'mo' | 'd' | 'h' | 'h12' | 'mi' | 's' | 'meridiem' }> = {
  YYYY: { width: 4, field: 'y' }, MM: { width: 2, field: 'mo' }, DD: { width: 2, field: 'd' }, HH: { width: 2, field: 'h' },
  hh: { width: 2, field: 'h12' }, mm: { width: 2, field: 'mi' }, ss: { width: 2, field: 's' },
  AM: { width: 2, field: 'meridiem' }, PM: { width: 2, field: 'meridiem' }, A: { width: 2, field: 'meridiem' },
};

/** The fields of a 12-hour value fold into a 24-hour one; null when the hour or meridiem does not fit. */
function foldMeridiem(f: Fields): Fields | null {
  if (f.h >= 100) {
    const h12 = f.h - 100;
    if (h12 < 1 || h12 > 12 || (f.offset !== -1 && f.offset !== -2)) return null;
    f.h = (h12 % 12) + (f.offset === -2 ? 12 : 0);
  } else if (f.offset !== undefined) {
    return null; // a meridiem with a 24-hour clock
  }
  f.offset = undefined;
  return f;
}

function compileFormat(format: string): Parser {
  if (format.toUpperCase() === 'ISO') return parseIso;
  let pattern = '';
  const setters: ((f: Fields, v: string) => void)[] = [];
  const parts: string[] = [];
  for (let i = 0; i < format.length; ) {
    const token = TOKENS.find(([t]) => format.startsWith(t, i));
    if (token) {
      pattern += token[1];
      setters.push(token[2]);
      parts.push(token[0]);
      i += token[0].length;
    } else {
      pattern += format[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parts.push(format[i]);
      i++;
    }
  }
  if (setters.length === 0) throw new Error(`timestamp format "${format}" has no date or time fields`);
  const fixed = fixedWidthParser(parts, setters.length);
  if (fixed) return fixed;
  const re = new RegExp(`^${pattern}$`, 'i');
  return (text) => {
    const m = re.exec(text);
    if (!m) return null;
    const f: Fields = { y: NaN, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0, offset: undefined };
    for (let k = 0; k < setters.length; k++) setters[k](f, m[k + 1]);
    return foldMeridiem(f);
  };
}

/**
 * A format of fixed-width tokens only (the usual 'YYYY-MM-DD HH:mm:ss' or 'MM/DD/YYYY hh:mm:ss AM') is read by
 * position, digit by digit: the same values as its regular expression, without a match array and a setter call per
 * field (a million-row import reads two or three times a row). null for a format with a variable-width token.
 */
function fixedWidthParser(parts: string[], tokens: number): Parser | null {
  type Slot = { at: number; width: number; field: (typeof FIXED)[string]['field'] } | { at: number; literal: string };
  const slots: Slot[] = [];
  let at = 0;
  let seen = 0;
  for (const p of parts) {
    const f = FIXED[p];
    if (f) {
      slots.push({ at, width: f.width, field: f.field });
      at += f.width;
      seen++;
    } else if (p.length === 1 && !/[A-Za-z]/.test(p)) {
      slots.push({ at, literal: p });
      at++;
    } else {
      return null;
    }
  }
  if (seen !== tokens) return null;
  const length = at;
  return (text) => {
    if (text.length !== length) return null;
    const f: Fields = { y: NaN, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0, offset: undefined };
    for (const slot of slots) {
      if ('literal' in slot) {
        if (text[slot.at] !== slot.literal) return null;
        continue;
      }
      if (slot.field === 'meridiem') {
        const m = text.slice(slot.at, slot.at + 2);
        const upper = m.toUpperCase();
        if (upper === 'AM' || m === '上午') f.offset = -1;
        else if (upper === 'PM' || m === '下午') f.offset = -2;
        else return null;
        continue;
      }
      let v = 0;
      for (let k = slot.at; k < slot.at + slot.width; k++) {
        const c = text.charCodeAt(k) - 48;
        if (c < 0 || c > 9) return null;
        v = v * 10 + c;
      }
      if (slot.field === 'y') f.y = v;
      else if (slot.field === 'mo') f.mo = v;
      else if (slot.field === 'd') f.d = v;
      else if (slot.field === 'h') f.h = v;
      else if (slot.field === 'h12') f.h = v + 100;
      else if (slot.field === 'mi') f.mi = v;
      else f.s = v;
    }
    return foldMeridiem(f);
  };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseIso(text: string): Fields | null {
  const m = ISO.exec(text);
  if (!m) return null;
  let offset: number | undefined;
  if (m[8]) {
    if (m[8].toUpperCase() === 'Z') offset = 0;
    else {
      const sign = m[8][0] === '-' ? -1 : 1;
      const digits = m[8].slice(1).replace(':', '');
      offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
    }
  }
  return {
    y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), h: Number(m[4] ?? 0), mi: Number(m[5] ?? 0), s: Number(m[6] ?? 0),
    ms: m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0, offset,
  };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validFields(f: Fields): boolean {
  if (!(f.y >= 1900 && f.y <= 2200) || f.mo < 1 || f.mo > 12 || f.d < 1 || f.h > 23 || f.mi > 59 || f.s > 59) return false;
  const leap = f.mo === 2 && f.y % 4 === 0 && (f.y % 100 !== 0 || f.y % 400 === 0);
  return f.d <= MONTH_DAYS[f.mo - 1] + (leap ? 1 : 0);
}

/**
 * Offset (minutes east of UTC) of a zone at an instant. Offsets change a few times a year at most, so a UTC day whose
 * first and last quarter-hour have the same offset is cached as a whole (one Intl call per day and end, not one per
 * quarter-hour: a million rows over two years cost ~1,500 calls); a day with a change is cached by quarter-hour.
 */
function zoneOffsets(timeZone: string): (ms: number) => number {
  const dtf = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
  });
  const exact = (at: number): number => {
    const p: Record<string, number> = {};
    for (const part of dtf.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at) / 60_000);
  };
  // Day → its offset, or NaN when the offset changes that day (then the quarter-hour cache answers).
  const days = new Map<number, number>();
  const quarters = new Map<number, number>();
  return (ms) => {
    const day = Math.floor(ms / 86_400_000);
    let offset = days.get(day);
    if (offset === undefined) {
      const first = exact(day * 86_400_000);
      offset = first === exact(day * 86_400_000 + 86_400_000 - 900_000) ? first : NaN;
      if (days.size > 100_000) days.clear();
      days.set(day, offset);
    }
    if (offset === offset) return offset;
    const key = Math.floor(ms / 900_000);
    let q = quarters.get(key);
    if (q === undefined) {
      q = exact(key * 900_000);
      if (quarters.size > 100_000) quarters.clear();
      quarters.set(key, q);
    }
    return q;
  };
}

/** Checks that a zone name is one the runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A parser for a source's formats and zone: text → UTC ms, with the daylight-saving cases told apart. */
export function timestampParser(formats: readonly string[], timeZone: string): (text: string) => TimeResult {
  if (formats.length === 0) throw new Error('at least one timestamp format is needed');
  if (!isTimeZone(timeZone)) throw new Error(`unknown time zone "${timeZone}" (use an IANA name such as Asia/Shanghai)`);
  const parsers = formats.map(compileFormat);
  const offsetAt = zoneOffsets(timeZone);
  return (raw) => {
    const text = raw.trim();
    let f: Fields | null = null;
    for (const p of parsers) if ((f = p(text))) break;
    if (!f || !validFields(f)) return { ok: false, reason: 'invalid-timestamp', detail: `"${raw}" matches none of ${formats.join(' | ')}` };
    const wall = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s, f.ms);
    if (f.offset !== undefined) return { ok: true, ms: wall - f.offset * 60_000, ambiguous: false };
    // The instants whose local time is `wall`: try the offsets in force a day either side (a zone changes offset
    // at most once within two days) and keep those that give `wall` back. Nearly always both sides agree, and then
    // that offset is the answer.
    const before = offsetAt(wall - 86_400_000);
    if (before === offsetAt(wall + 86_400_000)) return { ok: true, ms: wall - before * 60_000, ambiguous: false };
    const candidates = new Set<number>();
    for (const probe of [wall - 86_400_000, wall + 86_400_000]) {
      const t = wall - offsetAt(probe) * 60_000;
      if (t + offsetAt(t) * 60_000 === wall) candidates.add(t);
    }
    if (candidates.size === 0) {
      return { ok: false, reason: 'nonexistent-local-time', detail: `"${raw}" does not exist in ${timeZone} (skipped by a daylight-saving change)` };
    }
    const sorted = [...candidates].sort((a, b) => a - b);
    return { ok: true, ms: sorted[0], ambiguous: sorted.length > 1 };
  };
}
