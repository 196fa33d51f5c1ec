/**
 * Builds the web app only when dist/web is missing or older than its sources, so `npm start` is quick after the
 * first run and still never serves a stale build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const SOURCES = ['web', 'vite.config.ts', 'package-lock.json'];
const OUTPUT = 'dist/web/index.html';

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

export function webBuildIsCurrent(): boolean {
  if (!existsSync(OUTPUT)) return false;
  const built = statSync(OUTPUT).mtimeMs;
  return SOURCES.filter(existsSync).every((p) => newest(p) <= built);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (webBuildIsCurrent()) {
    console.log('web build is current');
  } else {
    console.log('building the web app …');
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  }
}
