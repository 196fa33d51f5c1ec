import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { BLOCKS, createFixture, NOW } from './fixture.ts';
import { openDatabase } from '../../server/db/database.ts';
import { signedIn } from '../helpers/signed-in.ts';

describe('npm start entry (server/main.ts) over real HTTP', () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('listens on PORT with GEZHI_DB, serves the API compressed, and shuts down cleanly on SIGTERM', async () => {
    const fx = createFixture();
    fx.db.close();
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: process.cwd(),
      env: { ...process.env, PORT: '0', GEZHI_DB: fx.file },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr!.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 30 s:\n${out}`)), 30_000);
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /Gezhi listening on (http:\/\/localhost:\d+)/.exec(out);
        if (m) (clearTimeout(timer), resolve(m[1]));
      });
      child!.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    expect(out).toMatch(/^Gezhi listening on http:\/\/localhost:\d+$/m);

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', blocks: 6, events: 30, demo: true });

    // No default password: the first start made the admin with a random one, printed once.
    const password = /Created the account admin with the password (\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await fetch(`${url}/api/blocks`)).status).toBe(401);
    const session = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(session.status).toBe(200);
    expect(session.headers.get('set-cookie')).toMatch(/^gezhi_session=[^;]+;.*HttpOnly.*SameSite=Lax/i);

    const db = openDatabase(fx.file);
    const api = signedIn({ url, db }, 'leader');
    const blocks = await api('/api/blocks', { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(blocks.status).toBe(200);
    expect(blocks.headers.get('content-encoding')).toBe('br');
    const fc = await blocks.json();
    expect(fc.features.map((f: { id: string }) => f.id)).toEqual(BLOCKS);
    const again = await api('/api/blocks', { headers: { 'If-None-Match': blocks.headers.get('etag')! } });
    db.close();
    expect(again.status).toBe(304);

    const missing = await fetch(`${url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM: shutting down');
  });
});

describe('web build serving', () => {
  it('serves files, index.html for client-side routes, immutable hashed assets, and problems for /api', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gezhi-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>格治</title>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'favicon.svg'), '<svg/>');
    const fx = createFixture();
    const app = createApp({ db: fx.db, now: () => NOW, webRoot: root });

    for (const path of ['/', '/wall', '/plan', '/review/2024-06-15']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('格治');
    }
    const asset = await app.request('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await app.request('/favicon.svg')).status).toBe(200);
    expect((await app.request('/assets/missing-000.js')).status).toBe(404);
    const api = await app.request('/api/wall');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    fx.db.close();
  });
});
