import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../../server/db/database.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import { CATEGORY_RECODE_V1_V2 } from '../../server/db/category-recode.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';

/** Every code of the first taxonomy (categories.json version 1) with its name there. */
const OLD_CODES: readonly (readonly [string, string])[] = [
  ['0101', '暴露垃圾'],
  ['0102', '积存垃圾渣土'],
  ['0103', '道路不洁'],
  ['0104', '垃圾满溢'],
  ['0105', '乱堆物堆料'],
  ['0106', '焚烧垃圾树叶'],
  ['0107', '绿地脏乱'],
  ['0201', '非法小广告'],
  ['0202', '违规户外广告'],
  ['0203', '广告牌匾破损'],
  ['0301', '施工扰民'],
  ['0302', '道路违规开挖'],
  ['0303', '工地扬尘'],
  ['0304', '渣土车遗撒'],
  ['0305', '违法建设'],
  ['0401', '占道经营'],
  ['0402', '店外经营'],
  ['0403', '非机动车乱停放'],
  ['0404', '机动车违停'],
  ['0405', '流动摊贩'],
  ['0406', '露天烧烤'],
  ['0407', '噪声扰民'],
  ['0501', '燃气泄漏'],
  ['0502', '道路积水'],
  ['0503', '火灾险情'],
  ['0504', '路面塌陷'],
  ['0505', '树木倒伏'],
  ['0601', '邻里纠纷'],
  ['0602', '劳资纠纷'],
  ['0603', '消费纠纷'],
  ['0604', '婚姻家庭纠纷'],
  ['0701', '物业服务投诉'],
  ['0702', '电梯故障'],
  ['0703', '楼道杂物堆放'],
  ['0704', '二次供水问题'],
  ['0705', '飞线充电'],
  ['0801', '独居老人关爱'],
  ['0802', '老年助餐'],
  ['0803', '居家养老服务'],
  ['0804', '高龄津贴'],
  ['0901', '消防通道堵塞'],
  ['0902', '危房隐患'],
  ['0903', '井盖缺失破损'],
  ['0904', '电线私拉乱接'],
  ['0905', '燃气使用隐患'],
  ['0906', '食品安全隐患'],
  ['1001', '低保救助'],
  ['1002', '社保医保咨询'],
  ['1003', '就业帮扶'],
  ['1004', '停水停电'],
  ['1005', '困难群众帮扶'],
  ['1101', '路灯损坏'],
  ['1102', '路面破损'],
  ['1103', '健身器材损坏'],
  ['1104', '公厕管理'],
  ['1105', '排水管道堵塞'],
  ['1106', '交通设施损坏'],
  ['1201', '社区治理建议'],
  ['1202', '城市建设建议'],
  ['1203', '环境提升建议'],
  ['1204', '民生服务建议'],
  ['1205', '产业发展建议'],
];

/** The migration that recodes the cases: the one whose SQL recodes events. */
const RECODE = MIGRATIONS.find((m) => m.sql.includes('UPDATE events SET category_code'))!;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gezhi-recode-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('category recode table (first taxonomy → CJ/T 214 taxonomy)', () => {
  it('maps every old code to a code of the shipped taxonomy', () => {
    expect(Object.keys(CATEGORY_RECODE_V1_V2).sort()).toEqual(OLD_CODES.map(([c]) => c).sort());
    for (const [from, to] of Object.entries(CATEGORY_RECODE_V1_V2)) expect(TAXONOMY.byCode.has(to), `${from} → ${to}`).toBe(true);
  });

  it.each([
    ['0101', '0102', '暴露垃圾'],
    ['0305', '0101', '私搭乱建'],
    ['0501', '0403', '燃气管道破裂'],
    ['0503', '5406', '火灾'],
    ['0903', '1114', '无主井盖'],
    ['0601', '5101', '邻里纠纷'],
    ['1201', '5601', '社区治理建议'],
  ])('%s → %s (%s)', (from, to, name) => {
    expect(CATEGORY_RECODE_V1_V2[from]).toBe(to);
    expect(TAXONOMY.byCode.get(to)!.name).toBe(name);
  });
});

describe('the recode migration on a stored database', () => {
  /** A file at the version before the recode, holding the first taxonomy and one case per old code. */
  function oldDatabase(): Database.Database {
    const db = new Database(join(dir, 'old.db'));
    db.pragma('foreign_keys = ON');
    for (const m of MIGRATIONS.filter((x) => x.version < RECODE.version)) db.exec(m.sql);
    db.pragma(`user_version = ${RECODE.version - 1}`);
    const geometry = '{"type":"Polygon","coordinates":[]}';
    db.exec(`
      INSERT INTO areas VALUES ('430302', 'district', NULL, '雨湖区', '雨湖', 'Yuhu', '区', 1, 112.9, 27.86, '${geometry}');
      INSERT INTO areas VALUES ('430302005', 'subdistrict', '430302', '广场街道', '广场', 'Guangchang', '街道', 1, 112.9, 27.86, '${geometry}');
      INSERT INTO areas VALUES ('430302005001', 'community', '430302005', '社区', '社区', 'Community', '社区', 1, 112.9, 27.86, '${geometry}');
      INSERT INTO boundary_versions VALUES (1, 'baseline', 0, 0, '');
      INSERT INTO blocks (version_id, code, name, community_code, subdistrict_code, households, residents, area_m2, min_lon, min_lat, max_lon, max_lat, center_lon, center_lat, geometry)
        VALUES (1, '430302005001001', '区块', '430302005001', '430302005', 1, 1, 1, 0, 0, 1, 1, 112.9, 27.86, '${geometry}');
    `);
    const cat = db.prepare(
      `INSERT INTO categories (code, major_code, major_name, major_name_en, name, name_en, tier, unit_key, deadline_value, deadline_unit, warning_ratio)
       VALUES (?, ?, 'old', 'old', ?, 'old', 'block', 'block', 1, 'working-days', 0.75)`,
    );
    const ev = db.prepare(
      `INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id, block_code,
         community_code, subdistrict_code, reported_at, due_at)
       VALUES (?, ?, 'incident', 'patrol', ?, 'normal', 'reported', 'block', 't', 112.9, 27.86, 1, '430302005001001', '430302005001', '430302005', 0, 1)`,
    );
    OLD_CODES.forEach(([code, name], i) => {
      cat.run(code, code.slice(0, 2), name);
      ev.run(i + 1, `C${i + 1}`, code);
    });
    return db;
  }

  it('recodes every stored case, brings the categories table to the taxonomy, and keeps every reference valid', () => {
    const db = oldDatabase();
    expect(migrate(db)).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    const events = db.prepare('SELECT id, category_code AS code FROM events ORDER BY id').all() as { id: number; code: string }[];
    expect(events.map((e) => e.code)).toEqual(OLD_CODES.map(([code]) => CATEGORY_RECODE_V1_V2[code]));
    const cats = db.prepare('SELECT code, name, tier, unit_key AS unitKey FROM categories ORDER BY code').all();
    expect(cats).toEqual(TAXONOMY.categories.map((c) => ({ code: c.code, name: c.name, tier: c.tier, unitKey: c.unitKey })));
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });

  it('adds no category rows to a database the seed has not filled yet', () => {
    const db = new Database(join(dir, 'empty.db'));
    db.pragma('foreign_keys = ON');
    migrate(db);
    expect(db.prepare('SELECT count(*) AS n FROM categories').get()).toEqual({ n: 0 });
    db.close();
  });
});
