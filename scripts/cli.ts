/**
 * The Gezhi command line: `npm run gezhi -- <command> [options]`. `--help` after any command documents it.
 * Exit codes: 0 ok, 1 the command failed, 2 usage error.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase } from '../server/db/database.ts';
import { isRole, ROLES } from '../server/domain/permissions.ts';
import { DEFAULT_EVENTS, DEFAULT_SEED, DatabaseNotEmptyError, seedDemo, type SeedSummary } from '../server/db/seed/index.ts';
import { channelCommand, notificationsCommand, type CliKit } from './cli-notify.ts';
import type { Accounts } from '../server/services/accounts.ts';
import { MAX_PASSWORD, MIN_PASSWORD, randomPassword } from '../server/services/passwords.ts';

class UsageError extends Error {}

interface Command {
  summary: string;
  usage: string;
  help: string;
  run(args: string[]): Promise<number>;
}

const DEFAULT_DB = 'data/gezhi.db';

/** Runs `f` with the accounts service on the database of `--db` (or GEZHI_DB), closing it after. */
async function withAccounts<T>(o: Map<string, string | true>, f: (accounts: Accounts) => Promise<T> | T): Promise<T> {
  const { createAccounts } = await import('../server/services/accounts.ts');
  const handle = openDatabase((o.get('db') as string | undefined) ?? (process.env.GEZHI_DB || DEFAULT_DB));
  try {
    return await f(createAccounts(handle));
  } finally {
    handle.close();
  }
}

/** Parses `--name value` / `--name=value` / boolean flags; rejects unknown options and stray arguments. */
function parseOptions(args: string[], valued: readonly string[], flags: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      if (out.has(name)) throw new UsageError(`--${name} given twice`);
      out.set(name, value);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return out;
}

function parseCount(name: string, text: string): number {
  const clean = text.replaceAll('_', '').replaceAll(',', '');
  const n = /^\d+(\.\d+)?e\d+$/i.test(clean) || /^\d+$/.test(clean) ? Number(clean) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number ≥ 0 (got "${text}")`);
  return n;
}

/** ISO 8601; a date or date-time without an offset is read as Asia/Shanghai time. */
function parseNow(text: string): number {
  let iso = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += '+08:00';
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--now must be an ISO 8601 time, e.g. 2026-11-25T10:00+08:00 (got "${text}")`);
  return ms;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise. */
function progressReporter(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let started = performance.now();
  let lastLine = 0;
  let lastDone = -1;
  let firstDone = 0;
  let drawn = false;
  return {
    update(done, total) {
      if (done === lastDone) return;
      if (lastDone < 0) {
        // The clock starts with the first events, not with the district generator.
        started = performance.now();
        firstDone = done;
      }
      lastDone = done;
      const elapsed = (performance.now() - started) / 1000;
      const rate = elapsed > 0.05 ? (done - firstDone) / elapsed : 0;
      const eta = done >= total ? 0 : rate > 0 ? (total - done) / rate : Infinity;
      const pct = total > 0 ? (100 * done) / total : 100;
      const text = `${pct.toFixed(1).padStart(5)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${label}  ${Math.round(rate).toLocaleString('en-US')}/s  ETA ${formatDuration(eta)}`;
      if (tty) {
        const width = 30;
        const filled = Math.round((width * pct) / 100);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K`);
        drawn = true;
      } else if (performance.now() - lastLine >= 5000 || done === total) {
        lastLine = performance.now();
        process.stderr.write(`${text}\n`);
      }
    },
    end() {
      if (tty && drawn) process.stderr.write('\n');
    },
  };
}

function printSummary(file: string, s: SeedSummary): void {
  const c = s.counts;
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `Seeded ${file} (seed ${s.seed}, history up to ${new Date(s.now).toISOString()})`,
    `  areas            ${n(c.areas)} (${n(c.subdistricts)} subdistricts, ${n(c.communities)} communities)`,
    `  buildings        ${n(c.buildings)}`,
    `  blocks           ${n(c.blocks)}`,
    `  roads            ${n(c.roads)}`,
    `  units            ${n(c.units)}`,
    `  staff            ${n(c.staff)} (${n(c.roleAssignments)} roles, ${n(c.staffPositions)} positions)`,
    `  categories       ${n(c.categories)}`,
    `  events           ${n(c.events)} (${n(c.eventLog)} log rows)`,
    `  last 12 months   ${n(s.lastYear.events)} events: ${n(s.lastYear.consultation)} consultation, ` +
      `${n(s.lastYear.demandsResolved)} demands resolved, ${n(s.lastYear.suggestions)} suggestions`,
    `  seconds          ${s.seconds.total.toFixed(1)} (generator ${s.seconds.generator.toFixed(1)}, geodata ${s.seconds.geodata.toFixed(1)}, ` +
      `staff ${s.seconds.staff.toFixed(1)}, events ${s.seconds.events.toFixed(1)})`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

const kit: CliKit = {
  usage: (message) => new UsageError(message),
  parseOptions,
  openDb: (file) => openDatabase(file ?? (process.env.GEZHI_DB || DEFAULT_DB)),
};
const IMPORT_BOUNDARIES_HELP = `import boundaries <file> [--level block|community|subdistrict|district] [--code FIELD] [--name FIELD]
  [--name-en FIELD] [--residents FIELD] [--households FIELD] [--community-name FIELD] [--subdistrict-name FIELD]
  [--district-field FIELD] [--district-name TEXT] [--crs CRS] [--encoding ENC] [--object NAME] [--effective ISO]
  [--db FILE] [--report FILE]

Reads areas or blocks from GeoJSON (.geojson/.json), TopoJSON (.topojson; --object picks one object) or a Shapefile
(a .zip with .shp/.dbf/.prj[/.cpg], or the .shp with its siblings). Coordinates are converted to WGS-84 from --crs
(WGS84, CGCS2000, GCJ02, BD09, EPSG:<code>) or else the .prj or GeoJSON crs. Attribute text is decoded by --encoding
(utf-8, gbk, gb18030), else the .cpg, else UTF-8 when valid, else GBK.
  --level         what the features are (default block): 15-digit block codes, 12 community, 9 subdistrict, 6 district
  --code FIELD    the property holding the code; a feature without one gets its code from the area of the level
                  above that contains it (numbered west→east, north→south)
  --name FIELD    the property holding the name (blocks default to "<community>第N区块")
  --residents, --households FIELD   people per block (shared out over the generated building parcels)
  --community-name, --subdistrict-name, --district-field FIELD   names of parent areas the database lacks (they
                  are derived as the union of their children); --district-name TEXT for the district's name
  --effective ISO when a new block version takes effect (default: now; the first version: always)
  --buildings FILE  the blocks' buildings (points or footprints; --building-residents, --building-households
                  FIELD; --buildings-crs CRS): each block is cut into its buildings' Voronoi cells, and its people
                  are theirs unless --residents/--households give them; blocks without buildings get grid parcels
Safe geometry repairs (unclosed rings, repeated vertices, winding, self-intersections) are made and reported;
overlaps and gaps are reported. Blocks get building parcels cut from them so planning works. All or nothing;
importing the same file again changes nothing. The report goes to <file>.report.csv (UTF-8 BOM).`;

const IMPORT_ROSTER_HELP = `import roster <file.csv|file.xlsx> [--sheet NAME|N] [--block-column H] [--role-column H] [--name-column H]
  [--phone-column H] [--gender-column H] [--db FILE] [--report FILE]

One row per person and block: block code (区块编码), role (角色: 治理员 / 协理员 / 监督员), name (姓名), phone (手机),
gender (性别, optional). Each listed block's team becomes the roster's if it keeps the 1+N+1 rule (1 governor, ≥ 1
assistant, 1 supervisor who is not also a handler); a block that breaks it is left as it was and reported. Rows with
an unknown block or role, no name, a bad phone or repeated are skipped with their row number. Importing the same
roster again changes nothing.`;

const COMMANDS: Record<string, Command> = {
  backup: {
    summary: 'copy the database into a checked backup file, safely while the server runs',
    usage: 'backup [FILE] [--db FILE]',
    help: `Copies the database with SQLite's online backup API into FILE (default: backups/gezhi-<UTC time>.db beside
the database) and checks the copy with PRAGMA integrity_check. Safe while the server runs: the copy is one read of
the last commit, and the server keeps writing meanwhile. FILE must not exist.

Options:
  --db FILE   the database (default: $GEZHI_DB, else ${DEFAULT_DB})
  --help      show this help
Exit codes: 0 written and checked, 1 failed, 2 usage error.`,
    async run(args) {
      const [first, ...rest] = args;
      const named = first !== undefined && !first.startsWith('--');
      const o = parseOptions(named ? rest : args, ['db'], []);
      const positional = named ? [first] : [];
      const dbFile = (o.get('db') as string | undefined) ?? (process.env.GEZHI_DB || DEFAULT_DB);
      const { backupDatabase, defaultBackupName } = await import('../server/db/backup.ts');
      const target = positional[0] ?? defaultBackupName(dbFile);
      mkdirSync(dirname(target), { recursive: true });
      const started = performance.now();
      const check = await backupDatabase(dbFile, target);
      process.stdout.write(
        `Backed up ${dbFile} to ${target} in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
          `${(check.bytes / 1048576).toFixed(1)} MiB, ${check.events?.toLocaleString('en-US')} events, schema ${check.schemaVersion}, integrity ok\n`,
      );
      return 0;
    },
  },
  restore: {
    summary: 'replace the database with a checked backup (the server must be stopped)',
    usage: 'restore FILE [--db FILE]',
    help: `Checks the backup FILE (PRAGMA integrity_check, a Gezhi schema this program can open) and, if it is sound,
replaces the database with it. The replaced database is kept beside it as <db>.before-restore-<time>.

Refuses while a server has the database open: stop the server (Ctrl-C, or kill -TERM <pid> — the message names
it), run restore, then start the server again. A backup that fails its check changes nothing.

Options:
  --db FILE   the database to replace (default: $GEZHI_DB, else ${DEFAULT_DB})
  --help      show this help
Exit codes: 0 restored, 1 refused or failed (nothing changed), 2 usage error.`,
    async run(args) {
      const [file, ...rest] = args;
      if (file === undefined || file.startsWith('--')) throw new UsageError('name the backup file to restore');
      const o = parseOptions(rest, ['db'], []);
      const dbFile = (o.get('db') as string | undefined) ?? (process.env.GEZHI_DB || DEFAULT_DB);
      const { restoreDatabase } = await import('../server/db/backup.ts');
      const { check, previous } = restoreDatabase(file, dbFile);
      process.stdout.write(
        `Restored ${dbFile} from ${file}: ${check.events?.toLocaleString('en-US')} events, schema ${check.schemaVersion}, integrity ok` +
          (previous ? `\nThe replaced database is kept as ${previous}` : '') + '\nStart the server again to serve it.\n',
      );
      return 0;
    },
  },
  channel: channelCommand(kit),
  export: {
    summary: 'export events (CSV with BOM, GeoJSON, Open311 JSON) or blocks (GeoJSON, zipped Shapefile)',
    usage: 'export events --format csv|geojson|open311 [--out FILE] [--db FILE] [--from ISO] [--to ISO] [--status S,…] [--category C] [--block B] [--bbox W,S,E,N] [--limit N]\n       export blocks --format geojson|shapefile --out FILE [--db FILE]',
    help: `export blocks: the blocks of the boundary version in force as GeoJSON or a zipped Shapefile (WGS-84, UTF-8
attributes code, name, community, comm_name, subdist, sub_name, district, dist_name, residents, households) that
"import boundaries FILE --code code --name name --residents residents --households households
 --community-name comm_name --subdistrict-name sub_name --district-field dist_name" reads back.

export events: writes the events that match the filters (those of GET /api/events), newest first, to --out (default stdout).
CSV carries a UTF-8 BOM and reads back with "import events" and the mapping it prints with --mapping-out.

Options:
  --format F        csv, geojson (RFC 7946 points) or open311 (GeoReport v2 service requests)
  --out FILE        file to write (default: stdout)
  --mapping-out F   also write the column mapping that imports the CSV back (source "export")
  --db FILE         SQLite file (default: $GEZHI_DB, else ${DEFAULT_DB})
  --from, --to      reported between these dates/times (ISO 8601; a date without time is Asia/Shanghai)
  --status S,…      statuses, or open / overdue
  --category C      2-digit major or 4-digit category code
  --block B         15-digit block code
  --bbox W,S,E,N    a WGS-84 box
  --limit N         at most N events (default all)
  --help            show this help
Exit codes: 0 written, 1 failed, 2 usage error.`,
    async run(args) {
      const [kind, ...rest] = args;
      if (kind === 'blocks') return exportBlocksCommand(rest);
      if (kind !== 'events') throw new UsageError(kind === undefined ? 'say what to export: events or blocks' : `cannot export "${kind}" (known: events, blocks)`);
      const o = parseOptions(rest, ['format', 'out', 'mapping-out', 'db', 'from', 'to', 'status', 'category', 'block', 'bbox', 'limit'], []);
      const { EXPORT_FORMATS, exportChunks, exportMapping, exportRows } = await import('../server/export/events.ts');
      const format = o.get('format') as string | undefined;
      if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
      const { parseEventQuery } = await import('../server/routes/events.ts');
      const { ProblemError } = await import('../server/http/problem.ts');
      let filter;
      try {
        const raw: Record<string, string> = {};
        for (const k of ['from', 'to', 'status', 'category', 'block', 'bbox'] as const) if (o.has(k)) raw[k] = o.get(k) as string;
        const { limit: _l, ...f } = parseEventQuery(raw);
        filter = f;
      } catch (err) {
        if (err instanceof ProblemError) throw new UsageError(err.message);
        throw err;
      }
      const max = o.has('limit') ? parseCount('limit', o.get('limit') as string) : 0;
      const db = openDatabase((o.get('db') as string | undefined) ?? (process.env.GEZHI_DB || DEFAULT_DB), { readonly: true });
      try {
        const { createQueries } = await import('../server/db/queries/index.ts');
        const { exportQueries } = await import('../server/db/queries/export.ts');
        const q = createQueries(db);
        const extras = exportQueries(db);
        const out = o.has('out') ? createWriteStream(o.get('out') as string) : process.stdout;
        for (const chunk of exportChunks(format as 'csv', exportRows({ list: q.events.list, extras: extras.extras }, { ...filter, now: Date.now() }, max))) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
        if (out !== process.stdout) {
          out.end();
          await once(out, 'finish');
        }
        if (o.has('mapping-out')) writeFileSync(o.get('mapping-out') as string, JSON.stringify(exportMapping('export'), null, 2) + '\n');
        return 0;
      } finally {
        db.close();
      }
    },
  },
  import: {
    summary: 'import boundaries (GeoJSON, TopoJSON, Shapefile), a staff roster (CSV, XLSX) or events (CSV, JSON)',
    usage: 'import boundaries|roster|events <file> [options] (see --help)',
    help: `${IMPORT_BOUNDARIES_HELP}

${IMPORT_ROSTER_HELP}

import events <file> --mapping <mapping.json> [--db FILE] [--report FILE]

Reads a case export of another system (a hotline, a city-management platform) into the events of the
database: CSV (comma-separated, quoted fields may hold commas, quotes and newlines; UTF-8 with or without BOM; CRLF
or LF), JSON Lines (.jsonl / .ndjson, one object per line) or a JSON array (.json, read whole: use CSV or JSON Lines
for large files). The file streams in with a progress bar and bounded memory.

Options:
  --mapping FILE  the column-mapping file (JSON), required:
                    source            a name for the system; its ids are unique per source
                    columns           source column of id, category, created, due, closed, status, latitude,
                                      longitude, department, text (id, category, created, latitude and
                                      longitude are required)
                    timestampFormats  e.g. ["MM/DD/YYYY hh:mm:ss AM", "YYYY-MM-DD HH:mm:ss", "ISO"] (default ISO)
                    timeZone          the source's IANA zone (default Asia/Shanghai); daylight-saving changes
                                      are handled: a repeated local time takes the earlier instant and is
                                      noted, a skipped one is refused
                    crs               WGS84 (default), CGCS2000, GCJ02, BD09, EPSG:<code> (CGCS2000
                                      Gauss-Kruger 4491-4554, UTM 326xx/327xx, 3857) or a .prj file (WKT)
                    categories        source category text → category code; others are kept under an
                                      "unmapped" category with the source text
                    statuses          source status text → reported, filed, dispatched, …, closed, evaluated
                    placeholderCoordinates  [[x, y], …] pairs the source uses for "no location"
                    defaults          { kind, channel, priority } of every imported case
  --db FILE       SQLite file (default: $GEZHI_DB, else ${DEFAULT_DB})
  --report FILE   where to write the report (default: <file>.report.csv next to the input)
  --help          show this help

Every row not imported is reported with its row number (the header is row 1) and reason: missing-id,
duplicate-id-in-file, duplicate-id-in-database, missing-created, invalid-timestamp, nonexistent-local-time,
closed-before-created, missing-coordinates, placeholder-coordinates, outside-boundaries (in no block),
unknown-status, closed-without-time. Imported rows may carry notes: ambiguous-local-time, unmapped-category,
due-computed (from the category's deadline on the working-time calendar), no-deadline (left out of on-time
figures). The report is CSV with a UTF-8 BOM; totals go to stdout.

The import is all or nothing: the rows are written in one transaction, committed after the last row, so a
failure leaves the database as it was. Importing the same file again adds nothing.
Exit codes: 0 imported (even if rows were skipped), 1 failed, 2 usage error.`,
    async run(args) {
      const [kind, file, ...rest] = args;
      if (kind !== 'events' && kind !== 'boundaries' && kind !== 'roster') {
        throw new UsageError(kind === undefined ? 'say what to import: boundaries, roster or events' : `cannot import "${kind}" (known: boundaries, roster, events)`);
      }
      if (file === undefined || file.startsWith('--')) throw new UsageError('name the file to import');
      if (kind === 'boundaries') return importBoundariesCommand(file, rest);
      if (kind === 'roster') return importRosterCommand(file, rest);
      const o = parseOptions(rest, ['mapping', 'db', 'report'], []);
      if (!o.has('mapping')) throw new UsageError('--mapping is required');
      const { importEvents, loadMapping } = await import('../server/import/events.ts');
      const { MappingError } = await import('../server/import/mapping.ts');
      let mapping;
      try {
        mapping = await loadMapping(o.get('mapping') as string);
      } catch (err) {
        if (err instanceof MappingError) {
          process.stderr.write(`gezhi import: ${o.get('mapping')} is not a valid mapping:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
          return 1;
        }
        throw err;
      }
      const dbFile = (o.get('db') as string | undefined) ?? (process.env.GEZHI_DB || DEFAULT_DB);
      const db = openDatabase(dbFile);
      const progress = progressReporter('kB');
      try {
        const s = await importEvents(db, file, mapping, {
          reportFile: o.get('report') as string | undefined,
          onProgress: (done, total) => progress.update(Math.ceil(done / 1024), Math.ceil(total / 1024)),
        });
        const n = (x: number) => x.toLocaleString('en-US');
        const lines = [
          `Imported ${file} into ${dbFile} (source ${s.source}) in ${s.seconds.toFixed(1)} s`,
          `  rows read   ${n(s.read)}`,
          `  imported    ${n(s.imported)}`,
          `  skipped     ${n(s.skipped)}`,
          ...Object.entries(s.skippedBy).map(([r, c]) => `    ${r.padEnd(26)} ${n(c)}`),
          ...(Object.keys(s.notesBy).length ? ['  notes on imported rows'] : []),
          ...Object.entries(s.notesBy).map(([r, c]) => `    ${r.padEnd(26)} ${n(c)}`),
          `  report      ${s.reportFile}`,
        ];
        progress.end();
        process.stdout.write(lines.join('\n') + '\n');
        return 0;
      } catch (err) {
        progress.end();
        throw err;
      } finally {
        db.close();
      }
    },
  },
  notifications: notificationsCommand(kit),
  seed: {
    summary: 'create the Yuhu demo database (district, staff, categories, event history)',
    usage: 'seed [--db FILE] [--events N] [--seed S] [--now ISO] [--force]',
    help: `Options:
  --db FILE     SQLite file to write (default: $GEZHI_DB, else ${DEFAULT_DB}); created if missing
  --events N    number of events in the history (default ${DEFAULT_EVENTS.toLocaleString('en-US')}); large sets such as
                1000000 or 10_000_000 stream in batches with bounded memory
  --seed S      integer seed of the staff and event history (default ${DEFAULT_SEED}); the same seed and
                --now give identical data
  --now ISO     the history runs from 2022-01-01 up to this time (default: now), e.g. 2026-11-25T10:00+08:00;
                without an offset the time is read as Asia/Shanghai
  --force       clear a database that already holds data and seed it again (otherwise the command refuses)
  --help        show this help

The last 12 months before --now hold 2,543 consultation events, 2,937 demands resolved or later and 3,000
suggestions per 30,000 events, scaled to --events. Progress goes to stderr; the summary to stdout.
Exit codes: 0 seeded, 1 failed (e.g. the database is not empty), 2 usage error.`,
    async run(args) {
      const o = parseOptions(args, ['db', 'events', 'seed', 'now'], ['force']);
      const file = (o.get('db') as string | undefined) ?? (process.env.GEZHI_DB || DEFAULT_DB);
      const events = o.has('events') ? parseCount('events', o.get('events') as string) : DEFAULT_EVENTS;
      let seed: number | undefined;
      if (o.has('seed')) {
        const text = o.get('seed') as string;
        seed = /^-?\d+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer (got "${text}")`);
      }
      const now = o.has('now') ? parseNow(o.get('now') as string) : Date.now();
      if (now <= Date.parse('2022-01-02T00:00:00+08:00')) throw new UsageError('--now must be after 2022-01-02 (the history starts on 2022-01-01)');

      const db = openDatabase(file);
      const progress = progressReporter('events');
      try {
        const summary = await seedDemo(db, { now, events, seed, force: o.has('force'), onProgress: progress.update });
        progress.end();
        db.pragma('wal_checkpoint(TRUNCATE)');
        printSummary(file, summary);
        return 0;
      } catch (err) {
        progress.end();
        if (err instanceof DatabaseNotEmptyError) {
          process.stderr.write(`gezhi seed: ${file} already holds data; add --force to clear it and seed again\n`);
          return 1;
        }
        throw err;
      } finally {
        db.close();
      }
    },
  },
  account: {
    summary: "people's accounts: create, list, password, disable, enable",
    usage: 'account create --username NAME --role ROLE [--subdistrict CODE] [--staff ID] [--password-stdin] [--db FILE] | account list [--db FILE] | account password NAME [--password-stdin] [--db FILE] | account disable NAME [--db FILE] | account enable NAME [--db FILE]',
    help: `Sign-in accounts for people (integrations and wall screens use tokens: see token).

  account create --username NAME --role ROLE
                             an account with this role: ${ROLES.join(', ')}
    --staff ID               the staff member it belongs to (required for governor, supervisor and field staff;
                             a dispatcher who also handles cases names theirs): the lifecycle judges their writes
                             as that person, and the account takes the subdistrict of their posting
    --subdistrict CODE       bind it to one subdistrict (9 digits)
  account list               every person's account: id, name, role, scope, staff, created, state
  account password NAME      a new password; the account's sessions end and a lockout is lifted
  account disable NAME       no more sign-ins; its sessions end and its tokens stop working
  account enable NAME        undoes disable
  --password-stdin           read the password from standard input (one line, ${MIN_PASSWORD}–${MAX_PASSWORD} characters)
                             instead of making a random one, which is printed once
  --db FILE                  the database (default GEZHI_DB or ${DEFAULT_DB})`,
    async run(args) {
      const [sub, ...rest] = args;
      const caller = { principal: null, ip: '', label: 'command line' };
      /** The password from stdin, or a random one the caller prints once. */
      const password = async (o: Map<string, string | true>): Promise<{ value: string; generated: boolean }> => {
        if (!o.has('password-stdin')) return { value: randomPassword(), generated: true };
        let text = '';
        for await (const chunk of process.stdin) text += chunk;
        const value = text.replace(/\r?\n$/, '');
        if (value.length < MIN_PASSWORD || value.length > MAX_PASSWORD) throw new UsageError(`the password must have ${MIN_PASSWORD}–${MAX_PASSWORD} characters`);
        return { value, generated: false };
      };
      const named = (what: string): [string, string[]] => {
        const [name, ...more] = rest;
        if (!name || name.startsWith('--')) throw new UsageError(`account ${what} takes the user name (see account list)`);
        return [name, more];
      };
      if (sub === 'create') {
        const o = parseOptions(rest, ['username', 'role', 'subdistrict', 'staff', 'db'], ['password-stdin']);
        const username = o.get('username') as string | undefined;
        if (!username) throw new UsageError('--username is required');
        const role = o.get('role') as string | undefined;
        if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const subdistrict = o.get('subdistrict') as string | undefined;
        if (subdistrict !== undefined && !/^\d{9}$/.test(subdistrict)) throw new UsageError('--subdistrict must be a 9-digit code');
        const staff = o.get('staff') as string | undefined;
        if (staff !== undefined && !/^\d+$/.test(staff)) throw new UsageError('--staff must be a staff id');
        const pw = await password(o);
        const id = await withAccounts(o, (a) => a.createAccount({
          username, role, password: pw.value, subdistrict: subdistrict ?? null, staffId: staff === undefined ? null : Number(staff),
        }, caller));
        process.stdout.write(`account ${id} ${username} (${role}) created\n`);
        if (pw.generated) process.stdout.write(`password (shown once, give it to ${username}): ${pw.value}\n`);
        return 0;
      }
      if (sub === 'list') {
        const o = parseOptions(rest, ['db'], []);
        const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().slice(0, 16));
        for (const a of await withAccounts(o, (x) => x.listAccounts())) {
          const state = a.disabledAt !== null ? `disabled ${iso(a.disabledAt)}` : !a.hasPassword ? 'no password' : a.lockedUntil !== null && a.lockedUntil > Date.now() ? `locked until ${iso(a.lockedUntil)}` : 'active';
          process.stdout.write(`${a.id}\t${a.username}\t${a.role}\t${a.subdistrict ?? '-'}\tstaff ${a.staffId ?? '-'}\tcreated ${iso(a.createdAt)}\t${state}\n`);
        }
        return 0;
      }
      if (sub === 'password') {
        const [name, more] = named('password');
        const o = parseOptions(more, ['db'], ['password-stdin']);
        const pw = await password(o);
        await withAccounts(o, (a) => a.setPassword(name, pw.value, caller));
        process.stdout.write(`password of ${name} set; their sessions are ended\n`);
        if (pw.generated) process.stdout.write(`password (shown once, give it to ${name}): ${pw.value}\n`);
        return 0;
      }
      if (sub === 'disable' || sub === 'enable') {
        const [name, more] = named(sub);
        const o = parseOptions(more, ['db'], []);
        await withAccounts(o, (a) => a.setDisabled(name, sub === 'disable', caller));
        process.stdout.write(`${name} ${sub}d\n`);
        return 0;
      }
      throw new UsageError('account takes create, list, password, disable or enable');
    },
  },
  token: {
    summary: 'API and display tokens: create (printed once), list, revoke',
    usage: 'token create --role ROLE [--subdistrict CODE] [--staff ID] [--label TEXT] [--db FILE] | token list [--db FILE] | token revoke ID [--db FILE]',
    help: `Tokens for integrations (Authorization: Bearer <token> on every API route) and wall screens
(/wall?token=<token>). A token is printed once; only its hash is stored.

  token create --role ROLE   a token of a new service account with this role: ${ROLES.join(', ')}
                             (wall makes a read-only display token)
    --subdistrict CODE       bind it to one subdistrict (9 digits)
    --staff ID               a token of this staff member's own account instead (acts as them)
    --label TEXT             what it is for (shown by list)
  token list                 every token: id, kind, account, role, scope, created, last used, revoked
  token revoke ID            revokes it at once (a wall screen signed in with it is signed out)
  --db FILE                  the database (default GEZHI_DB or ${DEFAULT_DB})`,
    async run(args) {
      const [sub, ...rest] = args;
      const caller = { principal: null, ip: '', label: 'command line' };
      if (sub === 'create') {
        const o = parseOptions(rest, ['role', 'subdistrict', 'staff', 'label', 'db'], []);
        const role = o.get('role') as string | undefined;
        const staff = o.get('staff') as string | undefined;
        if (!staff && !isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const subdistrict = o.get('subdistrict') as string | undefined;
        if (subdistrict !== undefined && !/^\d{9}$/.test(subdistrict)) throw new UsageError('--subdistrict must be a 9-digit code');
        if (staff !== undefined && !/^\d+$/.test(staff)) throw new UsageError('--staff must be a staff id');
        const made = await withAccounts(o, (a) => a.createToken({
          role: isRole(role) ? role : undefined, subdistrict: subdistrict ?? null, staffId: staff === undefined ? null : Number(staff),
          label: (o.get('label') as string | undefined) ?? '',
        }, caller));
        process.stdout.write(`token ${made.id} for ${made.username} (shown once, keep it safe):\n${made.token}\n`);
        return 0;
      }
      if (sub === 'list') {
        const o = parseOptions(rest, ['db'], []);
        const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().slice(0, 16));
        for (const t of await withAccounts(o, (a) => a.listTokens())) {
          process.stdout.write(`${t.id}\t${t.kind}\t${t.prefix}…\t${t.username}\t${t.role}\t${t.subdistrict ?? '-'}\tcreated ${iso(t.createdAt)}\tused ${iso(t.lastUsedAt)}\t${t.revokedAt === null ? 'active' : `revoked ${iso(t.revokedAt)}`}\t${t.label}\n`);
        }
        return 0;
      }
      if (sub === 'revoke') {
        const [id, ...more] = rest;
        if (!id || !/^\d+$/.test(id)) throw new UsageError('token revoke takes the token id (see token list)');
        const o = parseOptions(more, ['db'], []);
        const t = await withAccounts(o, (a) => a.revokeToken(Number(id), caller));
        process.stdout.write(`token ${t.id} (${t.username}) revoked\n`);
        return 0;
      }
      throw new UsageError('token takes create, list or revoke');
    },
  },
  simulate: {
    summary: 'live activity against a running server: reports, dispatch, responders on the roads, closure',
    usage: 'simulate --token TOKEN [--url URL] [--rate R] [--speed S] [--seed N] [--duration SECONDS] [--start ISO] [--max-active N] [--pick-up N]',
    help: `Plays the district's day through the public API of a running server (it never opens the database):
residents, the 12345 hotline and patrols report at the seeded rhythm and places (by residents, plus the planted
hotspots) with the seeded category and channel mix; the subdistrict's guidance centre files and dispatches to the
proposed assignee; the assignee accepts, travels along the roads (a position every few simulated seconds), arrives
and resolves; the block supervisor or a centre inspector verifies and closes; residents rate the result. About 5 %
rework, 10 % late, some returns, extensions and rejected duplicates. Open cases already on the server are picked up.

Options:
  --token TOKEN      an admin token (npm run gezhi -- token create --role admin; or GEZHI_TOKEN): the simulator
                     makes from it a token for each staff member it acts as, and revokes them when it stops
  --url URL          server to drive (default http://localhost:\$PORT, PORT defaulting to 8787)
  --rate R           new reports per simulated hour, averaged over weekday working hours (default 30); nights,
                     weekends and months follow the seeded rhythm
  --speed S          simulated time per real time (default 1; 20 = twenty simulated minutes per real minute)
  --seed N           integer seed of every decision (default 1): the same seed gives the same reports and plans
  --duration SECONDS stop after this many real seconds (default: run until Ctrl-C)
  --start ISO        simulated clock at the start (default: now), e.g. 2026-11-26T09:00 (Asia/Shanghai without
                     an offset); only the rhythm reads it, the server stamps its own time
  --max-active N     most cases followed at once (default 150); further reports wait for room
  --pick-up N        open cases taken over from the server at start (default: half of --max-active; 0 = none)
  --help             show this help

One summary line per simulated minute (fewer above --speed 60: about one a real second) goes to stdout; API
problems are logged with their detail and the simulation carries on (a 409 means someone else moved the case).
Ctrl-C stops it gracefully. Exit codes: 0 stopped, 1 could not start, 2 usage error.`,
    async run(args) {
      const o = parseOptions(args, ['url', 'token', 'rate', 'speed', 'seed', 'duration', 'start', 'max-active', 'pick-up'], []);
      const num = (name: string, min: number, exclusiveMin = false): number | undefined => {
        if (!o.has(name)) return undefined;
        const text = o.get(name) as string;
        const v = Number(text);
        if (!Number.isFinite(v) || (exclusiveMin ? v <= min : v < min)) {
          throw new UsageError(`--${name} must be a number ${exclusiveMin ? '>' : '≥'} ${min} (got "${text}")`);
        }
        return v;
      };
      const url = (o.get('url') as string | undefined) ?? `http://localhost:${process.env.PORT || 8787}`;
      if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be an http(s) URL (got "${url}")`);
      let seed: number | undefined;
      if (o.has('seed')) {
        const text = o.get('seed') as string;
        seed = /^-?\d+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer (got "${text}")`);
      }
      const maxActive = o.has('max-active') ? parseCount('max-active', o.get('max-active') as string) : undefined;
      if (maxActive === 0) throw new UsageError('--max-active must be at least 1');
      const duration = num('duration', 0, true);
      const parseStart = (text: string): number => {
        try {
          return parseNow(text);
        } catch {
          throw new UsageError(`--start must be an ISO 8601 time, e.g. 2026-11-26T09:00+08:00 (got "${text}")`);
        }
      };
      const token = (): string => {
        const t = (o.get('token') as string | undefined) ?? process.env.GEZHI_TOKEN;
        if (!t) throw new UsageError('--token (or GEZHI_TOKEN) is required: an admin token, from `npm run gezhi -- token create --role admin`');
        return t;
      };
      const { startSimulator } = await import('../server/sim/simulator.ts');
      const sim = startSimulator({
        url,
        rate: num('rate', 0),
        speed: num('speed', 0, true),
        seed,
        durationMs: duration === undefined ? undefined : duration * 1000,
        start: o.has('start') ? parseStart(o.get('start') as string) : undefined,
        maxActive,
        pickUp: o.has('pick-up') ? parseCount('pick-up', o.get('pick-up') as string) : undefined,
        token: token(), // checked after the other options, so their usage errors come first
        log: (line) => process.stdout.write(line + '\n'),
      });
      const onSignal = () => void sim.stop();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const summary = await sim.done;
        return summary.started ? 0 : 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  },
};

function reportLines(read: number, imported: number, skippedBy: Record<string, number>): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const skipped = Object.values(skippedBy).reduce((a, b) => a + b, 0);
  return [`  rows read   ${n(read)}`, `  imported    ${n(imported)}`, `  skipped     ${n(skipped)}`,
    ...Object.entries(skippedBy).map(([r, c]) => `    ${r.padEnd(26)} ${n(c)}`)];
}

async function importBoundariesCommand(file: string, args: string[]): Promise<number> {
  const o = parseOptions(args, ['level', 'code', 'name', 'name-en', 'residents', 'households', 'community-name', 'subdistrict-name',
    'district-field', 'district-name', 'crs', 'encoding', 'object', 'effective', 'db', 'report', 'buildings', 'building-residents',
    'building-households', 'buildings-crs'], []);
  const level = (o.get('level') as string | undefined) ?? 'block';
  if (!['block', 'community', 'subdistrict', 'district'].includes(level)) throw new UsageError(`--level must be block, community, subdistrict or district (got "${level}")`);
  const { importBoundaries, boundaryFilesAt } = await import('../server/import/boundaries.ts');
  const get = (k: string) => o.get(k) as string | undefined;
  const dbFile = get('db') ?? (process.env.GEZHI_DB || DEFAULT_DB);
  const db = openDatabase(dbFile);
  try {
    const s = await importBoundaries(db, boundaryFilesAt(file), {
      level: level as 'block',
      fields: { code: get('code'), name: get('name'), nameEn: get('name-en'), residents: get('residents'), households: get('households') },
      parentNameFields: { community: get('community-name'), subdistrict: get('subdistrict-name'), district: get('district-field') },
      districtName: get('district-name'), crs: get('crs'), encoding: get('encoding'), object: get('object'),
      effectiveFrom: o.has('effective') ? parseNow(get('effective')!) : undefined,
      buildings: o.has('buildings')
        ? { files: boundaryFilesAt(get('buildings')!), fields: { residents: get('building-residents'), households: get('building-households') }, crs: get('buildings-crs') }
        : undefined,
      reportFile: get('report') ?? `${file}.report.csv`,
    });
    process.stdout.write([
      `Imported ${level} boundaries from ${file} (${s.format}, ${s.crs.length > 40 ? s.crs.slice(0, 40) + '…' : s.crs}${s.encoding ? `, ${s.encoding}` : ''}) into ${dbFile}`,
      ...reportLines(s.read, s.imported, s.skippedBy),
      ...Object.entries(s.repairedBy).map(([r, c]) => `  repaired    ${r}: ${c}`),
      `  topology    ${s.overlaps} overlaps, ${s.gaps} gaps`,
      `  areas       ${s.areas.inserted} added, ${s.areas.updated} updated, ${s.areas.unchanged} unchanged`,
      s.versionId ? `  version     ${s.versionId} (${s.buildings} building parcels${s.buildingsPlaced ? `, ${s.buildingsPlaced} from the buildings file` : ' generated'})` : `  version     ${s.unchanged ? 'unchanged' : 'none written'}`,
      `  report      ${s.reportFile}`,
    ].join('\n') + '\n');
    return 0;
  } finally {
    db.close();
  }
}

async function importRosterCommand(file: string, args: string[]): Promise<number> {
  const o = parseOptions(args, ['sheet', 'block-column', 'role-column', 'name-column', 'phone-column', 'gender-column', 'db', 'report'], []);
  const { importRoster } = await import('../server/import/roster.ts');
  const { readFileSync } = await import('node:fs');
  const get = (k: string) => o.get(k) as string | undefined;
  const dbFile = get('db') ?? (process.env.GEZHI_DB || DEFAULT_DB);
  const db = openDatabase(dbFile);
  try {
    const sheet = get('sheet');
    const s = await importRoster(db, { name: file, bytes: readFileSync(file) }, {
      sheet: sheet !== undefined && /^\d+$/.test(sheet) ? Number(sheet) : sheet,
      columns: { block: get('block-column'), role: get('role-column'), name: get('name-column'), phone: get('phone-column'), gender: get('gender-column') },
      reportFile: get('report') ?? `${file}.report.csv`,
    });
    process.stdout.write([
      `Imported the roster ${file} into ${dbFile}`,
      ...reportLines(s.read, s.imported, s.skippedBy),
      `  blocks      ${s.blocks} teams (${s.staffAdded} people added, ${s.started} roles started, ${s.ended} ended)`,
      `  report      ${s.reportFile}`,
    ].join('\n') + '\n');
    return 0;
  } finally {
    db.close();
  }
}

async function exportBlocksCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, ['format', 'out', 'db'], []);
  const format = o.get('format') as string | undefined;
  if (format !== 'geojson' && format !== 'shapefile') throw new UsageError('--format must be geojson or shapefile');
  if (!o.has('out')) throw new UsageError('--out is required');
  const { blocksGeoJson, blocksShapefile } = await import('../server/export/blocks.ts');
  const { createQueries } = await import('../server/db/queries/index.ts');
  const db = openDatabase((o.get('db') as string | undefined) ?? (process.env.GEZHI_DB || DEFAULT_DB), { readonly: true });
  try {
    const q = createQueries(db);
    const version = q.versions.current(Date.now());
    if (!version) throw new Error('the database has no block boundaries');
    const district = q.areas.all().find((a) => a.level === 'district');
    const d = { code: district?.code ?? '', name: district?.name ?? '' };
    const blocks = q.blocks.list(version.id);
    writeFileSync(o.get('out') as string, format === 'geojson' ? blocksGeoJson(blocks, d) : blocksShapefile(blocks, d));
    process.stdout.write(`Exported ${blocks.length} blocks of version ${version.id} to ${o.get('out')}\n`);
    return 0;
  } finally {
    db.close();
  }
}

function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `Usage: npm run gezhi -- <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`).join('\n')}

Run "npm run gezhi -- <command> --help" for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? rest[0] : undefined;
    if (target && COMMANDS[target]) process.stdout.write(`Usage: npm run gezhi -- ${COMMANDS[target].usage}\n\n${COMMANDS[target].help}\n`);
    else process.stdout.write(mainHelp() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`gezhi: unknown command "${name}"\n\n${mainHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`Usage: npm run gezhi -- ${command.usage}\n\n${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`gezhi ${name}: ${err.message}\nUsage: npm run gezhi -- ${command.usage} (see --help)\n`);
      return 2;
    }
    process.stderr.write(`gezhi ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
