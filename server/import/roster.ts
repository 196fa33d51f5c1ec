/**
 * Staff roster import: a CSV or XLSX with one row per person and block (block code, role, name, phone; gender
 * optional) → each block's 1+N+1 team. Headers are found by the usual Chinese or English names, or given.
 *
 * Rows skipped, with their spreadsheet row number (the header is row 1):
 *   missing-block / unknown-block   no block code, or no block of that code in the boundary version in force
 *   unknown-role                    not 治理员 / 协理员 / 监督员 (or governor / assistant / supervisor)
 *   missing-name, invalid-phone     no name; not a mainland mobile (11 digits from 1) or a landline with area code
 *   duplicate-row                   the same person in the same role of the same block again
 *   block-team-invalid              the block's team breaks the 1+N+1 rule (domain/team-rule.ts): the whole block
 *                                   is left as it was, and each broken rule is reported on its own line
 * Blocks of the version the roster does not list keep their teams (noted as block-without-team when they have none).
 *
 * One transaction; importing the same roster again changes nothing.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { readSheet } from 'read-excel-file/node';
import { importRosterCommands, type RosterPerson, type RosterTeam } from '../db/commands/import-roster.ts';
import type { Db } from '../db/database.ts';
import { checkTeam, type BlockRole } from '../domain/team-rule.ts';
import { countBy, writeReportFile, type ReportLine } from './report.ts';

export type RosterColumn = 'block' | 'role' | 'name' | 'phone' | 'gender';

const ALIASES: Record<RosterColumn, string[]> = {
  block: ['block', 'block_code', 'blockcode', '区块编码', '区块代码', '区块', '网格编码'],
  role: ['role', '角色', '职务', '岗位'],
  name: ['name', '姓名'],
  phone: ['phone', 'mobile', 'tel', '电话', '手机', '手机号', '手机号码', '联系电话'],
  gender: ['gender', 'sex', '性别'],
};

const ROLE_TEXT: Record<string, BlockRole> = {
  治理员: 'governor', governor: 'governor', 区块治理员: 'governor',
  协理员: 'assistant', assistant: 'assistant', 区块协理员: 'assistant',
  监督员: 'supervisor', supervisor: 'supervisor', 区块监督员: 'supervisor',
};

export interface RosterOptions {
  /** Header of each column, where the usual names do not find it. */
  columns?: Partial<Record<RosterColumn, string>>;
  /** XLSX: the sheet (name or 1-based number; default the first). */
  sheet?: string | number;
  now?: number;
  reportFile?: string | null;
}

export interface RosterSummary {
  read: number;
  imported: number;
  skipped: number;
  skippedBy: Record<string, number>;
  blocks: number;
  staffAdded: number;
  started: number;
  ended: number;
  unchanged: boolean;
  reportFile: string | null;
  lines: ReportLine[];
}

export class RosterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RosterError';
  }
}

async function readTable(name: string, bytes: Uint8Array, sheet?: string | number): Promise<string[][]> {
  if (/\.xlsx$/i.test(name)) {
    try {
      const rows = await readSheet(Buffer.from(bytes), sheet ?? 1);
      return rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c))));
    } catch (err) {
      throw new RosterError(`not a readable XLSX file: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (/\.xls$/i.test(name)) throw new RosterError('the old .xls format is not read: save the roster as .xlsx or CSV');
  try {
    return parseCsv(Buffer.from(bytes), { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new RosterError(`not a readable CSV file: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const normal = (s: string) => s.trim().toLowerCase().replace(/[\s_-]/g, '');

function locateColumns(header: string[], given: RosterOptions['columns'] = {}): Record<RosterColumn, number> {
  const out = {} as Record<RosterColumn, number>;
  const missing: string[] = [];
  for (const col of Object.keys(ALIASES) as RosterColumn[]) {
    const names = given[col] ? [given[col]!] : ALIASES[col];
    out[col] = header.findIndex((h) => names.some((n) => normal(n) === normal(h)));
    if (out[col] < 0 && col !== 'gender') missing.push(`${col} (${names.join(' / ')})`);
  }
  if (missing.length) throw new RosterError(`the roster has no column for ${missing.join(', ')}; its columns: ${header.join(', ')}`);
  return out;
}

const PHONE = /^(1\d{10}|0\d{9,11})$/;

export async function importRoster(db: Db, file: { name: string; bytes: Uint8Array }, o: RosterOptions = {}): Promise<RosterSummary> {
  const now = o.now ?? Date.now();
  const table = await readTable(file.name, file.bytes, o.sheet);
  if (table.length === 0) throw new RosterError('the roster is empty');
  const col = locateColumns(table[0].map((h) => h.replace(/^\uFEFF/, '')), o.columns);
  const cmd = importRosterCommands(db);
  const inForce = cmd.blocksInForce(now);
  if (!inForce) throw new RosterError('the database has no block boundaries yet: import boundaries first');

  const lines: ReportLine[] = [];
  const byBlock = new Map<string, { row: number; person: RosterPerson; role: BlockRole }[]>();
  const seen = new Set<string>();
  for (let i = 1; i < table.length; i++) {
    const r = table[i];
    const row = i + 1;
    const cell = (c: RosterColumn) => (col[c] >= 0 ? String(r[col[c]] ?? '').trim() : '');
    const block = cell('block');
    const skip = (reason: string, detail: string) => lines.push({ row, key: block, outcome: 'skipped', reason, detail });
    if (r.every((v) => String(v).trim() === '')) continue;
    if (block === '') { skip('missing-block', 'no block code'); continue; }
    if (!inForce.codes.has(block)) { skip('unknown-block', `no block ${block} in the boundaries in force`); continue; }
    const role = ROLE_TEXT[normal(cell('role'))] ?? ROLE_TEXT[cell('role')];
    if (!role) { skip('unknown-role', `"${cell('role')}" is not 治理员, 协理员 or 监督员`); continue; }
    const name = cell('name');
    if (name === '') { skip('missing-name', 'no name'); continue; }
    const phone = cell('phone').replace(/[\s()-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
    if (!PHONE.test(phone)) { skip('invalid-phone', `"${cell('phone')}" is not a mobile or landline number`); continue; }
    const key = `${block}|${role}|${name}|${phone}`;
    if (seen.has(key)) { skip('duplicate-row', `${name} is already listed as ${role} of ${block}`); continue; }
    seen.add(key);
    const g = cell('gender');
    const gender: 'F' | 'M' = /^(女|f|female)$/i.test(g) ? 'F' : 'M';
    if (!byBlock.has(block)) byBlock.set(block, []);
    byBlock.get(block)!.push({ row, person: { name, phone, gender }, role });
  }

  const teams: RosterTeam[] = [];
  let imported = 0;
  for (const [block, members] of [...byBlock].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const broken = checkTeam(members.map((m) => ({ person: `${m.person.name} ${m.person.phone}`, role: m.role })));
    if (broken.length > 0) {
      for (const v of broken) lines.push({ row: 0, key: block, outcome: 'note', reason: v.reason, detail: v.detail });
      for (const m of members) {
        lines.push({ row: m.row, key: block, outcome: 'skipped', reason: 'block-team-invalid', detail: `block ${block} breaks 1+N+1: ${broken.map((v) => v.reason).join(', ')}` });
      }
      continue;
    }
    teams.push({ block_code: block, members: members.map((m) => ({ person: m.person, role: m.role })) });
    imported += members.length;
  }
  const changes = cmd.writeTeams(inForce.versionId, teams, now);
  for (const code of inForce.codes) {
    if (!byBlock.has(code)) lines.push({ row: 0, key: code, outcome: 'note', reason: 'block-without-team', detail: 'the roster does not list this block' });
  }

  const skippedBy = countBy(lines, 'skipped');
  const summary: RosterSummary = {
    read: table.length - 1, imported, skipped: Object.values(skippedBy).reduce((a, b) => a + b, 0), skippedBy,
    blocks: teams.length, ...changes, unchanged: changes.staffAdded + changes.started + changes.ended === 0, reportFile: null, lines,
  };
  if (o.reportFile) {
    writeReportFile(o.reportFile, lines.sort((a, b) => a.row - b.row), {
      'rows-read': summary.read, imported, skipped: summary.skipped, 'blocks-staffed': teams.length,
      ...Object.fromEntries(Object.entries(skippedBy).map(([k, n]) => [`skipped:${k}`, n])),
    });
    summary.reportFile = o.reportFile;
  }
  return summary;
}
