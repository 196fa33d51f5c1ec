/**
 * Builds the web app only when dist/web is missing or older than its sources, so `npm start` is quick after the
 * first run and still never serves a stale build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['web', 'vite.config.ts', 'package-lock.json'].map((p) => join(ROOT, p));
const OUTPUT = join(ROOT, 'dist/web/index.html');

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

/** Runs `vite build` unless the build is current; throws when the build fails. */
export function ensureWebBuild(): { built: boolean } {
  if (webBuildIsCurrent()) return { built: false };
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  return { built: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(ensureWebBuild().built ? 'built the web app' : 'web build is current');
}
