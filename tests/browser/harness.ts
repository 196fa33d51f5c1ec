/**
 * Browser-test harness: builds the web app when the build is missing or stale, starts the app the way `npm start`
 * does (tsx server/main.ts on a free port, over a private copy of the seeded database), and launches headless
 * Chromium with software WebGL. Used by tests/browser/*.test.ts and by the web benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ensureWebBuild } from '../../scripts/ensure-build.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { DEMO_ACCOUNTS } from '../../server/services/demo-accounts.ts';
import { signedIn, type Requester, type Who } from '../helpers/signed-in.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const DIST = join(ROOT, 'dist', 'web');
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const TMP = join(ROOT, 'tests', '.tmp');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Runs `vite build` when dist/web is missing or older than its sources (the same check as `npm start`). */
export const ensureBuild = ensureWebBuild;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningApp {
  url: string;
  port: number;
  /** The server's database file (a private copy). */
  dbFile: string;
  /** API requests as a role or a staff member, with a token made on the server's database. */
  as: (who: Who) => Requester;
  stop: () => Promise<void>;
}

/** The admin password of the servers the browser tests start. */
export const TEST_ADMIN_PASSWORD = 'browser-test-admin-pw';

/**
 * Signs a browser context in (the session cookie lands in its jar) as a demo account (leader, analyst, dispatcher,
 * planner, governor, supervisor, field, wall) or `admin`, through POST /api/session like the sign-in page.
 */
export async function signIn(context: BrowserContext, url: string, username: string): Promise<void> {
  const password = username === 'admin' ? TEST_ADMIN_PASSWORD : DEMO_ACCOUNTS.find((a) => a.username === username)?.password;
  if (!password) throw new Error(`no demo account ${username}`);
  const res = await context.request.post(`${url}/api/session`, { data: { username, password } });
  if (res.status() !== 200) throw new Error(`sign-in as ${username} → ${res.status()}: ${await res.text()}`);
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not answer /api/health within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Starts `tsx server/main.ts` on a free port. With `seededDb`, the server gets a private copy of it (tests must not
 * write to the shared one); without, it seeds a fresh temporary file on first start (slower).
 */
export async function startApp(options: { seededDb?: string; env?: Record<string, string | undefined> } = {}): Promise<RunningApp> {
  mkdirSync(TMP, { recursive: true });
  const port = await freePort();
  const db = join(TMP, `browser-${process.pid}-${port}.db`);
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  if (options.seededDb && existsSync(options.seededDb)) copyFileSync(options.seededDb, db);
  const child = spawn('npx', ['tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, PORT: String(port), GEZHI_DB: db, GEZHI_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends npx, tsx and node together
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  let handle: Db | null = null;
  const as = (who: Who) => signedIn({ url, db: (handle ??= openDatabase(db)) }, who);
  const stop = async () => {
    handle?.close();
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  };
  try {
    await waitForHealth(url, child, () => output, options.seededDb ? 60_000 : 180_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, dbFile: db, as, stop };
}

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Everything a page did that a test may want to assert on: requests (by URL) and console errors. */
export interface PageRecord {
  requests: string[];
  errors: string[];
}

export function recordPage(page: Page): PageRecord {
  const record: PageRecord = { requests: [], errors: [] };
  page.on('request', (req) => record.requests.push(req.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error') record.errors.push(msg.text());
  });
  page.on('pageerror', (err) => record.errors.push(`pageerror: ${err.message}`));
  return record;
}

/** Resolves with the first-render time (ms from navigation) once the map reports all layers loaded and idle. */
export async function waitForMap(page: Page, timeoutMs = 60_000): Promise<number> {
  await page.waitForFunction(() => window.__gezhi?.ready() === true, undefined, { timeout: timeoutMs, polling: 100 });
  return page.evaluate(() => window.__gezhi!.firstRenderMs()!);
}

/**
 * Luminance statistics of a screenshot, decoded by the browser itself (no image library needed); with `match`, also
 * how many pixels lie within `tolerance` (per channel) of an RGB colour.
 */
export async function imageStats(
  page: Page,
  png: Buffer,
  match: { rgb: readonly [number, number, number]; tolerance: number } = { rgb: [0, 0, 0], tolerance: -1 },
): Promise<{ mean: number; std: number; distinct: number; matches: number }> {
  return page.evaluate(
    async ([b64, [r, g, b], tol]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      let sum = 0;
      let sum2 = 0;
      let matches = 0;
      const colours = new Set<number>();
      const n = data.length / 4;
      for (let i = 0; i < data.length; i += 4) {
        const y = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
        sum += y;
        sum2 += y * y;
        if (colours.size < 5000) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        if (Math.abs(data[i] - r) <= tol && Math.abs(data[i + 1] - g) <= tol && Math.abs(data[i + 2] - b) <= tol) matches++;
      }
      const mean = sum / n;
      return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), distinct: colours.size, matches };
    },
    [png.toString('base64'), match.rgb, match.tolerance] as const,
  );
}

/** How many pixels of a screenshot lie within `tolerance` (per channel) of an RGB colour. */
export async function countColour(page: Page, png: Buffer, rgb: readonly [number, number, number], tolerance: number): Promise<number> {
  return (await imageStats(page, png, { rgb, tolerance })).matches;
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * Takes a screenshot of a page or an element. Headless Chromium now and then answers "Unable to capture screenshot"
 * when the compositor has no frame to give yet (a page just opened while another page's software WebGL holds the
 * GPU process); that is the capture failing, not the page, so it is tried again after the next frames, a few times.
 */
export async function capture(
  target: Page | Locator,
  options: { path?: string; clip?: { x: number; y: number; width: number; height: number } } = {},
): Promise<Buffer> {
  const page = 'page' in target && typeof target.page === 'function' ? target.page() : (target as Page);
  for (let attempt = 1; ; attempt++) {
    try {
      return await (target === page ? page.screenshot(options) : (target as Locator).screenshot({ path: options.path }));
    } catch (err) {
      if (attempt >= 4 || !/Unable to capture screenshot/.test(String(err))) throw err;
      await page.bringToFront();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.waitForTimeout(250 * attempt);
    }
  }
}
