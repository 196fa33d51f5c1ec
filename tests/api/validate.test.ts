import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../server/http/problem.ts';
import { chooseEncoding, matchesIfNoneMatch } from '../../server/http/representation.ts';
import { RoundedGeometries, roundGeometryText } from '../../server/http/geojson.ts';
import { encodeCursor, parseBbox, parseCursor, parseIsoDate } from '../../server/http/validate.ts';
import { toIso } from '../../server/time.ts';

const fails = (f: () => unknown, name: string) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    expect((e as ProblemError).problem.errors?.[0].name).toBe(name);
    return;
  }
  throw new Error('did not throw');
};

describe('time and parameter parsing', () => {
  it('formats instants with the +08:00 offset', () => {
    expect(toIso(Date.UTC(2024, 5, 1, 0, 0, 0))).toBe('2024-06-01T08:00:00.000+08:00');
    expect(toIso(Date.UTC(2024, 11, 31, 16, 30, 0, 5))).toBe('2025-01-01T00:30:00.005+08:00');
  });

  it('reads dates and date-times in Shanghai time unless an offset is given', () => {
    expect(parseIsoDate('from', '2024-06-01')).toBe(Date.UTC(2024, 4, 31, 16));
    expect(parseIsoDate('to', '2024-06-01', { endOfDay: true })).toBe(Date.UTC(2024, 5, 1, 16));
    expect(parseIsoDate('from', '2024-06-01T08:00')).toBe(Date.UTC(2024, 5, 1, 0));
    expect(parseIsoDate('from', '2024-06-01T08:00:00+08:00')).toBe(Date.UTC(2024, 5, 1, 0));
    expect(parseIsoDate('from', '2024-06-01T08:00:00 08:00')).toBe(Date.UTC(2024, 5, 1, 0)); // '+' decoded as space
    expect(parseIsoDate('from', '2024-06-01T00:00:00.250Z')).toBe(Date.UTC(2024, 5, 1, 0, 0, 0, 250));
    expect(parseIsoDate('from', '2024-02-29')).toBe(Date.UTC(2024, 1, 28, 16));
    for (const bad of ['2023-02-29', '2024-06-31', '2024-00-10', '24-06-01', '2024-06-01T24:00', '2024-06-01T10:60', '1e12', '']) {
      fails(() => parseIsoDate('from', bad), 'from');
    }
  });

  it('reads a bbox strictly', () => {
    expect(parseBbox('bbox', '112.5,27.5,113,28')).toEqual([112.5, 27.5, 113, 28]);
    expect(parseBbox('bbox', '-180,-90,180,90')).toEqual([-180, -90, 180, 90]);
    for (const bad of ['0x10,0,1,1', '1,,2,3', ' , , , ', '1,2,3,4,']) fails(() => parseBbox('bbox', bad), 'bbox');
  });

  it('round-trips cursors and rejects tampered ones', () => {
    const c = encodeCursor({ reportedAt: 1717200000000, id: 42 });
    expect(parseCursor('cursor', c, ['reportedAt', 'id'])).toEqual({ reportedAt: 1717200000000, id: 42 });
    fails(() => parseCursor('cursor', encodeCursor({ reportedAt: 1.5, id: 42 }), ['reportedAt', 'id']), 'cursor');
    fails(() => parseCursor('cursor', `${c}=`, ['reportedAt', 'id']), 'cursor');
  });
});

describe('representation helpers', () => {
  it('chooses br, then gzip, honouring q-values', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('*;q=0')).toBe('identity');
  });

  it('matches If-None-Match against any encoding of the same content', () => {
    expect(matchesIfNoneMatch('"abc"', 'abc')).toBe(true);
    expect(matchesIfNoneMatch('W/"abc.gz"', 'abc')).toBe(true);
    expect(matchesIfNoneMatch('"x", "abc.br"', 'abc')).toBe(true);
    expect(matchesIfNoneMatch('"abcd"', 'abc')).toBe(false);
    expect(matchesIfNoneMatch(undefined, 'abc')).toBe(false);
  });

  it('rounds GeoJSON coordinates to 6 decimals', () => {
    expect(roundGeometryText('{"type":"Point","coordinates":[112.12345649,-27.1234567,1.0000001]}'))
      .toBe('{"type":"Point","coordinates":[112.123456,-27.123457,1]}');
    expect(roundGeometryText('{"type":"Point","coordinates":[-0.0000001,0.5]}')).toBe('{"type":"Point","coordinates":[0,0.5]}');
  });

  it('drops the repeated consecutive vertices that rounding makes, keeping rings closed with 4+ positions', () => {
    const ring = [[0, 0], [1, 0], [1.00000001, 0.00000002], [1, 1], [0, 1], [0.0000001, 0.0000002], [0, 0]];
    const text = roundGeometryText(JSON.stringify({ type: 'Polygon', coordinates: [ring] }));
    expect(JSON.parse(text)).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] });
    const line = roundGeometryText(JSON.stringify({ type: 'LineString', coordinates: [[0, 0], [0.00000001, 0], [1, 1]] }));
    expect(JSON.parse(line)).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
    // Smaller than the rounding step: kept as rounded rather than left with too few positions (or none).
    const sliver = [[0, 0], [0.0000001, 0], [0, 0.0000001], [0, 0]];
    const multi = roundGeometryText(JSON.stringify({ type: 'MultiPolygon', coordinates: [[sliver], [ring]] }));
    expect(JSON.parse(multi).coordinates[0]).toEqual([[[0, 0], [0, 0], [0, 0], [0, 0]]]);
    const stub = roundGeometryText(JSON.stringify({ type: 'LineString', coordinates: [[5, 5], [5.00000001, 5]] }));
    expect(JSON.parse(stub)).toEqual({ type: 'LineString', coordinates: [[5, 5], [5, 5]] });
  });

  it('reuses a rounded geometry text while its source is unchanged', () => {
    const g = new RoundedGeometries();
    const a = '{"type":"Point","coordinates":[1.00000001,2]}';
    const first = g.get('k', a);
    g.commit();
    expect(g.get('k', a)).toBe(first);
    expect(g.get('k', '{"type":"Point","coordinates":[3,4]}')).toBe('{"type":"Point","coordinates":[3,4]}');
  });
});
