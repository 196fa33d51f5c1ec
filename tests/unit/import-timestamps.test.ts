import { describe, expect, it } from 'vitest';
import { timestampParser } from '../../server/import/timestamps.ts';

describe('source timestamps', () => {
  const shanghai = timestampParser(['MM/DD/YYYY hh:mm:ss AM', 'YYYY/M/D H:mm', 'ISO'], 'Asia/Shanghai');

  it('reads 12-hour times with AM/PM (12 AM is midnight, 12 PM noon) in the source zone', () => {
    expect(shanghai('11/03/2026 09:15:00 AM')).toEqual({ ok: true, ms: Date.parse('2026-11-03T09:15:00+08:00'), ambiguous: false });
    expect(shanghai('11/03/2026 12:05:00 AM')).toMatchObject({ ms: Date.parse('2026-11-03T00:05:00+08:00') });
    expect(shanghai('11/03/2026 12:05:00 PM')).toMatchObject({ ms: Date.parse('2026-11-03T12:05:00+08:00') });
    expect(shanghai('11/03/2026 07:05:00 pm')).toMatchObject({ ms: Date.parse('2026-11-03T19:05:00+08:00') });
  });

  it('tries the formats in order: a second local format, ISO with and without an offset', () => {
    expect(shanghai('2026/3/7 8:05')).toMatchObject({ ms: Date.parse('2026-03-07T08:05:00+08:00') });
    expect(shanghai('2026-11-03T09:15:00Z')).toMatchObject({ ms: Date.parse('2026-11-03T09:15:00Z') });
    expect(shanghai('2026-11-03 09:15:00.250')).toMatchObject({ ms: Date.parse('2026-11-03T09:15:00.250+08:00') });
    expect(shanghai('2026-11-03T09:15-05:00')).toMatchObject({ ms: Date.parse('2026-11-03T14:15:00Z') });
  });

  it('refuses what no format reads, impossible dates and a 13 o\'clock on a 12-hour clock', () => {
    for (const bad of ['13/45/2026 10:00:00 AM', '02/30/2026 10:00:00 AM', '11/03/2026 13:00:00 PM', 'yesterday', '']) {
      expect(shanghai(bad)).toMatchObject({ ok: false, reason: 'invalid-timestamp' });
    }
  });

  it('across daylight-saving changes: the repeated hour is ambiguous (earlier taken), the skipped hour does not exist', () => {
    const ny = timestampParser(['YYYY-MM-DD HH:mm'], 'America/New_York');
    expect(ny('2026-03-08 02:30')).toMatchObject({ ok: false, reason: 'nonexistent-local-time' });
    expect(ny('2026-03-08 01:59')).toEqual({ ok: true, ms: Date.parse('2026-03-08T06:59:00Z'), ambiguous: false });
    expect(ny('2026-03-08 03:00')).toEqual({ ok: true, ms: Date.parse('2026-03-08T07:00:00Z'), ambiguous: false });
    expect(ny('2026-11-01 01:30')).toEqual({ ok: true, ms: Date.parse('2026-11-01T05:30:00Z'), ambiguous: true });
    expect(ny('2026-11-01 02:30')).toEqual({ ok: true, ms: Date.parse('2026-11-01T07:30:00Z'), ambiguous: false });
    const berlin = timestampParser(['ISO'], 'Europe/Berlin');
    expect(berlin('2026-10-25T02:30:00')).toEqual({ ok: true, ms: Date.parse('2026-10-25T00:30:00Z'), ambiguous: true });
    expect(berlin('2026-03-29T02:30:00')).toMatchObject({ ok: false, reason: 'nonexistent-local-time' });
  });

  it('reads fixed-width formats by position exactly as the same format with variable-width fields reads them', () => {
    const fixed = timestampParser(['MM/DD/YYYY hh:mm:ss AM'], 'America/New_York');
    const variable = timestampParser(['M/D/YYYY h:mm:ss A'], 'America/New_York');
    const values = [
      '03/08/2026 02:30:00 AM', '11/01/2026 01:30:00 am', '11/01/2026 01:30:00 PM', '12/31/2026 12:00:00 上午', '01/01/2027 12:59:59 下午',
      '02/29/2026 10:00:00 AM', '02/29/2028 10:00:00 AM', '13/01/2026 10:00:00 AM', '01/01/2026 13:00:00 PM', '01/01/2026 00:00:00 AM',
      '01/01/2026 10:00:00 XM', '01/01/2026 10:00:00AM', '1a/01/2026 10:00:00 AM', '01-01-2026 10:00:00 AM', '01/01/2026 10:00:60 AM',
    ];
    // The detail names the format; the outcome is what must agree.
    const outcome = (r: ReturnType<typeof fixed>) => (r.ok ? r : r.reason);
    for (const v of values) expect(outcome(fixed(v)), v).toEqual(outcome(variable(v)));
    expect(values.map((v) => fixed(v).ok).filter(Boolean).length).toBe(5);
    expect(timestampParser(['YYYY-MM-DD HH:mm'], 'Asia/Shanghai')('2026-11-03 09:15')).toMatchObject({ ms: Date.parse('2026-11-03T09:15:00+08:00') });
  });

  it('refuses an unknown zone and an empty format list', () => {
    expect(() => timestampParser(['ISO'], 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect(() => timestampParser([], 'UTC')).toThrow();
  });
});
