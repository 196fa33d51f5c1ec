/**
 * The boundary between the web app and the server: the web imports the server only through the contract module
 * (server/contract/) and the typed client's type-only import of server/app.ts; the contract itself is a leaf (it
 * imports nothing else of the server). The import graph is madge's, read twice: with type-only imports (what the
 * type checker sees) and without (what the bundle contains).
 */
import madge from 'madge';
import { describe, expect, it } from 'vitest';

type Graph = Record<string, string[]>;

async function importGraph(dirs: string[], withTypes: boolean): Promise<Graph> {
  const skip = { skipTypeImports: !withTypes };
  const res = await madge(dirs, {
    baseDir: '.',
    fileExtensions: ['ts', 'tsx'],
    tsConfig: 'tsconfig.json',
    detectiveOptions: { ts: skip, tsx: skip, es6: skip },
  });
  return res.obj();
}

/** Edges `from → to` where `from` matches `source` and `to` is outside what `allowed` lets it import. */
function violations(graph: Graph, source: RegExp, target: RegExp, allowed: (to: string) => boolean): string[] {
  const out: string[] = [];
  for (const [from, deps] of Object.entries(graph)) {
    if (!source.test(from)) continue;
    for (const to of deps) if (target.test(to) && !allowed(to)) out.push(`${from} → ${to}`);
  }
  return out;
}

const WEB = /^web\//;
const SERVER = /^server\//;
const CONTRACT = /^server\/contract\//;

describe('web ↔ server boundary', () => {
  it('the check finds a web module importing a server internal (and lets the contract through)', () => {
    const graph: Graph = {
      'web/views/x.ts': ['server/contract/api.ts', 'server/routes/hotspots.ts', 'web/map/y.ts'],
      'server/contract/live.ts': ['server/contract/api.ts', 'server/db/database.ts'],
    };
    expect(violations(graph, WEB, SERVER, (to) => CONTRACT.test(to))).toEqual(['web/views/x.ts → server/routes/hotspots.ts']);
    expect(violations(graph, CONTRACT, SERVER, (to) => CONTRACT.test(to))).toEqual(['server/contract/live.ts → server/db/database.ts']);
  });

  it('the web app imports code of the server only from the contract', async () => {
    const graph = await importGraph(['web'], false);
    expect(Object.keys(graph).some((f) => CONTRACT.test(f)), 'the graph follows imports into server/').toBe(true);
    expect(violations(graph, WEB, SERVER, (to) => CONTRACT.test(to))).toEqual([]);
  });

  it('its type-only imports of the server are the contract and the app type (for the typed client)', async () => {
    const graph = await importGraph(['web'], true);
    expect(graph['web/api/client.ts']).toContain('server/app.ts');
    const web = Object.fromEntries(Object.entries(graph).filter(([f]) => WEB.test(f)));
    expect(violations(web, WEB, SERVER, (to) => CONTRACT.test(to) || to === 'server/app.ts')).toEqual([]);
  });

  it('the contract is a leaf: it imports nothing else of the server', async () => {
    const graph = await importGraph(['server/contract'], true);
    expect(Object.keys(graph).length).toBeGreaterThan(3);
    expect(violations(graph, CONTRACT, /./, (to) => CONTRACT.test(to))).toEqual([]);
  });
});
