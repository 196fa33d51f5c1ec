import gcoord from 'gcoord';
import { describe, expect, it } from 'vitest';
import { bd09ToWgs84, gcj02ToWgs84 } from '../../server/geo/china-offsets.ts';

describe('GCJ-02 and BD-09 to WGS-84', () => {
  it('give exactly what gcoord gives, in China and outside', () => {
    let s = 430302;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const points: [number, number][] = [[112.946126, 27.906756], [0, 0], [-74, 40.7], [150, 30]];
    // Away from the box's edges, where gcoord's own inversion can cycle for ever (below).
    for (let k = 0; k < 5000; k++) points.push([73 + rnd() * 64, 2 + rnd() * 53]);
    for (const [x, y] of points) {
      expect(gcj02ToWgs84(x, y)).toEqual(gcoord.transform([x, y], gcoord.GCJ02, gcoord.WGS84));
      expect(bd09ToWgs84(x, y)).toEqual(gcoord.transform([x, y], gcoord.BD09, gcoord.WGS84));
    }
  });

  it('end at the edge of the offsets box, where the inversion cycles, within the offset of the point', () => {
    for (const [x, y] of [[72.004, 0.8293], [137.8347, 55.8271], [72.0045, 30], [100, 0.8295]]) {
      const [lon, lat] = gcj02ToWgs84(x, y);
      expect(Math.abs(lon - x) + Math.abs(lat - y)).toBeLessThan(0.02);
    }
  });
});
