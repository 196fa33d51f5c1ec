/**
 * The `account` command on a copy of the fixture database: people's accounts are made with a password printed once
 * (or read from stdin), listed, given a new password (their sessions end), disabled and enabled again; each change
 * is audited; a staff member's account takes their subdistrict.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { createAccounts } from '../../server/services/accounts.ts';
import { createFixture } from './fixture.ts';

let file: string;
let db: Db;

const cli = (args: string[], input?: string) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'account', ...args, '--db', file], {
  encoding: 'utf8', input, timeout: 60_000,
});
const signIn = (username: string, password: string) => createAccounts(db).signIn(username, password, '127.0.0.1');

beforeAll(() => {
  const fx = createFixture();
  file = fx.file;
  fx.db.close();
  db = openDatabase(file);
});
afterAll(() => db?.close());

describe('npm run gezhi -- account', () => {
  it('creates an account with a password shown once, or one read from stdin', async () => {
    const made = cli(['create', '--username', 'li.ming', '--role', 'leader']);
    expect(made.status, made.stderr).toBe(0);
    const password = /password \(shown once, give it to li\.ming\): (\S+)/.exec(made.stdout)?.[1];
    expect(password).toMatch(/^\S{16,}$/);
    expect((await signIn('li.ming', password!)).principal).toMatchObject({ username: 'li.ming', role: 'leader', subdistrict: null });

    const typed = cli(['create', '--username', 'zhao.an', '--role', 'analyst', '--password-stdin'], 'analyst-password-2026\n');
    expect(typed.status, typed.stderr).toBe(0);
    expect(typed.stdout).not.toContain('shown once');
    expect((await signIn('zhao.an', 'analyst-password-2026')).principal.role).toBe('analyst');
  });

  it("gives a staff member's account their subdistrict, and refuses what it cannot make", async () => {
    const staff = db.prepare(`SELECT ra.staff_id AS id, b.subdistrict_code AS sd FROM role_assignments ra
      JOIN blocks b ON b.version_id = ra.version_id AND b.code = ra.block_code WHERE ra.role = 'governor' LIMIT 1`).get() as { id: number; sd: string };
    const gov = cli(['create', '--username', 'gov.one', '--role', 'governor', '--staff', String(staff.id)]);
    expect(gov.status, gov.stderr).toBe(0);
    const password = /: (\S+)\n$/.exec(gov.stdout)![1];
    expect((await signIn('gov.one', password)).principal).toMatchObject({ role: 'governor', staffId: staff.id, subdistrict: staff.sd });

    const taken = cli(['create', '--username', 'gov.one', '--role', 'analyst']);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('gov.one is taken');
    expect(cli(['create', '--username', 'x.y', '--role', 'governor']).stderr).toContain('names its staff row');
    expect(cli(['create', '--username', 'x.y', '--role', 'boss']).status).toBe(2);
    expect(cli(['create', '--role', 'leader']).status).toBe(2);
    expect(cli(['create', '--username', 'x.y', '--role', 'leader', '--password-stdin'], 'short\n').status).toBe(2);
    expect(db.prepare(`SELECT count(*) AS n FROM accounts WHERE username = 'x.y'`).get()).toEqual({ n: 0 });
  });

  it('lists, resets a password (ending the sessions), disables and enables, each audited', async () => {
    const list = cli(['list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/\tli\.ming\tleader\t-\tstaff -\tcreated \S+\tactive\n/);
    expect(list.stdout).not.toMatch(/scrypt|\$/);

    const before = await signIn('zhao.an', 'analyst-password-2026');
    const accounts = createAccounts(db);
    expect(accounts.sessionPrincipal(before.sessionId)).not.toBeNull();
    const reset = cli(['password', 'zhao.an', '--password-stdin'], 'a-new-password-2026\n');
    expect(reset.status, reset.stderr).toBe(0);
    expect(accounts.sessionPrincipal(before.sessionId)).toBeNull();
    await expect(signIn('zhao.an', 'analyst-password-2026')).rejects.toThrow(/Wrong user name or password/);
    const after = await signIn('zhao.an', 'a-new-password-2026');

    expect(cli(['disable', 'zhao.an']).status).toBe(0);
    expect(accounts.sessionPrincipal(after.sessionId)).toBeNull();
    await expect(signIn('zhao.an', 'a-new-password-2026')).rejects.toThrow(/Wrong user name or password/);
    expect(cli(['list']).stdout).toMatch(/\tzhao\.an\tanalyst\t.*\tdisabled \S+\n/);
    expect(cli(['enable', 'zhao.an']).status).toBe(0);
    expect((await signIn('zhao.an', 'a-new-password-2026')).principal.username).toBe('zhao.an');

    expect(cli(['disable', 'nobody']).status).toBe(1);
    expect(cli(['password']).status).toBe(2);
    const actions = (db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'account.%' ORDER BY id`).all() as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(['account.create', 'account.create', 'account.create', 'account.password', 'account.disable', 'account.enable']);
  });
});
