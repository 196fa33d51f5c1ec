import { describe, expect, it } from 'vitest';
import raw from '../../server/contract/categories.json' with { type: 'json' };
import {
  CENTRE_KEYS,
  DEPARTMENT_KEYS,
  TAXONOMY,
  TaxonomyError,
  categoriesFor,
  codeRange,
  findCategory,
  getCategory,
  parseTaxonomy,
  standardCodeOf,
} from '../../server/contract/taxonomy.ts';

/**
 * The standard's names (CJ/T 214-2007, carried on by GB/T 30428.2-2013), by case type and the standard's own code:
 * majors, then the minors this product uses. Held here apart from categories.json, so a renamed or shifted class
 * fails the test.
 */
const STANDARD_MAJORS: Record<'component' | 'event', Record<string, string>> = {
  component: { '01': '公用设施', '02': '道路交通', '03': '市容环境', '04': '园林绿化', '05': '房屋土地', '06': '其他设施' },
  event: { '01': '市容环境', '02': '宣传广告', '03': '施工管理', '04': '突发事件', '05': '街面秩序', '06': '其他事件' },
};
const STANDARD_MINORS: readonly (readonly ['component' | 'event', string, string])[] = [
  ['event', '0101', '私搭乱建'],
  ['event', '0102', '暴露垃圾'],
  ['event', '0103', '积存垃圾渣土'],
  ['event', '0104', '道路不洁'],
  ['event', '0105', '水域不洁'],
  ['event', '0106', '绿地脏乱'],
  ['event', '0107', '废弃车辆'],
  ['event', '0108', '废弃家具设备'],
  ['event', '0109', '非装饰性树挂'],
  ['event', '0201', '非法小广告'],
  ['event', '0202', '违章张贴悬挂广告牌匾'],
  ['event', '0203', '占道广告牌'],
  ['event', '0204', '街头散发广告'],
  ['event', '0205', '广告招牌破损'],
  ['event', '0301', '施工扰民'],
  ['event', '0302', '工地扬尘'],
  ['event', '0303', '施工废弃料'],
  ['event', '0304', '施工占道'],
  ['event', '0305', '无证掘路'],
  ['event', '0401', '路面塌陷'],
  ['event', '0402', '自来水管破裂'],
  ['event', '0403', '燃气管道破裂'],
  ['event', '0404', '下水道堵塞或破损'],
  ['event', '0405', '热力管道破裂'],
  ['event', '0406', '道路积水'],
  ['event', '0407', '道路积雪结冰'],
  ['event', '0408', '架空线缆损坏'],
  ['event', '0409', '群发性事件'],
  ['event', '0501', '无照经营游商'],
  ['event', '0502', '流浪乞讨'],
  ['event', '0503', '占道废品收购'],
  ['event', '0504', '店外经营'],
  ['event', '0505', '机动车乱停放'],
  ['event', '0506', '非机动车乱停放'],
  ['event', '0507', '乱堆物堆料'],
  ['event', '0508', '商业噪音'],
  ['event', '0509', '黑车拉客'],
  ['event', '0510', '露天烧烤'],
  ['event', '0511', '沿街晾挂'],
  ['event', '0512', '非法出版物销售'],
  ['component', '0101', '上水井盖'],
  ['component', '0102', '污水井盖'],
  ['component', '0103', '雨水井盖'],
  ['component', '0104', '雨水箅子'],
  ['component', '0105', '电力井盖'],
  ['component', '0106', '路灯井盖'],
  ['component', '0107', '通信井盖'],
  ['component', '0108', '电视井盖'],
  ['component', '0109', '网络井盖'],
  ['component', '0110', '热力井盖'],
  ['component', '0111', '燃气井盖'],
  ['component', '0112', '公安井盖'],
  ['component', '0113', '消防设施'],
  ['component', '0114', '无主井盖'],
  ['component', '0115', '通信交接箱'],
  ['component', '0116', '电力设施'],
  ['component', '0118', '路灯'],
  ['component', '0121', '报刊亭'],
  ['component', '0122', '电话亭'],
  ['component', '0123', '邮筒'],
  ['component', '0126', '健身设施'],
  ['component', '0201', '停车场'],
  ['component', '0203', '公交站亭'],
  ['component', '0205', '过街天桥'],
  ['component', '0209', '交通标志牌'],
  ['component', '0211', '交通护栏'],
  ['component', '0214', '交通信号灯'],
  ['component', '0301', '公共厕所'],
  ['component', '0305', '垃圾箱'],
  ['component', '0401', '古树名木'],
  ['component', '0402', '行道树'],
];

const clone = (): any => JSON.parse(JSON.stringify(raw));

describe('taxonomy data file', () => {
  it('loads the standard 事件 and 部件 majors and the local majors, with unique 4-digit codes', () => {
    expect(TAXONOMY.majors.map((m) => m.code)).toEqual(['01', '02', '03', '04', '05', '11', '12', '13', '14', '51', '52', '53', '54', '55', '56', '57']);
    expect(TAXONOMY.categories.length).toBeGreaterThanOrEqual(80);
    const codes = TAXONOMY.categories.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of TAXONOMY.categories) {
      expect(c.code).toMatch(/^\d{4}$/);
      expect(c.code.slice(0, 2)).toBe(c.majorCode);
      expect(c.name.length).toBeGreaterThan(1);
      expect(c.nameEn.length).toBeGreaterThan(1);
      expect(c.warningRatio).toBeGreaterThan(0);
      expect(c.warningRatio).toBeLessThan(1);
      expect(c.filing.length, c.code).toBeGreaterThan(4);
      expect(c.closing.length, c.code).toBeGreaterThan(4);
    }
  });

  it('covers all three tiers, every centre and every department', () => {
    for (const tier of ['block', 'centre', 'department'] as const) expect(categoriesFor(tier).length).toBeGreaterThan(0);
    for (const k of CENTRE_KEYS) expect(categoriesFor('centre', k).length, k).toBeGreaterThan(0);
    for (const k of DEPARTMENT_KEYS) expect(categoriesFor('department', k).length, k).toBeGreaterThan(0);
    expect(categoriesFor('block').every((c) => c.unitKey === 'block')).toBe(true);
  });

  it('has realistic deadlines and owners for the well-known cases', () => {
    expect(getCategory('0102')).toMatchObject({ name: '暴露垃圾', caseType: 'event', tier: 'block', unitKey: 'block', deadline: { value: 4, unit: 'working-hours' } });
    expect(getCategory('0501')).toMatchObject({ name: '无照经营游商', tier: 'department', unitKey: 'urban-management', deadline: { value: 2, unit: 'working-hours' } });
    // 燃气: 住建 handles, the gas company must act; 火灾 is handed over to 119; a person trapped in a lift: ~30 minutes.
    expect(getCategory('0403')).toMatchObject({ name: '燃气管道破裂', unitKey: 'housing-construction', owners: ['gas-utility'], deadline: { value: 1, unit: 'natural-hours' } });
    expect(getCategory('5406')).toMatchObject({ name: '火灾', unitKey: 'fire-rescue', handOver: '119' });
    expect(getCategory('5203')).toMatchObject({ name: '电梯困人', deadline: { value: 0.5, unit: 'natural-hours' } });
    // Manhole covers by owner.
    expect(getCategory('1101')).toMatchObject({ name: '上水井盖', caseType: 'component', standardCode: '0101', unitKey: 'water-utility' });
    expect(getCategory('1105')).toMatchObject({ name: '电力井盖', unitKey: 'power-utility' });
    expect(getCategory('1107')).toMatchObject({ name: '通信井盖', unitKey: 'telecom-utility' });
    expect(getCategory('1111')).toMatchObject({ name: '燃气井盖', unitKey: 'gas-utility' });
    expect(findCategory('9999')).toBeUndefined();
    expect(() => getCategory('9999')).toThrow(RangeError);
  });

  it('reads back unchanged through parseTaxonomy', () => {
    expect(parseTaxonomy(clone()).categories).toEqual(TAXONOMY.categories);
  });
});

describe('the standard codes (CJ/T 214-2007 / GB/T 30428.2-2013)', () => {
  const standardClasses = TAXONOMY.categories.filter((c) => c.standardCode !== null);

  it.each(STANDARD_MINORS.filter(([type, code]) => standardClasses.some((c) => c.caseType === type && c.standardCode === code)))(
    '%s %s is %s',
    (type, code, name) => {
      const c = standardClasses.find((x) => x.caseType === type && x.standardCode === code)!;
      expect(c.name).toBe(name);
      expect(c.majorName).toBe(STANDARD_MAJORS[type][code.slice(0, 2)]);
    },
  );

  it('uses no standard code the table does not hold', () => {
    const known = new Set(STANDARD_MINORS.map(([type, code]) => `${type} ${code}`));
    expect(standardClasses.filter((c) => !known.has(`${c.caseType} ${c.standardCode}`)).map((c) => c.code)).toEqual([]);
    expect(standardClasses.length).toBeGreaterThan(50);
  });

  it('names every standard major as the standard does', () => {
    for (const m of TAXONOMY.majors.filter((x) => x.standard !== null)) {
      expect(m.name, m.code).toBe(STANDARD_MAJORS[m.caseType][standardCodeOf(m.code + '01')!.slice(0, 2)]);
    }
  });

  it('keeps 事件 codes verbatim and codes 部件 as 10 + the standard major', () => {
    expect(standardCodeOf('0101')).toBe('0101');
    expect(standardCodeOf('1101')).toBe('0101');
    expect(standardCodeOf('1402')).toBe('0402');
    expect(standardCodeOf('5101')).toBeNull();
    expect(['0101', '0999', '1101', '1999', '5001', '9999', '1001', '2001', '4901'].map(codeRange)).toEqual([
      'standard-event', 'standard-event', 'standard-component', 'standard-component', 'local', 'local', 'reserved', 'reserved', 'reserved',
    ]);
  });
});

describe('local classes', () => {
  const local = TAXONOMY.categories.filter((c) => c.standardCode === null);

  it('lie in majors 50–99 and can collide with no standard code of either case type', () => {
    expect(local.length).toBeGreaterThan(20);
    // Every code a standard class could take: 事件 0101–0999 verbatim, 部件 (01–09) + 10 → 1101–1999.
    const standardSpace = (code: string) => codeRange(code) === 'standard-event' || codeRange(code) === 'standard-component';
    for (const c of local) {
      expect(Number(c.majorCode), c.code).toBeGreaterThanOrEqual(50);
      expect(standardSpace(c.code), c.code).toBe(false);
      expect(STANDARD_MINORS.some(([type, code]) => (type === 'event' ? code : String(Number(code.slice(0, 2)) + 10) + code.slice(2)) === c.code)).toBe(false);
    }
    // And every standard class sits in the standard space.
    for (const c of TAXONOMY.categories.filter((x) => x.standardCode !== null)) expect(standardSpace(c.code), c.code).toBe(true);
  });

  it('holds the block-governance, demand and suggestion classes', () => {
    expect(TAXONOMY.majors.filter((m) => m.standard === null).map((m) => m.name)).toEqual(
      expect.arrayContaining(['矛盾纠纷', '物业管理', '养老服务', '安全隐患', '建议']),
    );
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
    rejects((d) => (d.majors[0].minors[1].unit = 'police'), /does not fit tier block/);
    rejects((d) => {
      const c = d.majors[0].minors[1];
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
  it('rejects a local major outside 50–99', () => rejects((d) => {
    const m = d.majors.find((x: any) => x.code === '51');
    m.code = '07';
    for (const c of m.minors) c.code = '07' + c.code.slice(2);
  }, /local major must be in 50–99/));
  it('rejects a standard event major outside 01–09', () => rejects((d) => {
    const m = d.majors.find((x: any) => x.code === '51');
    m.standard = 'CJ/T 214-2007';
  }, /standard event major must be in 01–09/));
  it('rejects a class without 立案条件', () => rejects((d) => delete d.majors[0].minors[0].filing, /filing/));
  it('rejects an unknown owner', () => rejects((d) => (d.majors[0].minors[0].owners = ['gas']), /owners/));
});
