/** The row-numbered report of an import (boundaries, roster) as CSV with a UTF-8 BOM, written next to the input. */
import { writeFileSync } from 'node:fs';

export interface ReportLine {
  /** 1-based row of the source (a feature's position, a roster's spreadsheet row); 0 for the file as a whole. */
  row: number;
  /** The code or id the row carries, when it has one. */
  key: string;
  outcome: 'skipped' | 'note' | 'repaired' | 'topology';
  reason: string;
  detail: string;
}

const field = (v: string | number): string => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function reportCsv(lines: readonly ReportLine[], totals: Record<string, number>): string {
  const out = ['\uFEFFrow,key,outcome,reason,detail'];
  for (const l of lines) out.push([l.row || '', field(l.key), l.outcome, l.reason, field(l.detail)].join(','));
  for (const [k, n] of Object.entries(totals)) out.push(`,,total,${field(k)},${n}`);
  return out.join('\r\n') + '\r\n';
}

export function writeReportFile(file: string, lines: readonly ReportLine[], totals: Record<string, number>): void {
  writeFileSync(file, reportCsv(lines, totals));
}

/** Counts of lines by outcome:reason, for the summary. */
export function countBy(lines: readonly ReportLine[], outcome: ReportLine['outcome']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) if (l.outcome === outcome) out[l.reason] = (out[l.reason] ?? 0) + 1;
  return out;
}
