import { describe, expect, test } from 'vitest';
import { leaderEnd, placeLabels, polylineBoxes, type Box } from '../../web/map/label-placement.ts';
import { minutesLeft, routeProgress } from '../../web/views/wall/route-progress.ts';

const boxOf = (anchor: { x: number; y: number }, o: [number, number], w: number, h: number): Box => [anchor.x + o[0], anchor.y + o[1] - h / 2, anchor.x + o[0] + w, anchor.y + o[1] + h / 2];
const apart = (a: Box, b: Box) => a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1];

describe('placeLabels', () => {
  test('a lone label sits right of its anchor, one gap away', () => {
    expect(placeLabels([{ anchor: { x: 100, y: 100 }, width: 80, height: 20 }], 10)).toEqual([[10, 0]]);
  });

  test('labels at one anchor never overlap: right, left, then stepped down and up', () => {
    const anchor = { x: 500, y: 500 };
    const specs = Array.from({ length: 6 }, () => ({ anchor, width: 80, height: 20 }));
    const offsets = placeLabels(specs, 10);
    expect(offsets.slice(0, 4)).toEqual([[10, 0], [-90, 0], [10, 30], [-90, 30]]);
    const boxes = offsets.map((o) => boxOf(anchor, o!, 80, 20));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(apart(boxes[i], boxes[j]), `${i} vs ${j}`).toBe(true);
  });

  test('more labels than places: the rest are left off, in order of importance', () => {
    const anchor = { x: 0, y: 0 };
    const offsets = placeLabels(Array.from({ length: 16 }, () => ({ anchor, width: 50, height: 10 })), 5);
    expect(offsets.slice(0, 14).every((o) => o !== null)).toBe(true);
    expect(offsets.slice(14)).toEqual([null, null]);
  });

  test('a label keeps off an obstacle when it can …', () => {
    // A route running right from the anchor: the label goes left instead of covering it.
    const obstacle: Box = [100, 95, 300, 105];
    expect(placeLabels([{ anchor: { x: 100, y: 100 }, width: 80, height: 20 }], 10, [obstacle])).toEqual([[-90, 0]]);
  });

  test('… and covers it rather than vanish when every place would', () => {
    const everywhere: Box = [-1e6, -1e6, 1e6, 1e6];
    expect(placeLabels([{ anchor: { x: 100, y: 100 }, width: 80, height: 20 }], 10, [everywhere])).toEqual([[10, 0]]);
  });
});

describe('polylineBoxes and leaderEnd', () => {
  test('one padded box per segment, so a diagonal route does not block its whole extent', () => {
    expect(polylineBoxes([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 20 }], 2)).toEqual([[-2, -2, 12, 2], [8, -2, 12, 22]]);
    expect(polylineBoxes([{ x: 5, y: 5 }], 1)).toEqual([[4, 4, 6, 6]]);
  });

  test('a leader only for a label moved away from its anchor, ending on the nearest point of its box', () => {
    expect(leaderEnd({ x: 0, y: 0 }, [10, -10, 90, 10], 15)).toBeNull();
    expect(leaderEnd({ x: 0, y: 0 }, [10, 20, 90, 40], 15)).toEqual({ x: 10, y: 20 });
    expect(leaderEnd({ x: 0, y: 0 }, [-90, -40, -10, -20], 15)).toEqual({ x: -10, y: -20 });
  });
});

describe('routeProgress', () => {
  const coords: [number, number][] = [[0, 0], [10, 0], [10, 10]];
  const times = [0, 10, 30];
  test('the head moves along the route at its stored times and stops at the end', () => {
    expect(routeProgress(coords, times, -1)).toEqual({ head: [0, 0], done: false });
    expect(routeProgress(coords, times, 5)).toEqual({ head: [5, 0], done: false });
    expect(routeProgress(coords, times, 20)).toEqual({ head: [10, 5], done: false });
    expect(routeProgress(coords, times, 30)).toEqual({ head: [10, 10], done: true });
    expect(routeProgress(coords, times, 999)).toEqual({ head: [10, 10], done: true });
  });
  test('minutes left round up and never go negative', () => {
    expect(minutesLeft(390, 0)).toBe(7);
    expect(minutesLeft(390, 331)).toBe(1);
    expect(minutesLeft(390, 400)).toBe(0);
  });
});
