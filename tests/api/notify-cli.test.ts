/**
 * The `channel` and `notifications` commands on a copy of the fixture database: add (with every problem listed when
 * refused, a webhook secret made and shown once), list (keys masked, no secret), test against the local receiver,
 * remove, and retry a failed notification.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { startChatReceiver, type ChatReceiver } from '../helpers/chat-receiver.ts';
import { createFixture } from './fixture.ts';

let file: string;
let rx: ChatReceiver;

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args, '--db', file], {
  encoding: 'utf8', env: { ...process.env, GEZHI_NOTIFY_HOSTS: '127.0.0.1' }, timeout: 60_000,
});

/** The same, without blocking this process (whose receiver must answer the command's request). */
const cliAsync = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args, '--db', file], { env: { ...process.env, GEZHI_NOTIFY_HOSTS: '127.0.0.1' } });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.once('exit', (status) => resolve({ status, stdout, stderr }));
});

beforeAll(async () => {
  const fx = createFixture();
  file = fx.file;
  fx.db.close();
  rx = await startChatReceiver();
  rx.addDingtalk('clitoken', 'SECcliTestSecret');
});
afterAll(() => rx?.close());

describe('npm run gezhi -- channel / notifications', () => {
  it('adds, lists without secrets, tests, removes; refuses with every problem', async () => {
    const bad = cli('channel', 'add', '--name', '坏', '--kind', 'dingtalk', '--url', 'http://evil.example.com/robot/send', '--scope', 'block', '--code', '1');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('host evil.example.com is not one of the configured hosts');
    expect(bad.stderr).toContain('carries its access_token');
    expect(bad.stderr).toContain('加签');
    expect(bad.stderr).toContain('scopeCode: no block 1');
    expect(cli('channel', 'add', '--name', 'x').status).toBe(2); // usage: --kind is required

    const ding = cli('channel', 'add', '--name', '长城乡群', '--kind', 'dingtalk', '--url', rx.dingtalkUrl('clitoken'), '--secret', 'SECcliTestSecret',
      '--scope', 'unit', '--code', 'centre:livelihood@430302002', '--kinds', 'dispatch,breach', '--digest', '17:30');
    expect(ding.status, ding.stderr).toBe(0);
    expect(JSON.parse(ding.stdout)).toMatchObject({ kind: 'dingtalk', scope: 'unit', scopeCode: '3', hasSecret: true, kinds: ['dispatch', 'breach'], digestAt: '17:30', url: expect.stringContaining('access_token=****oken') });
    expect(ding.stdout).not.toContain('SECcliTestSecret');
    const hook = cli('channel', 'add', '--name', '接口', '--kind', 'webhook', '--url', `${rx.url}/hook/cli`, '--scope', 'district', '--code', '430302');
    expect(hook.status, hook.stderr).toBe(0);
    const secret = /Signing secret \(shown once; give it to the receiver\): (whsec_\S+)/.exec(hook.stdout)?.[1];
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{30,}$/);

    const list = cli('channel', 'list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/长城乡群 {2}unit 3 {2}dispatch,breach {2}20\/min {2}digest 17:30/);
    expect(list.stdout).not.toContain('SECcliTestSecret');
    expect(list.stdout).not.toContain(secret!);

    const test = await cliAsync('channel', 'test', '长城乡群');
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toContain('Sent: HTTP 200');
    expect(rx.deliveries.at(-1)).toMatchObject({ robot: 'dingtalk', title: '格治测试消息' }); // signed as DingTalk checks it
    expect(rx.rejections).toEqual([]);

    const removed = cli('channel', 'remove', '接口');
    expect(removed.status).toBe(0);
    expect(cli('channel', 'list').stdout).toMatch(/off {2}webhook/);
    expect(cli('channel', 'remove', 'nobody').status).toBe(1);
  });

  it('lists the outbox and queues a failed notification again', () => {
    const db = openDatabase(file);
    db.prepare(`INSERT INTO notifications (channel_id, kind, created_at, facts, status, attempts, next_at, last_error)
      VALUES (1, 'digest', 0, '{}', 'failed', 8, 0, 'HTTP 502 bad gateway')`).run();
    db.close();
    const list = cli('notifications', 'list', '--status', 'failed');
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('counts: {"failed":1}');
    expect(list.stdout).toMatch(/failed +digest +长城乡群 +tries 8 {2}last error: HTTP 502 bad gateway/);
    expect(cli('notifications', 'retry', '1').stdout).toContain('Notification 1 is queued again');
    expect(cli('notifications', 'retry', '1').status).toBe(1); // no longer failed
    expect(cli('notifications', 'list').stdout).toContain('counts: {"pending":1}');
  });
});
