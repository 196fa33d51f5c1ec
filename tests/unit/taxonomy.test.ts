import { describe, expect, it } from 'vitest';
import raw from '../../server/contract/categories.json' with { type: 'json' };
import {
  CENTRE_KEYS,
  DEPARTMENT_KEYS,
  TAXONOMY,
  TaxonomyError,
  categoriesFor,
  findCategory,
  getCategory,
  parseTaxonomy,
} from '../../server/contract/taxonomy.ts';

const clone = (): any => JSON.parse(JSON.stringify(raw));

describe('taxonomy data file', () => {
  it('loads 40–65 minor categories under 12 majors with unique 4-digit codes', () => {
    expect(TAXONOMY.majors.map((m) => m.code)).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']);
    expect(TAXONOMY.categories.length).toBeGreaterThanOrEqual(40);
    expect(TAXONOMY.categories.length).toBeLessThanOrEqual(65);
    const codes = TAXONOMY.categories.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of TAXONOMY.categories) {
      expect(c.code).toMatch(/^\d{4}$/);
      expect(c.code.slice(0, 2)).toBe(c.majorCode);
      expect(c.name.length).toBeGreaterThan(1);
      expect(c.nameEn.length).toBeGreaterThan(1);
      expect(c.warningRatio).toBeGreaterThan(0);
      expect(c.warningRatio).toBeLessThan(1);
    }
  });

  it('covers all three tiers, every centre and every department', () => {
    for (const tier of ['block', 'centre', 'department'] as const) expect(categoriesFor(tier).length).toBeGreaterThan(0);
    for (const k of CENTRE_KEYS) expect(categoriesFor('centre', k).length, k).toBeGreaterThan(0);
    for (const k of DEPARTMENT_KEYS) expect(categoriesFor('department', k).length, k).toBeGreaterThan(0);
    expect(categoriesFor('block').every((c) => c.unitKey === 'block')).toBe(true);
  });

  it('has realistic deadlines for the well-known cases', () => {
    expect(getCategory('0101')).toMatchObject({ name: '暴露垃圾', tier: 'block', unitKey: 'block', deadline: { value: 4, unit: 'working-hours' } });
    expect(getCategory('0401')).toMatchObject({ name: '占道经营', tier: 'department', unitKey: 'urban-management', deadline: { value: 2, unit: 'working-hours' } });
    expect(getCategory('0501')).toMatchObject({ name: '燃气泄漏', unitKey: 'emergency-management', deadline: { value: 1, unit: 'natural-hours' } });
    expect(findCategory('9999')).toBeUndefined();
    expect(() => getCategory('9999')).toThrow(RangeError);
  });

  it('reads back unchanged through parseTaxonomy', () => {
    expect(parseTaxonomy(clone()).categories).toEqual(TAXONOMY.categories);
  });
});

describe('taxonomy validation', () => {
  const rejects = (mutate: (doc: any) => void, message: RegExp) => {
    const doc = clone();
    mutate(doc);
    let error: unknown;
    try {
      parseTaxonomy(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TaxonomyError);
    expect((error as Error).message).toMatch(message);
  };

  it('rejects a code that is not 4 digits', () => rejects((d) => (d.majors[0].minors[0].code = '011'), /4 digits/));
  it('rejects a code outside its major', () => rejects((d) => (d.majors[0].minors[0].code = '0299'), /major code 01/));
  it('rejects duplicate codes', () => rejects((d) => (d.majors[0].minors[1].code = d.majors[0].minors[0].code), /duplicate/));
  it('rejects an unknown tier', () => rejects((d) => (d.majors[0].minors[0].tier = 'city'), /unknown tier/));
  it('rejects a unit that does not fit the tier', () => {
    rejects((d) => (d.majors[0].minors[0].unit = 'police'), /does not fit tier block/);
    rejects((d) => {
      const c = d.majors[0].minors[0];
      c.tier = 'centre';
      c.unit = 'police';
    }, /does not fit tier centre/);
  });
  it('rejects a bad deadline', () => {
    rejects((d) => (d.majors[0].minors[0].deadline = { value: 0, unit: 'working-hours' }), /deadline/);
    rejects((d) => (d.majors[0].minors[0].deadline = { value: 2, unit: 'weeks' }), /deadline/);
  });
  it('rejects a warning ratio outside (0, 1)', () => rejects((d) => (d.majors[0].minors[0].warningRatio = 1.2), /warningRatio/));
  it('rejects a missing centre', () => rejects((d) => d.centres.pop(), /missing economy/));
  it('rejects a non-object', () => expect(() => parseTaxonomy(null)).toThrow(TaxonomyError));
});
