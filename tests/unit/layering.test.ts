/**
 * The layering rules: nothing in server/ imports upward (scripts, tests, the web app); domain/ and services/ know no
 * HTTP — no file under server/domain or server/services may import hono (or a hono package) or anything under
 * server/http, server/routes or the app itself; domain/ imports no database or live-stream module either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every module specifier a file names: static imports and re-exports (type-only too), dynamic imports, require. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]);
  return out;
}

const HONO = /^(@hono\/|hono$|hono\/)/;

/** Does `file` break the rule by importing `spec`: a banned package, or a module under a banned path? */
function forbidden(file: string, spec: string, banned: readonly RegExp[]): boolean {
  if (!spec.startsWith('.')) return banned.some((b) => b === HONO && HONO.test(spec));
  const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
  return banned.some((b) => b.test(target));
}

const HTTP = [HONO, /^server\/http\//, /^server\/routes\//, /^server\/app\.ts$/, /^server\/main\.ts$/, /^server\/open311\//];

describe('layers', () => {
  it('finds the import forms it checks', () => {
    const text = `import { a } from 'hono';\nimport type { B } from "../http/problem.ts";\nexport { c } from './x.ts';\nconst d = await import('hono/http-exception');\nimport './side.ts';`;
    expect(specifiers(text).sort()).toEqual(['../http/problem.ts', './side.ts', './x.ts', 'hono', 'hono/http-exception'].sort());
    expect(forbidden('server/services/a.ts', '../http/problem.ts', HTTP)).toBe(true);
    expect(forbidden('server/services/a.ts', 'hono/http-exception', HTTP)).toBe(true);
    expect(forbidden('server/services/a.ts', '../domain/refusal.ts', HTTP)).toBe(false);
    expect(forbidden('server/sim/a.ts', '../../scripts/simulate/index.ts', [/^scripts\//])).toBe(true);
  });

  for (const [dir, banned] of [
    ['server', [/^scripts\//, /^tests\//, /^web\//]],
    ['server/services', HTTP],
    ['server/domain', [...HTTP, /^server\/services\//, /^server\/db\//, /^server\/live\//]],
  ] as const) {
    const what = dir === 'server' ? 'scripts, tests or the web app' : `hono or the HTTP layer${dir === 'server/domain' ? ', services, db or live' : ''}`;
    it(`no file under ${dir} imports ${what}`, () => {
      const files = sources(dir);
      expect(files.length).toBeGreaterThan(3);
      const bad: string[] = [];
      for (const f of files) {
        for (const s of specifiers(readFileSync(join(ROOT, f), 'utf8'))) if (forbidden(f, s, banned)) bad.push(`${f} → ${s}`);
      }
      expect(bad).toEqual([]);
    });
  }
});
