import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'boundaries');
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('npm run gezhi -- import boundaries | roster, export blocks', () => {
  it('imports a district from files, writes the reports next to the inputs, changes nothing the second time, exports it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gezhi-cli-'));
    const db = join(dir, 'd.db');
    const shp = join(dir, 'blocks.zip');
    const roster = join(dir, 'roster.csv');
    copyFileSync(join(FIXTURES, 'yuetang-blocks-4547-gbk.zip'), shp);
    copyFileSync(join(FIXTURES, 'yuetang-roster.csv'), roster);
    const options = ['--db', db, '--code', '区块编码', '--name', '区块名称', '--residents', '人口', '--households', '户数', '--community-name', '社区', '--subdistrict-name', '街道', '--district-name', '岳塘区'];

    const first = cli('import', 'boundaries', shp, ...options);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/imported\s+35/);
    expect(first.stdout).toMatch(/version\s+1 \(1135 building parcels generated\)/);
    expect(existsSync(`${shp}.report.csv`)).toBe(true);
    const again = cli('import', 'boundaries', shp, ...options);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/version\s+unchanged/);

    const r = cli('import', 'roster', roster, '--db', db);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/blocks\s+32 teams/);
    expect(readFileSync(`${roster}.report.csv`, 'utf8')).toContain('140,430304999999999,skipped,unknown-block');

    const out = join(dir, 'export.zip');
    const e = cli('export', 'blocks', '--format', 'shapefile', '--out', out, '--db', db);
    expect(e.status, e.stderr).toBe(0);
    expect(Object.keys(unzipSync(readFileSync(out))).sort()).toEqual(['blocks.cpg', 'blocks.dbf', 'blocks.prj', 'blocks.shp', 'blocks.shx']);
  }, 180_000);

  it('usage errors exit 2, unreadable files exit 1, --help documents the options', () => {
    const bad = cli('import', 'boundaries', 'x.geojson', '--level', 'street');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--level must be block, community, subdistrict or district/);
    const dir = mkdtempSync(join(tmpdir(), 'gezhi-cli-'));
    const missing = cli('import', 'roster', join(dir, 'none.csv'), '--db', join(dir, 'd.db'));
    expect(missing.status).toBe(1);
    const help = cli('import', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/import boundaries <file>/);
    expect(help.stdout).toMatch(/import roster <file.csv\|file.xlsx>/);
  }, 120_000);
});
