/**
 * Calendar days as the district reads them (Asia/Shanghai, UTC+8 all year, no daylight saving), so a ticker row from
 * before midnight can say which day it belongs to. Pure: no Solid, no DOM.
 */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 in Shanghai: equal for two instants on the same local calendar day. */
export function shanghaiDay(ms: number): number {
  return Math.floor((ms + OFFSET_MS) / DAY_MS);
}

/**
 * The heading for reports made on `at`'s day, seen at `now`: null for today, "昨天"/"Yesterday" for the day before,
 * otherwise the date ("11月24日" / "Nov 24").
 */
export function dayLabel(at: number, now: number, lang: 'zh-CN' | 'en'): string | null {
  const days = shanghaiDay(now) - shanghaiDay(at);
  if (days <= 0) return null;
  if (days === 1) return lang === 'en' ? 'Yesterday' : '昨天';
  const local = new Date(at + OFFSET_MS);
  const month = local.getUTCMonth();
  const day = local.getUTCDate();
  if (lang === 'en') return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][month]} ${day}`;
  return `${month + 1}月${day}日`;
}
