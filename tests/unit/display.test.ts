// A click on a map drawn in GCJ-02 must come back to the WGS-84 point that was drawn there (the console places
// address-only requests and the plan picks buildings by clicks).
import { describe, expect, it } from 'vitest';
import { displayFor } from '../../web/map/display.ts';

describe('display coordinates', () => {
  it('unpoint undoes point, to well under a metre, in GCJ-02 and in WGS-84', () => {
    for (const gcj of [true, false]) {
      const d = displayFor(gcj);
      for (const [lon, lat] of [[112.9, 27.86], [112.78, 27.95], [113.01, 27.82]]) {
        const [x, y] = d.point(lon, lat);
        if (gcj) expect(Math.hypot(x - lon, y - lat)).toBeGreaterThan(0.001); // GCJ-02 moves it hundreds of metres
        const [lon2, lat2] = d.unpoint(x, y);
        expect(Math.abs(lon2 - lon)).toBeLessThan(2e-6);
        expect(Math.abs(lat2 - lat)).toBeLessThan(2e-6);
      }
    }
  });
});
