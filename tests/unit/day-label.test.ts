import { describe, expect, test } from 'vitest';
import { dayLabel, shanghaiDay } from '../../web/views/wall/day-label.ts';

// Instants written with their Shanghai offset, so each case reads as the wall would show it.
const at = (iso: string) => Date.parse(iso);

describe('Shanghai calendar days for the wall ticker', () => {
  test('a day runs from 00:00 to 24:00 Shanghai time, not UTC', () => {
    expect(shanghaiDay(at('2026-11-26T00:00:00+08:00'))).toBe(shanghaiDay(at('2026-11-26T23:59:59.999+08:00')));
    expect(shanghaiDay(at('2026-11-26T00:00:00+08:00')) - shanghaiDay(at('2026-11-25T23:59:59.999+08:00'))).toBe(1);
    // 07:59 UTC and 08:00 UTC on the same UTC date straddle no Shanghai midnight; 15:59 and 16:00 UTC do.
    expect(shanghaiDay(at('2026-11-25T15:59:59Z'))).not.toBe(shanghaiDay(at('2026-11-25T16:00:00Z')));
  });

  const now = at('2026-11-26T08:42:00+08:00');
  test.each([
    ['earlier today', '2026-11-26T00:05:00+08:00', null, null],
    ['this very minute', '2026-11-26T08:42:00+08:00', null, null],
    ['yesterday morning, "later" on the clock than now', '2026-11-25T09:58:00+08:00', '昨天', 'Yesterday'],
    ['yesterday just before midnight', '2026-11-25T23:59:00+08:00', '昨天', 'Yesterday'],
    ['two days ago', '2026-11-24T22:21:00+08:00', '11月24日', 'Nov 24'],
    ['across a year end', '2025-12-31T10:00:00+08:00', '12月31日', 'Dec 31'],
  ])('%s', (_name, iso, zh, en) => {
    expect(dayLabel(at(iso), now, 'zh-CN')).toBe(zh);
    expect(dayLabel(at(iso), now, 'en')).toBe(en);
  });

  test('a report stamped slightly ahead of the wall clock counts as today', () => {
    expect(dayLabel(now + 5_000, now, 'zh-CN')).toBeNull();
  });
});
