/**
 * POST /api/import/:kind (boundaries, roster, events): an administrator's upload, as multipart/form-data — the file
 * (`file`, repeated for a Shapefile's parts) and the options the CLI takes, by the same names — run through the same
 * importers as `npm run gezhi -- import`. Answers the summary and the row-numbered report (as CSV with a UTF-8 BOM,
 * and its first lines as JSON).
 *
 * Each import runs on a connection of its own to the same file: an events import holds its transaction open while
 * the upload is read, and no other request's write may fall into it.
 */
import { Hono } from 'hono';
import { permit } from '../http/auth.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../db/database.ts';
import { CrsError } from '../geo/crs.ts';
import { BoundaryImportError, importBoundaries } from '../import/boundaries.ts';
import { CODE_DIGITS, type BoundaryLevel } from '../import/boundary-features.ts';
import { importEvents } from '../import/events.ts';
import { SourceFormatError } from '../import/source-error.ts';
import { MappingError, parseMapping } from '../import/mapping.ts';
import { reportCsv, type ReportLine } from '../import/report.ts';
import { importRoster, RosterError } from '../import/roster.ts';
import { invalidParam, notFound, ProblemError } from '../http/problem.ts';

export const IMPORT_KINDS = ['boundaries', 'roster', 'events'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
/** Uploads may be whole districts' boundaries or a year of cases. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** Report lines returned as JSON (the CSV has them all). */
const LINES_SHOWN = 500;

interface Upload {
  files: { name: string; bytes: Uint8Array }[];
  field: (name: string) => string | undefined;
}

async function readUpload(req: Request): Promise<Upload> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ProblemError(400, 'the upload must be multipart/form-data with the file in "file"');
  }
  const files: Upload['files'] = [];
  for (const v of form.getAll('file')) {
    if (typeof v !== 'string') files.push({ name: v.name || 'upload', bytes: new Uint8Array(await v.arrayBuffer()) });
  }
  if (files.length === 0) throw invalidParam('file', 'no file uploaded', 'body');
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  return { files, field };
}

const unprocessable = (err: unknown): never => {
  if (err instanceof MappingError) throw new ProblemError(422, `the mapping is not valid: ${err.problems.join('; ')}`);
  if (err instanceof SourceFormatError) throw new ProblemError(400, `the file cannot be read: ${err.message}`);
  if (err instanceof BoundaryImportError || err instanceof RosterError || err instanceof CrsError) throw new ProblemError(422, err.message);
  throw err;
};

async function runBoundaries(db: Db, u: Upload) {
  const level = (u.field('level') ?? 'block') as BoundaryLevel;
  if (!(level in CODE_DIGITS)) throw invalidParam('level', 'one of block, community, subdistrict, district', 'body');
  const s = await importBoundaries(db, u.files, {
    level,
    fields: { code: u.field('code'), name: u.field('name'), nameEn: u.field('nameEn'), residents: u.field('residents'), households: u.field('households') },
    parentNameFields: { community: u.field('communityName'), subdistrict: u.field('subdistrictName'), district: u.field('districtField') },
    districtName: u.field('districtName'), crs: u.field('crs'), encoding: u.field('encoding'), object: u.field('object'),
  });
  const { lines, ...summary } = s;
  return { summary, lines };
}

async function runRoster(db: Db, u: Upload) {
  const sheet = u.field('sheet');
  const s = await importRoster(db, u.files[0], {
    sheet: sheet !== undefined && /^\d+$/.test(sheet) ? Number(sheet) : sheet,
    columns: { block: u.field('blockColumn'), role: u.field('roleColumn'), name: u.field('nameColumn'), phone: u.field('phoneColumn'), gender: u.field('genderColumn') },
  });
  const { lines, ...summary } = s;
  return { summary, lines };
}

async function runEvents(db: Db, u: Upload) {
  // The mapping as a form field, or uploaded beside the export as a *mapping*.json file.
  const mappingFile = u.files.find((f) => /mapping.*\.json$/i.test(f.name));
  const mappingText = u.field('mapping') ?? (mappingFile ? new TextDecoder().decode(mappingFile.bytes) : undefined);
  if (!mappingText) throw invalidParam('mapping', 'the column mapping (JSON) is required for events', 'body');
  let raw: unknown;
  try {
    raw = JSON.parse(mappingText.replace(/^\uFEFF/, ''));
  } catch {
    throw invalidParam('mapping', 'not valid JSON', 'body');
  }
  const mapping = parseMapping(raw as Record<string, unknown>);
  const data = u.files.find((f) => f !== mappingFile) ?? u.files[0];
  const dir = mkdtempSync(join(tmpdir(), 'gezhi-upload-'));
  try {
    // The events importer streams from a file (a million-row export never sits in memory as rows).
    const file = join(dir, data.name.replace(/[^\w.-]/g, '_') || 'events.csv');
    writeFileSync(file, data.bytes);
    const s = await importEvents(db, file, mapping, { reportFile: `${file}.report.csv` });
    const csv = readFileSync(`${file}.report.csv`, 'utf8').replace(/^\uFEFF/, '').split('\r\n').slice(1);
    const lines: ReportLine[] = [];
    for (const l of csv) {
      const m = /^(\d*),("(?:[^"]|"")*"|[^,]*),(skipped|note),([^,]*),(.*)$/.exec(l);
      if (m) lines.push({ row: Number(m[1]), key: m[2].replace(/^"|"$/g, '').replaceAll('""', '"'), outcome: m[3] as 'skipped', reason: m[4], detail: m[5].replace(/^"|"$/g, '').replaceAll('""', '"') });
    }
    return { summary: { ...s, file: data.name, reportFile: null }, lines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function importRoutes(db: Db) {
  return new Hono().post('/:kind', permit('data:import'), async (c) => {
    const kind = c.req.param('kind') as ImportKind;
    if (!IMPORT_KINDS.includes(kind)) throw notFound(`nothing to import as "${kind.slice(0, 40)}"; kinds: ${IMPORT_KINDS.join(', ')}`);
    const upload = await readUpload(c.req.raw);
    const own = db.memory ? db : openDatabase(db.name);
    try {
      const run = kind === 'boundaries' ? runBoundaries : kind === 'roster' ? runRoster : runEvents;
      const { summary, lines } = await run(own, upload).catch(unprocessable);
      const totals = Object.fromEntries(Object.entries(summary).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
      return c.json({
        kind,
        summary,
        lines: lines.slice(0, LINES_SHOWN),
        linesTotal: lines.length,
        reportCsv: reportCsv(lines, totals),
      });
    } finally {
      if (own !== db) own.close();
    }
  });
}
