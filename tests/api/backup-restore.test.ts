/**
 * `gezhi backup` while the real server takes reports, `gezhi restore` refused while it runs, refused for a damaged
 * backup, and done once it is stopped: the restarted server serves the backup's data.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, openSync, readdirSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';
import { signedIn } from '../helpers/signed-in.ts';
import { createFixture } from './fixture.ts';

function gezhi(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const eventCount = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('backup and restore', () => {
  it('backs up a running server under ingest, refuses to restore while it runs or from a damaged file, restores once stopped', async () => {
    const fx = createFixture();
    const auth = `Bearer ${signedIn({ url: '', db: fx.db }, 'admin').token}`;
    fx.db.close();
    const backup = `${dirname(fx.file)}/backup.db`;
    let server = await startServer({ GEZHI_DB: fx.file });
    const agent = new Agent({ connections: 2 });
    let acked = 0;
    let stop = false;
    const ingest = (async () => {
      for (let n = 0; !stop; n++) {
        const res = await request(`${server.url}/api/events`, {
          dispatcher: agent, method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: auth },
          body: JSON.stringify({ category: '0102', text: `backup-${n}`, lon: 112.805, lat: 27.855, channel: 'patrol', kind: 'incident' }),
        });
        await res.body.dump();
        if (res.statusCode === 201) acked++;
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const ackedBefore = acked;
    const made = await gezhi('backup', backup, '--db', fx.file);
    const ackedAfter = acked;
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/integrity ok/);
    // A consistent snapshot taken while reports kept coming: all those acknowledged before, none after.
    const inBackup = eventCount(backup);
    expect(inBackup).toBeGreaterThanOrEqual(30 + ackedBefore);
    expect(inBackup).toBeLessThanOrEqual(30 + ackedAfter + 2);
    expect(acked).toBeGreaterThan(ackedBefore); // the server kept taking reports meanwhile
    const backupDb = new Database(backup, { readonly: true });
    expect(backupDb.pragma('integrity_check', { simple: true })).toBe('ok');
    backupDb.close();
    expect(readdirSync(dirname(backup)).filter((f) => f.startsWith('backup.db'))).toEqual(['backup.db']); // one self-contained file

    // Restore refuses while the server holds the file, and says how to proceed.
    const refused = await gezhi('restore', backup, '--db', fx.file);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`pid ${server.pid}`);
    expect(refused.err).toMatch(/Stop it first/);

    stop = true;
    await ingest;
    await agent.close();
    expect(await server.stop()).toBe(0);
    const live = eventCount(fx.file);
    expect(live).toBe(30 + acked);

    // A damaged backup is refused and changes nothing.
    const damaged = `${dirname(fx.file)}/damaged.db`;
    copyFileSync(backup, damaged);
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 3);
    closeSync(fd);
    const bad = await gezhi('restore', damaged, '--db', fx.file);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/failed its check, nothing was changed/);
    expect(eventCount(fx.file)).toBe(live);

    const restored = await gezhi('restore', backup, '--db', fx.file);
    expect(restored.err).toBe('');
    expect(restored.code).toBe(0);
    expect(eventCount(fx.file)).toBe(inBackup);
    const kept = readdirSync(dirname(fx.file)).find((f) => f.startsWith('fixture.db.before-restore-'));
    expect(kept && eventCount(`${dirname(fx.file)}/${kept}`)).toBe(live);
    expect(existsSync(`${fx.file}-wal`)).toBe(false);

    // The server starts on the restored file and serves its data.
    server = await startServer({ GEZHI_DB: fx.file });
    const health = (await (await fetch(`${server.url}/api/health`, { headers: { Authorization: auth } })).json()) as { events: number };
    expect(health.events).toBe(inBackup);
    expect(await server.stop()).toBe(0);
  });
});
