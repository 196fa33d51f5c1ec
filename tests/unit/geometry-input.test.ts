import { describe, expect, it } from 'vitest';
import {
  BAD_POSITION, checkGeometryInput, NOT_GEOJSON, OUT_OF_RANGE, RING_NOT_CLOSED, RING_TOO_SHORT, SELF_INTERSECTION,
  selfIntersection, TOO_MANY_PARTS, TOO_MANY_VERTICES, TYPE_NOT_ACCEPTED,
} from '../../server/geo/geometry-input.ts';

const AREAS = { types: ['Polygon', 'MultiPolygon'] as const, extent: [112.4, 27.6, 113.2, 28.2] as const };
const square = (x: number, y: number, d: number) => [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
const reason = (raw: unknown, limits = AREAS) => {
  const r = checkGeometryInput(raw, { ...limits, types: [...limits.types] });
  return r.valid ? 'valid' : `${r.reason} @ ${r.path}`;
};

describe('geometry input bounds', () => {
  it('accepts a polygon with a hole and a multipolygon, dropping repeated positions and altitudes', () => {
    const outer = square(112.8, 27.8, 0.1);
    const hole = [[112.82, 27.82], [112.82, 27.84], [112.84, 27.84], [112.84, 27.82], [112.82, 27.82]];
    expect(reason({ type: 'Polygon', coordinates: [outer, hole] })).toBe('valid');
    expect(reason({ type: 'MultiPolygon', coordinates: [[square(112.8, 27.8, 0.01)], [square(112.9, 27.9, 0.01)]] })).toBe('valid');
    const r = checkGeometryInput({ type: 'Polygon', coordinates: [[[112.8, 27.8, 5], [112.9, 27.8], [112.9, 27.8], [112.9, 27.9], [112.8, 27.8]]], bbox: [0] }, { types: ['Polygon'] });
    expect(r).toEqual({ valid: true, geometry: { type: 'Polygon', coordinates: [[[112.8, 27.8], [112.9, 27.8], [112.9, 27.9], [112.8, 27.8]]] } });
  });

  it('refuses what is not GeoJSON of an accepted type, with where', () => {
    expect(reason(null)).toBe(`${NOT_GEOJSON} @ `);
    expect(reason({ type: 'GeometryCollection', geometries: [] })).toBe(`${TYPE_NOT_ACCEPTED} @ type`);
    expect(reason({ type: 'Polygon', coordinates: 'x' })).toBe(`${BAD_POSITION} @ coordinates`);
    expect(reason({ type: 'Polygon', coordinates: [[[[112.8, 27.8]]]] })).toBe(`${BAD_POSITION} @ coordinates[0][0]`);
    expect(reason({ type: 'Polygon', coordinates: [[[112.8, '27.8'], [1, 2], [3, 4], [112.8, '27.8']]] })).toBe(`${BAD_POSITION} @ coordinates[0][0]`);
    expect(reason({ type: 'Polygon', coordinates: [[[112.8, 27.8, 1, 2]]] })).toBe(`${BAD_POSITION} @ coordinates[0][0]`);
  });

  it('refuses coordinates out of range, open and short rings', () => {
    expect(reason({ type: 'Polygon', coordinates: [square(112.8, 27.8, 1)] })).toBe(`${OUT_OF_RANGE} @ coordinates[0][1]`);
    expect(reason({ type: 'Polygon', coordinates: [[[1e308, 27.8], [112.9, 27.8], [112.9, 27.9], [1e308, 27.8]]] })).toBe(`${OUT_OF_RANGE} @ coordinates[0][0]`);
    expect(reason({ type: 'Polygon', coordinates: [square(112.8, 27.8, 0.1).slice(0, 4)] })).toBe(`${RING_NOT_CLOSED} @ coordinates[0]`);
    expect(reason({ type: 'Polygon', coordinates: [[[112.8, 27.8], [112.9, 27.8], [112.8, 27.8]]] })).toBe(`${RING_TOO_SHORT} @ coordinates[0]`);
  });

  it('refuses a ring that crosses or touches itself, or runs back over itself', () => {
    const bowtie = [[112.8, 27.8], [112.9, 27.9], [112.9, 27.8], [112.8, 27.9], [112.8, 27.8]];
    expect(reason({ type: 'Polygon', coordinates: [bowtie] })).toBe(`${SELF_INTERSECTION} @ coordinates[0][0]`);
    const spike = [[112.8, 27.8], [112.9, 27.8], [112.95, 27.8], [112.9, 27.8], [112.9, 27.9], [112.8, 27.8]];
    expect(reason({ type: 'Polygon', coordinates: [spike] })).toMatch(SELF_INTERSECTION);
    const touching = [[112.8, 27.8], [113.0, 27.8], [113.0, 28.0], [112.9, 27.8], [112.8, 28.0], [112.8, 27.8]];
    expect(reason({ type: 'Polygon', coordinates: [touching] })).toMatch(SELF_INTERSECTION);
    expect(selfIntersection(square(0, 0, 1))).toBeNull();
  });

  it('bounds the work: vertex and part counts, and a large valid ring is checked without pairing every segment', () => {
    const n = 15_000;
    const circle = Array.from({ length: n + 1 }, (_, i) => {
      const a = (2 * Math.PI * (i % n)) / n;
      return [112.8 + 0.1 * Math.cos(a), 27.9 + 0.1 * Math.sin(a)];
    });
    expect(reason({ type: 'Polygon', coordinates: [circle] })).toBe('valid');
    const huge = Array.from({ length: 30_000 }, () => [112.8, 27.8]);
    expect(reason({ type: 'Polygon', coordinates: [huge] })).toBe(`${TOO_MANY_VERTICES} @ coordinates[0]`);
    const parts = Array.from({ length: 501 }, (_, i) => [square(112.5 + (i % 20) * 0.02, 27.7 + Math.floor(i / 20) * 0.02, 0.01)]);
    expect(reason({ type: 'MultiPolygon', coordinates: parts })).toBe(`${TOO_MANY_PARTS} @ coordinates`);
    // A crossing planted in the large ring is found.
    const crossed = circle.map((p) => [...p]);
    crossed[7000] = [112.95, 27.9]; // from the left side across the circle and out past its right side
    expect(reason({ type: 'Polygon', coordinates: [crossed] })).toMatch(SELF_INTERSECTION);
  });
});
