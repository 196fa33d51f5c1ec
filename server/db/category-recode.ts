/**
 * Stored cases under the first taxonomy (codes that looked like CJ/T 214's but were not: 04/05 swapped, 01 and 03
 * shifted, social-governance classes in 06–12) move to the standard-following taxonomy by one fixed table. The
 * migration that applies it is generated here: it brings the categories table to the shipped taxonomy (upsert, only
 * on a database that already holds categories — a fresh one is filled by the seed), recodes events in one UPDATE,
 * then drops the category rows no case uses any more.
 */
import { TAXONOMY, type Taxonomy } from '../contract/taxonomy.ts';
import { sqlText } from './queries/statements.ts';

/** Old code → new code, for every code of the first taxonomy (version 1 of categories.json). */
export const CATEGORY_RECODE_V1_V2: Readonly<Record<string, string>> = {
  // 01 市容环境 (old) → standard 事件 01 / 05, 部件 13 and local 57.
  '0101': '0102', // 暴露垃圾
  '0102': '0103', // 积存垃圾渣土
  '0103': '0104', // 道路不洁
  '0104': '1305', // 垃圾满溢 → 部件 垃圾箱
  '0105': '0507', // 乱堆物堆料 (街面秩序 in the standard)
  '0106': '5701', // 焚烧垃圾树叶 (not in the standard: local)
  '0107': '0106', // 绿地脏乱
  // 02 宣传广告
  '0201': '0201', // 非法小广告
  '0202': '0202', // 违规户外广告 → 违章张贴悬挂广告牌匾
  '0203': '0205', // 广告牌匾破损 → 广告招牌破损
  // 03 施工管理
  '0301': '0301', // 施工扰民
  '0302': '0305', // 道路违规开挖 → 无证掘路
  '0303': '0302', // 工地扬尘
  '0304': '5702', // 渣土车遗撒 (local)
  '0305': '0101', // 违法建设 → 私搭乱建
  // 04 街面秩序 (old; 05 in the standard)
  '0401': '0501', // 占道经营 → 无照经营游商
  '0402': '0504', // 店外经营
  '0403': '0506', // 非机动车乱停放
  '0404': '0505', // 机动车违停 → 机动车乱停放
  '0405': '0501', // 流动摊贩 → 无照经营游商
  '0406': '0510', // 露天烧烤
  '0407': '5105', // 噪声扰民 (social-life noise: local, police)
  // 05 突发事件 (old; 04 in the standard)
  '0501': '0403', // 燃气泄漏 → 燃气管道破裂
  '0502': '0406', // 道路积水
  '0503': '5406', // 火灾险情 → 火灾 (119 hand-over, local)
  '0504': '0401', // 路面塌陷
  '0505': '1402', // 树木倒伏 → 部件 行道树
  // 06 矛盾纠纷 → 51
  '0601': '5101',
  '0602': '5102',
  '0603': '5103',
  '0604': '5104',
  // 07 物业管理 → 52
  '0701': '5201',
  '0702': '5202',
  '0703': '5204',
  '0704': '5205',
  '0705': '5206',
  // 08 养老服务 → 53
  '0801': '5301',
  '0802': '5302',
  '0803': '5303',
  '0804': '5304',
  // 09 安全隐患 → 54 (井盖 → 部件 无主井盖: the old class named no owner)
  '0901': '5401',
  '0902': '5402',
  '0903': '1114',
  '0904': '5403',
  '0905': '5404',
  '0906': '5405',
  // 10 民生诉求 → 55
  '1001': '5501',
  '1002': '5502',
  '1003': '5503',
  '1004': '5504',
  '1005': '5505',
  // 11 公共设施 → 部件 and local
  '1101': '1118', // 路灯损坏 → 路灯
  '1102': '5703', // 路面破损 → 道路破损 (local)
  '1103': '1126', // 健身器材损坏 → 健身设施
  '1104': '1301', // 公厕管理 → 公共厕所
  '1105': '0404', // 排水管道堵塞 → 下水道堵塞或破损
  '1106': '1214', // 交通设施损坏 → 交通信号灯
  // 12 建议 → 56
  '1201': '5601',
  '1202': '5602',
  '1203': '5603',
  '1204': '5604',
  '1205': '5605',
};

const q = (v: string | number): string => (typeof v === 'number' ? String(v) : sqlText(v));

/** The migration's SQL for a recode table and the taxonomy it leads to. */
export function categoryRecodeSql(recode: Readonly<Record<string, string>> = CATEGORY_RECODE_V1_V2, taxonomy: Taxonomy = TAXONOMY): string {
  const rows = taxonomy.categories.map((c) =>
    `(${[c.code, c.majorCode, c.majorName, c.majorNameEn, c.name, c.nameEn, c.tier, c.unitKey, c.deadline.value, c.deadline.unit, c.warningRatio].map(q).join(', ')})`,
  );
  const whens = Object.entries(recode).map(([from, to]) => `WHEN ${q(from)} THEN ${q(to)}`);
  const codes = taxonomy.categories.map((c) => q(c.code)).join(', ');
  return /* sql */ `
INSERT INTO categories (code, major_code, major_name, major_name_en, name, name_en, tier, unit_key, deadline_value, deadline_unit, warning_ratio)
SELECT * FROM (VALUES
${rows.join(',\n')}
) WHERE EXISTS (SELECT 1 FROM categories)
ON CONFLICT (code) DO UPDATE SET major_code = excluded.major_code, major_name = excluded.major_name,
  major_name_en = excluded.major_name_en, name = excluded.name, name_en = excluded.name_en, tier = excluded.tier,
  unit_key = excluded.unit_key, deadline_value = excluded.deadline_value, deadline_unit = excluded.deadline_unit,
  warning_ratio = excluded.warning_ratio;
UPDATE events SET category_code = CASE category_code
${whens.join('\n')}
END
WHERE category_code IN (${Object.keys(recode).map(q).join(', ')});
DELETE FROM categories WHERE code NOT IN (${codes}) AND code NOT IN (SELECT DISTINCT category_code FROM events);
`;
}
