import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LineString } from 'geojson';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RoadGraph } from '../../server/geo/road-graph.ts';
import type { SimulatorSummary } from '../../server/sim/options.ts';
import { startSimulator } from '../../server/sim/simulator.ts';
import { startServer, type StartedServer } from '../helpers/server.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { signedIn, type Requester } from '../helpers/signed-in.ts';

const dir = mkdtempSync(join(tmpdir(), 'gezhi-sim-'));
const servers: StartedServer[] = [];
const dbs: Db[] = [];
/** The admin of the server under test (the simulator's token, and the test's own reads). */
let admin: Requester | null = null;
afterAll(async () => {
  for (const d of dbs) d.close();
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

function copySeeded(name: string): string {
  const file = join(dir, name);
  copyFileSync(inject('seededDb'), file);
  return file;
}

async function json<T>(url: string): Promise<T> {
  const r = await fetch(url, admin ? { headers: { Authorization: `Bearer ${admin.token}` } } : {});
  expect(r.status, url).toBe(200);
  return (await r.json()) as T;
}

interface LogRow {
  at: string;
  actor: { id: number } | null;
  actorRole: string;
  from: string | null;
  to: string;
  assignee: { id: number } | null;
  note: string;
}
interface Detail {
  id: number;
  status: string;
  reportedAt: string;
  assignee: { id: number } | null;
  log: LogRow[];
}

/** Reads the stored live messages after `afterId` of some types, until `want` came or the stream is quiet for 5 s. */
async function replay(url: string, afterId: number, types: string, want: number): Promise<{ id: number; type: string; data: Record<string, unknown> }[]> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/stream?types=${types}&lastEventId=${afterId}`, { signal: controller.signal, headers: { Authorization: `Bearer ${admin!.token}` } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const out: { id: number; type: string; data: Record<string, unknown> }[] = [];
  const deadline = Date.now() + 15_000;
  try {
    while (Date.now() < deadline && out.length < want) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
      if (chunk === null || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const id = /^id: ?(\d+)$/m.exec(block)?.[1];
        const type = /^event: ?(.+)$/m.exec(block)?.[1];
        const data = /^data: ?(.+)$/m.exec(block)?.[1];
        if (id && type && data) out.push({ id: Number(id), type, data: JSON.parse(data) });
      }
    }
  } finally {
    controller.abort();
  }
  return out;
}

describe('live-activity simulator against the real server', () => {
  let server: StartedServer;
  let summary: SimulatorSummary;
  let startedAt: number;
  let lastIdBefore: number;
  const lines: string[] = [];

  it('runs at ×600 for ~10 s: reports, dispatches and closes through the API without a 5xx', async () => {
    const file = copySeeded('sim.db');
    server = await startServer({ GEZHI_DB: file, GEZHI_SIMULATE: '0' });
    servers.push(server);
    const db = openDatabase(file);
    dbs.push(db);
    admin = signedIn({ url: server.url, db }, 'admin');
    expect(server.output()).not.toContain('Simulator:');
    lastIdBefore = (await json<{ lastId: number }>(`${server.url}/api/stream/status`)).lastId;
    // A case waiting for verification, which someone else closes while the simulator follows it.
    const resolved = await json<{ items: { id: number; caseNo: string; blockCode: string }[] }>(`${server.url}/api/events?status=resolved&limit=1`);
    const racing = resolved.items[0];
    const supervisor = (await json<{ items: { id: number }[] }>(`${server.url}/api/staff?block=${racing.blockCode}&role=supervisor`)).items[0];
    startedAt = Date.now();
    const sim = startSimulator({
      url: server.url, token: admin.token, speed: 600, rate: 120, seed: 7, durationMs: 10_000, maxActive: 250, pickUp: 200,
      // A weekday morning, so the rhythm is at its busiest.
      start: Date.parse('2026-11-26T08:30:00+08:00'),
      log: (line) => lines.push(line),
    });
    await sim.ready;
    const closed = await signedIn({ url: server.url, db }, { staffId: supervisor.id }).post(`/api/events/${racing.id}/transitions`, { to: 'close' });
    expect(closed.status).toBe(200);
    summary = await sim.done;
    // The simulator's own close met a 409, re-read the case and carried on with it (no case was abandoned).
    expect(lines.some((l) => l.includes(`${racing.caseNo} close) → 409`) && l.includes('re-reading'))).toBe(true);
    expect(summary.conflicts).toBeGreaterThanOrEqual(1);
    expect(summary.abandoned).toBe(0);
    expect(summary.pickedUp).toBeGreaterThan(100);
    expect(summary.started).toBe(true);
    expect(summary.problems5xx).toBe(0);
    expect(summary.networkErrors, 'requests that did not reach the server').toBeLessThanOrEqual(2);
    expect(summary.reported).toBeGreaterThan(20);
    expect(summary.dispatched).toBeGreaterThan(5);
    expect(summary.closed).toBeGreaterThan(0);
    expect(summary.positions).toBeGreaterThan(5);
    expect(summary.active, lines.filter((l) => l.includes('still busy')).join('\n')).toBe(0); // stopped: nothing followed any more
    // One summary line per 10 simulated minutes at ×600 (≈ one a real second), and a final one.
    expect(lines.filter((l) => /^simulate \d{4}-\d\d-\d\d \d\d:\d\d \| reported/.test(l)).length).toBeGreaterThanOrEqual(8);
    expect(lines[lines.length - 1]).toMatch(/^simulate: stopped after/);
    expect(server.output()).not.toMatch(/failed:|Internal server error/);
  });

  it('the new events are on the server, with consistent logs (legal chain, verifier ≠ handler)', async () => {
    const list = await json<{ items: { id: number; status: string; reportedAt: string; channel: string; kind: string }[] }>(
      `${server.url}/api/events?limit=5000&from=${new Date(startedAt - 60_000).toISOString().slice(0, 10)}`,
    );
    const fresh = list.items.filter((e) => Date.parse(e.reportedAt) >= startedAt - 1000);
    // Reports the simulator saw accepted (a request cut by the stop may have landed too).
    expect(fresh.length).toBeGreaterThanOrEqual(summary.reported);
    expect(fresh.length).toBeLessThanOrEqual(summary.reported + 4);
    const statuses = new Set(fresh.map((e) => e.status));
    expect(statuses.has('reported') || statuses.has('filed')).toBe(true);
    expect([...statuses].some((s) => ['dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated'].includes(s))).toBe(true);
    expect(new Set(fresh.map((e) => e.kind)).size).toBe(3);
    expect(new Set(fresh.map((e) => e.channel)).size).toBeGreaterThanOrEqual(4);

    // Every case the simulator touched: its own and those it picked up.
    const touched = list.items.filter((e) => e.status !== 'reported').map((e) => e.id);
    let closedChecked = 0;
    for (const id of touched.slice(0, 200)) {
      const d = await json<Detail>(`${server.url}/api/events/${id}`);
      const rows = d.log.filter((l) => Date.parse(l.at) >= startedAt - 1000);
      if (rows.length === 0) continue;
      // The chain is continuous: each row starts where the previous one ended.
      for (let i = 1; i < d.log.length; i++) expect(d.log[i].from, `event ${id} row ${i}`).toBe(d.log[i - 1].to);
      const handlers = new Set(d.log.filter((l) => l.assignee && ['dispatched', 'accepted', 'arrived', 'resolved'].includes(l.to)).map((l) => l.assignee!.id));
      for (const l of rows) {
        if ((l.from === 'resolved' && (l.to === 'closed' || l.to === 'accepted')) && l.actor) {
          expect(handlers.has(l.actor.id), `event ${id}: verifier ${l.actor.id} handled it`).toBe(false);
          expect(['supervisor', 'centre-inspector']).toContain(l.actorRole);
          closedChecked++;
        }
        if (['filed', 'rejected'].includes(l.to) && l.from === 'reported') expect(l.actorRole).toMatch(/centre-(staff|inspector)/);
      }
    }
    expect(closedChecked).toBeGreaterThan(0);
  });

  it('responders moved along the roads: every posted position lies within 30 m of a road', async () => {
    const roads = await json<{ features: { geometry: LineString; properties: { speedKmh: number; oneway: boolean; class: string } }[] }>(
      `${server.url}/api/layers/roads`,
    );
    const graph = RoadGraph.build(roads.features.map((f) => ({ geometry: f.geometry, speedKmh: f.properties.speedKmh, oneway: f.properties.oneway, class: f.properties.class })));
    const messages = await replay(server.url, lastIdBefore, 'staff.position', summary.positions);
    const positions = messages.filter((m) => m.type === 'staff.position');
    // Each position the simulator saw accepted is on the stream (a request cut by the stop may add one or two).
    expect(positions.length).toBeGreaterThanOrEqual(summary.positions);
    expect(positions.length).toBeLessThanOrEqual(summary.positions + 4);
    const staff = new Set<number>();
    for (const m of positions) {
      const snap = graph.snap(m.data.lon as number, m.data.lat as number);
      expect(snap!.distance).toBeLessThan(30);
      staff.add(m.data.staffId as number);
    }
    // A responder's successive positions advance along a route, not teleport: consecutive fixes stay close.
    expect(staff.size).toBeGreaterThan(1);
  });

  it('the CLI runs it until Ctrl-C and stops gracefully; --help and usage errors', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'simulate', '--url', server.url, '--token', admin!.token, '--speed', '600', '--rate', '60', '--seed', '2', '--start', '2026-11-26T10:00', '--pick-up', '0'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !/^simulate \d{4}-\d\d-\d\d 10:\d\d \| reported/m.test(out)) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/^simulate: stopped after [\d.]+ simulated min/m);
    expect(out).not.toMatch(/5xx [1-9]/);

    const help = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'simulate', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--rate R/);
    expect(help.stdout).toMatch(/--speed S/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'simulate', '--speed', '0'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--speed must be a number > 0/);
    const down = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'simulate', '--url', 'http://127.0.0.1:9', '--token', 'gz_unused', '--duration', '1'], { encoding: 'utf8', timeout: 60_000 });
    expect(down.status).toBe(1);
    expect(down.stdout).toMatch(/cannot start/);
  });
});

describe('npm start autostarts the simulator on the demo database', () => {
  it('starts with GEZHI_SIMULATE=1 and new events appear; stops cleanly on SIGTERM', async () => {
    const server = await startServer({ GEZHI_DB: copySeeded('auto.db'), GEZHI_SIMULATE: '1', GEZHI_SIMULATE_SPEED: '600', GEZHI_SIMULATE_RATE: '600', GEZHI_SIMULATE_SEED: '3' });
    servers.push(server);
    const before = (await json<{ events: number; demo: boolean }>(`${server.url}/api/health`));
    expect(before.demo).toBe(true);
    const deadline = Date.now() + 40_000;
    let events = before.events;
    const summaryLine = /^simulate \d{4}-\d\d-\d\d \d\d:\d\d \| reported/m;
    while (Date.now() < deadline && (events <= before.events || !summaryLine.test(server.output()))) {
      await new Promise((r) => setTimeout(r, 500));
      events = (await json<{ events: number }>(`${server.url}/api/health`)).events;
    }
    expect(events).toBeGreaterThan(before.events);
    expect(server.output()).toMatch(/Simulator: live demo activity on the demo database/);
    expect(server.output()).toMatch(summaryLine);
    expect(await server.stop()).toBe(0);
    expect(server.output()).toMatch(/simulate: stopped after/);
  });

  it('stays off with GEZHI_SIMULATE=0', async () => {
    const server = await startServer({ GEZHI_DB: copySeeded('off.db'), GEZHI_SIMULATE: '0' });
    servers.push(server);
    const before = (await json<{ events: number }>(`${server.url}/api/health`)).events;
    await new Promise((r) => setTimeout(r, 4000));
    expect((await json<{ events: number }>(`${server.url}/api/health`)).events).toBe(before);
    expect(server.output()).not.toMatch(/Simulator|simulate/);
    expect(await server.stop()).toBe(0);
  });
});
