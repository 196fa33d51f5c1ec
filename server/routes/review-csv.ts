/**
 * The review's tables as CSV (RFC 4180) with a UTF-8 byte-order mark, so spreadsheet programs open the Chinese text
 * correctly. Headers are bilingual (中文 English): a report sent upward is read in Chinese, the columns stay
 * recognisable to scripts.
 */
import type { FlatnessRow, IntervalSummary, ReviewIndicators, ReviewRankings, ReviewSurvival } from '../contract/review.ts';

type Cell = string | number | null;

const cell = (v: Cell): string => {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export const INDICATOR_TABLES = ['summary', 'intervals', 'flatness', 'trend'] as const;
export type IndicatorTable = (typeof INDICATOR_TABLES)[number];

const INTERVAL_NAMES: Record<string, string> = {
  accept: '受理 accept', dispatch: '派遣 dispatch', arrive: '到场 arrive', resolve: '处置 resolve', close: '结案 close',
};

export function indicatorsCsv(r: ReviewIndicators, table: IndicatorTable): string {
  const ind = r.indicators;
  switch (table) {
    case 'summary':
      return toCsv(['指标 indicator', '数值 value'], [
        ['开始 from', r.from], ['结束 to', r.to],
        ['受理量 received', ind.received], ['立案数 filed', ind.filed], ['不予立案 rejected', ind.rejected],
        ['结案数 closed', ind.closed], ['结案率 closure rate', ind.closureRate],
        ['按期结案率 on-time closure rate', ind.onTimeRate], ['返工率 rework rate', ind.reworkRate],
        ['延期率 extension rate', ind.extensionRate], ['满意率 satisfaction rate', ind.satisfactionRate],
        ['综合得分 composite score', ind.score],
      ]);
    case 'intervals': {
      const rows: Cell[][] = [];
      for (const clock of ['natural', 'working'] as const) {
        for (const [name, s] of Object.entries(r.intervals[clock]) as [string, IntervalSummary | null][]) {
          rows.push([INTERVAL_NAMES[name], clock === 'natural' ? '自然时间 natural' : '工作时间 working',
            s?.n ?? 0, s?.min ?? null, s?.q1 ?? null, s?.median ?? null, s?.q3 ?? null, s?.p90 ?? null, s?.max ?? null, s?.mean ?? null]);
        }
      }
      return toCsv(['区间 interval', '口径 clock', '件数 n', '最小 min', '下四分位 q1', '中位数 median', '上四分位 q3', 'P90', '最大 max', '平均 mean'], rows);
    }
    case 'flatness': {
      const row = (group: string, f: FlatnessRow): Cell[] => [group, f.key, f.name, f.cases, f.handoffs, f.handoffsPerCase, f.waitMinutes];
      return toCsv(['分组 group', '代码 key', '名称 name', '案件 cases', '流转次数 hand-offs', '件均流转 per case', '平均等待分钟 wait minutes'], [
        row('全部 all', r.flatness.overall),
        ...r.flatness.byUnit.map((f) => row('单位 unit', f)),
        ...r.flatness.byCategory.map((f) => row('类别 category', f)),
      ]);
    }
    case 'trend':
      return toCsv(['开始 start', '受理量 received', '结案数 closed', '结案率 closure rate', '按期结案率 on-time rate'],
        r.trend.points.map((p) => [p.start, p.received, p.closed, p.closureRate, p.onTimeRate]));
  }
}

export function survivalCsv(r: ReviewSurvival): string {
  return toCsv(['代码 key', '名称 name', '案件 cases', '已结 closed', '未结 open', '中位结案小时 median hours', '下限 lower', '上限 upper'],
    r.curves.map((c) => [c.key, c.name, c.n, c.closed, c.open, c.medianHours, c.medianLower, c.medianUpper]));
}

export function rankingsCsv(r: ReviewRankings): string {
  const rows: Cell[][] = [['district', '全区 district', r.district.score, 0, null, null, r.district.received, r.district.closureRate, r.district.onTimeRate, r.district.reworkRate, r.district.extensionRate, r.district.satisfactionRate]];
  for (const x of r.rows) {
    const c = x.current;
    rows.push([x.key, x.name, c.score, x.vsDistrict, x.monthOnMonth, x.yearOnYear, c.received, c.closureRate, c.onTimeRate, c.reworkRate, c.extensionRate, c.satisfactionRate]);
  }
  return toCsv(['代码 key', '名称 name', '综合得分 score', '较全区 vs district', '环比 month-on-month', '同比 year-on-year', '受理量 received',
    '结案率 closure', '按期结案率 on-time', '返工率 rework', '延期率 extension', '满意率 satisfaction'], rows);
}
