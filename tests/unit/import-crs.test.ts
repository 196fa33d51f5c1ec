import { describe, expect, it } from 'vitest';
import { crsConverter, CrsError, epsgDefinition, fromWgs84 } from '../../server/geo/crs.ts';

// CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), as a surveying bureau's .prj spells it.
const PRJ_4547 = `PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`;

describe('coordinate systems → WGS-84', () => {
  it('WGS-84 and CGCS2000 pass through', () => {
    expect(crsConverter('WGS84')(112.9, 27.85)).toEqual([112.9, 27.85]);
    expect(crsConverter('cgcs2000')(112.9, 27.85)).toEqual([112.9, 27.85]);
    expect(crsConverter('EPSG:4490')(112.9, 27.85)).toEqual([112.9, 27.85]);
  });

  it('GCJ-02: the Tiananmen pair (WGS-84 116.397428, 39.90923 ↔ GCJ-02 116.403672, 39.910634) to a metre', () => {
    const [lon, lat] = crsConverter('GCJ02')(116.403672, 39.910634);
    expect(Math.abs(lon - 116.397428) * 87_000).toBeLessThan(1);
    expect(Math.abs(lat - 39.90923) * 111_000).toBeLessThan(1);
    const [glon, glat] = fromWgs84('GCJ02', 116.397428, 39.90923);
    expect(glon).toBeCloseTo(116.403672, 5);
    expect(glat).toBeCloseTo(39.910634, 5);
  });

  it('BD-09 lies a further offset from GCJ-02 and converts back to the same WGS-84 point', () => {
    const wgs: [number, number] = [112.9445, 27.8296];
    const bd = fromWgs84('BD09', ...wgs);
    expect(Math.abs(bd[0] - wgs[0])).toBeGreaterThan(0.005); // hundreds of metres apart
    const back = crsConverter('BD09')(bd[0], bd[1]);
    expect(back[0]).toBeCloseTo(wgs[0], 5);
    expect(back[1]).toBeCloseTo(wgs[1], 5);
  });

  it('Gauss-Kruger by EPSG code: a point on the central meridian at 30°N lies one meridian arc (3,320,113.398 m) north', () => {
    const [lon, lat] = crsConverter('EPSG:4547')(500000, 3320113.398);
    expect(lon).toBeCloseTo(114, 9);
    expect(lat).toBeCloseTo(30, 7);
    // The zone-numbered spelling (EPSG:4526, zone 38 at 114°E) carries the zone in the false easting.
    const [lon2, lat2] = crsConverter('EPSG:4526')(38_500000, 3320113.398);
    expect(lon2).toBeCloseTo(114, 9);
    expect(lat2).toBeCloseTo(30, 7);
  });

  it('a .prj WKT gives the same answer as its EPSG code', () => {
    const byPrj = crsConverter(PRJ_4547)(612345.6, 3081234.5);
    const byCode = crsConverter('EPSG:4547')(612345.6, 3081234.5);
    expect(byPrj[0]).toBeCloseTo(byCode[0], 8);
    expect(byPrj[1]).toBeCloseTo(byCode[1], 8);
  });

  it('UTM and Web Mercator', () => {
    expect(crsConverter('EPSG:32631')(500000, 0)).toEqual([expect.closeTo(3, 9), expect.closeTo(0, 9)]);
    const [lon] = crsConverter('EPSG:3857')(12958034.006, 4825923.77);
    expect(lon).toBeCloseTo(116.404, 6);
  });

  it('names what it cannot read', () => {
    expect(() => crsConverter('EPSG:2385')).toThrow(CrsError);
    expect(() => crsConverter('Xian80-ish')).toThrow(/unknown coordinate system/);
    expect(epsgDefinition(4326)).toBeUndefined();
  });
});
