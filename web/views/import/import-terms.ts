/**
 * The words an import's answer is made of — summary fields, outcomes and reasons, as the server names them (the
 * report CSV keeps those names) — in the reader's language. A name without an entry (a reason added on the server
 * later) is shown as it is.
 */
import { lang, type Lang } from '../../i18n';

const ZH: Record<string, string> = {
  // summary fields
  file: '文件', source: '来源系统', reportFile: '报告文件', read: '读取行数', imported: '导入', skipped: '跳过',
  skippedBy: '跳过原因', notesBy: '备注', repairedBy: '已修复', commitSeconds: '提交耗时（秒）', seconds: '耗时（秒）',
  threaded: '后台线程读取', level: '层级', format: '格式', crs: '坐标系', encoding: '属性编码', overlaps: '重叠',
  gaps: '缝隙', areas: '区划', inserted: '新增', updated: '更新', unchanged: '无变化', versionId: '边界版本',
  buildings: '建筑', buildingsPlaced: '已落入区块的建筑', units: '单位', blocks: '区块', staffAdded: '新增人员',
  started: '新任职', ended: '已卸任', true: '是', false: '否',
  // outcomes
  note: '备注', repaired: '已修复', topology: '拓扑',
  // events
  'missing-id': '缺少编号', 'duplicate-id-in-file': '文件内编号重复', 'duplicate-id-in-database': '已导入过（编号重复）',
  'missing-created': '缺少受理时间', 'invalid-timestamp': '时间格式无法识别', 'nonexistent-local-time': '夏令时跳过的当地时间',
  'ambiguous-local-time': '夏令时重复的当地时间（取较早）', 'closed-before-created': '办结早于受理',
  'missing-coordinates': '缺少坐标', 'placeholder-coordinates': '占位坐标', 'outside-boundaries': '坐标不在任何区块内',
  'coordinates-out-of-range': '坐标超出范围', 'unknown-status': '未知状态', 'suspended-status': '挂账案件无法导入',
  'closed-without-time': '已办结但无办结时间', 'unmapped-category': '未映射分类（保留原文）',
  'due-computed': '办结时限按分类计算', 'no-deadline': '无办结时限（不计入按期率）',
  // roster
  'unknown-block': '区块不存在', 'unknown-role': '未知角色', 'missing-block': '缺少区块编码', 'missing-name': '缺少姓名',
  'invalid-phone': '手机号无效', 'duplicate-row': '重复行', 'block-team-invalid': '区块队伍不符合 1+N+1',
  'block-without-team': '区块无队伍', 'blocks-staffed': '已配齐队伍的区块',
  // boundaries
  'missing-code': '缺少编码', 'invalid-code': '编码无效', 'duplicate-code': '编码重复', 'code-derived': '编码由上级推导',
  'missing-geometry': '缺少几何', 'not-a-polygon': '不是面要素', 'degenerate-geometry': '几何退化', 'outside-parents': '不在上级区划内',
  'building-not-a-place': '建筑无有效位置', 'building-outside-blocks': '建筑不在任何区块内', gap: '缝隙', overlap: '重叠',
  'features-read': '读取要素', 'ring-closed': '闭合环', 'duplicate-vertices-removed': '去除重复顶点', 'ring-rewound': '调整环方向',
  'self-intersection-resolved': '消除自相交', 'degenerate-hole-dropped': '删除退化内环', 'degenerate-polygon-dropped': '删除退化面',
};

const EN: Record<string, string> = {
  file: 'File', source: 'Source system', reportFile: 'Report file', read: 'Rows read', imported: 'Imported', skipped: 'Skipped',
  skippedBy: 'Skipped', notesBy: 'Notes', repairedBy: 'Repaired', commitSeconds: 'Commit (s)', seconds: 'Time (s)',
  threaded: 'Read on a worker thread', level: 'Level', format: 'Format', crs: 'Coordinate system', encoding: 'Attribute encoding',
  overlaps: 'Overlaps', gaps: 'Gaps', areas: 'Areas', inserted: 'inserted', updated: 'updated', unchanged: 'Unchanged',
  versionId: 'Boundary version', buildings: 'Buildings', buildingsPlaced: 'Buildings placed in a block', units: 'Units',
  blocks: 'Blocks', staffAdded: 'Staff added', started: 'Assignments started', ended: 'Assignments ended', true: 'yes', false: 'no',
};

/** The reader's word for a name from an import's answer, or the name itself. */
export function importTerm(name: string, language: Lang = lang()): string {
  return (language === 'zh-CN' ? ZH : EN)[name] ?? name;
}
