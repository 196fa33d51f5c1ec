/**
 * The live-activity simulator: a client of the public API that makes the district look alive. Residents, hotlines
 * and patrols report (POST /api/events) at the seeded rhythm and places; the subdistrict's guidance centre files and
 * dispatches; the assignee accepts, travels along the roads (POST /api/staff/:id/position every few simulated
 * seconds), arrives and resolves; the block supervisor or a centre inspector verifies and closes; the resident rates
 * the result. Side paths: rejected duplicates and invalid reports, returns (回退), extensions (延期), rework (返工) and
 * cases that run late.
 *
 * Determinism: every decision comes from a generator seeded by (seed, report number) or (seed, event id), and the
 * arrivals from their own stream, so a seed gives the same sequence of reports and plans; only the server's answers
 * and timing can make two runs differ. Memory is bounded: at most `maxActive` cases are followed (new reports wait
 * for room), and the directories are fixed at start. Nothing is written except through the API.
 *
 * Runs inside `npm start` on the demo database (autostart.ts) and from `npm run gezhi -- simulate`. A case's state
 * and next step: case-state.ts; who acts on it: case-staff.ts; options and counters: options.ts.
 */
import { createRng, hashString, type Rng } from '../domain/prng.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { dispatcherFor, redispatchTarget, verifierFor } from './case-staff.ts';
import { applyDetail, newCase, nextStep, type Action, type Case, type EventDetail } from './case-state.ts';
import { ApiClient, describeProblem, StoppedError, type ApiResult, type Problem } from './client.ts';
import { SimCredentials } from './credentials.ts';
import { emptyCounters, type Counters, type Simulator, type SimulatorOptions, type SimulatorSummary } from './options.ts';
import { planCase, type CasePlan } from './plan.ts';
import { CategoryPicker, draftReport, duplicateOf, reportBody, type Channel, type Kind, type ReportDraft } from './reports.ts';
import { isNight, nextArrival } from './rhythm.ts';
import { Scheduler, SimClock } from './scheduler.ts';
import { positionAt } from './route-position.ts';
import { loadWorld, type World } from './world.ts';

const MINUTE = 60_000;

const formatSim = (t: number): string => {
  const d = new Date(t + 8 * 3_600_000);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}`;
};

/** Starts the simulator against a running server; it loads the district through the API first. */
export function startSimulator(options: SimulatorOptions): Simulator {
  const rate = options.rate ?? 30;
  const speed = options.speed ?? 1;
  const seed = Math.trunc(options.seed ?? 1);
  const maxActive = Math.max(1, Math.floor(options.maxActive ?? 150));
  const pickUpMax = Math.max(0, Math.floor(options.pickUp ?? maxActive / 2));
  const positionEvery = options.positionEveryMs ?? 5_000;
  const minGap = options.minPositionGapMs ?? 1_000;
  const logEvery = options.logEveryMs ?? MINUTE * Math.max(1, Math.ceil(speed / 60));
  const log = options.log ?? ((line: string) => console.log(line));
  if (!(rate >= 0) || !(speed > 0)) throw new RangeError('rate must be ≥ 0 and speed > 0');

  const client = new ApiClient(options.url, { maxInFlight: options.maxInFlight ?? 4 });
  const credentials = new SimCredentials(client, options.token);
  client.authorization = credentials.admin;
  const clock = new SimClock(options.start ?? Date.now(), speed);
  const scheduler = new Scheduler(clock);
  const runId = `${seed.toString(36)}-${clock.epochStart.toString(36)}`;
  const total = emptyCounters();
  let interval = emptyCounters();
  const cases = new Map<number, Case>();
  const moving = new Map<number, Promise<void>>();
  const lastPost = new Map<number, number>();
  const recent: ReportDraft[] = [];
  const picker = new CategoryPicker(TAXONOMY);
  const tasks = new Set<Promise<unknown>>();
  let pickedUp = 0;
  let dispatchVia: 'endpoint' | 'transitions' | 'unknown' = options.dispatch === 'transitions' ? 'transitions' : options.dispatch === 'endpoint' ? 'endpoint' : 'unknown';
  let world: World | null = null;
  let started = false;
  let stopped = false;
  let resolveDone!: (s: SimulatorSummary) => void;
  const done = new Promise<SimulatorSummary>((r) => (resolveDone = r));

  const count = (k: keyof Counters, n = 1) => {
    total[k] += n;
    interval[k] += n;
  };
  const track = <T>(p: Promise<T>): Promise<T> => {
    tasks.add(p);
    p.then(
      () => tasks.delete(p),
      () => tasks.delete(p),
    );
    return p;
  };

  const summary = (): SimulatorSummary => ({
    ...total,
    pickedUp,
    active: cases.size,
    moving: moving.size,
    simulatedMs: clock.now() - clock.start,
    realMs: Date.now() - clock.epochStart,
    requests: client.stats.requests,
    networkErrors: client.stats.networkErrors,
    dispatchVia,
    started,
  });

  const problemSeen = (method: string, path: string, what: string, p: Problem) => {
    if (p.status >= 500 || p.status === 0) count('problems5xx');
    else count('problems4xx');
    if (p.status === 409) count('conflicts');
    log(`simulate: ${method} ${path} (${what}) → ${describeProblem(p)}${p.status === 409 ? ' — re-reading the case' : ''}`);
  };

  // ---- cases ------------------------------------------------------------------------------------------------

  /** A step as `actor` (a staff id, or 'resident'): signed in as them, the body names no actor. */
  async function transition(c: Case, step: Record<string, unknown>): Promise<ApiResult<EventDetail>> {
    const { actor, ...body } = step;
    c.doing = `${String(body.to)}: request`;
    const r = await client.post<EventDetail>(`/api/events/${c.id}/transitions`, body, await credentials.header(actor as number | 'resident'));
    c.doing = `${String(body.to)}: answered ${r.status}`;
    return r;
  }

  async function dispatch(c: Case, actor: number, assignee: number | null): Promise<ApiResult<EventDetail>> {
    const body: Record<string, unknown> = assignee !== null ? { assignee } : {};
    if (dispatchVia !== 'transitions') {
      const r = await client.post<EventDetail>(`/api/events/${c.id}/dispatch`, body, await credentials.header(actor));
      const missingRoute = !r.ok && (r.status === 405 || (r.status === 404 && /^No resource at /.test(r.problem.detail ?? '')));
      const shape = !r.ok && r.status === 400 && dispatchVia === 'unknown';
      if (!missingRoute && !shape) {
        if (dispatchVia === 'unknown' && r.ok) {
          dispatchVia = 'endpoint';
          log('simulate: dispatching through POST /api/events/:id/dispatch (responders follow the stored routes)');
        }
        if (!r.ok) return r;
        // { event, route }: the case, and the route the wall draws (its off-road legs dropped: responders keep to roads).
        const out = r.body as unknown as { event?: EventDetail; route?: { staffId: number; coordinates: number[][]; times: number[] } | null };
        const route = out.route;
        if (route && Array.isArray(route.coordinates) && route.coordinates.length >= 4 && route.times?.length === route.coordinates.length) {
          const coords = route.coordinates.slice(1, -1);
          const t0 = route.times[1];
          c.route = { staffId: route.staffId, start: route.coordinates[0] as [number, number], coordinates: coords, times: route.times.slice(1, -1).map((t) => t - t0) };
        } else c.route = null;
        if (out.event && typeof out.event === 'object' && 'status' in out.event) return { ok: true, status: r.status, body: out.event };
        return client.get<EventDetail>(`/api/events/${c.id}`);
      }
      if (dispatchVia === 'endpoint' && options.dispatch === 'endpoint') return r;
      dispatchVia = 'transitions';
      log(`simulate: no usable POST /api/events/:id/dispatch (${describeProblem((r as { problem: Problem }).problem)}); dispatching through the transitions endpoint`);
    }
    return transition(c, { to: 'dispatch', actor, ...body });
  }

  async function travel(c: Case): Promise<boolean> {
    const staffId = c.assignee;
    if (staffId === null || !world) return true;
    // One trip at a time per responder.
    for (let prior = moving.get(staffId); prior; prior = moving.get(staffId)) await prior;
    if (stopped) return false;
    let release!: () => void;
    const trip = new Promise<void>((r) => (release = r));
    moving.set(staffId, trip);
    try {
      const s = world.staff;
      const from =
        s.positions.get(staffId) ??
        world.blockCentre.get(s.homeBlock.get(staffId) ?? c.blockCode) ??
        world.blockCentre.get(c.blockCode) ?? [c.lon, c.lat];
      const stored = c.route;
      // The stored route when it starts where the responder still is; else a route of our own over the same roads.
      const useStored = stored !== null && stored.staffId === staffId && Math.hypot(stored.start[0] - from[0], stored.start[1] - from[1]) < 5e-4;
      const found = useStored ? null : world.router?.route(from, [c.lon, c.lat]);
      const route = useStored
        ? { geometry: { type: 'LineString' as const, coordinates: stored.coordinates }, times: stored.times }
        : found && found.reachable ? found : null;
      if (!route) return scheduler.sleep(c.plan.travelFallback);
      // On the stored route at its own ETA (as the wall shows it); on our own, at the plan's pace.
      const factor = useStored ? 1 : c.plan.travelFactor;
      const duration = Math.max(MINUTE, route.times[route.times.length - 1] * 1000 * factor);
      const t0 = clock.now();
      const step = Math.max(positionEvery, minGap * speed);
      for (let k = 0; ; k++) {
        const at = t0 + k * step;
        if (at >= t0 + duration) break;
        if (!(await scheduler.sleepUntil(at))) return false;
        const elapsed = clock.now() - t0;
        if (elapsed >= duration) break;
        c.doing = 'travel: position';
        await postPosition(staffId, positionAt(route, elapsed / 1000 / factor));
        c.doing = 'travel';
      }
      if (!(await scheduler.sleepUntil(t0 + duration))) return false;
      const end = route.geometry.coordinates[route.geometry.coordinates.length - 1];
      await postPosition(staffId, [end[0], end[1]]);
      return true;
    } finally {
      moving.delete(staffId);
      release();
    }
  }

  async function postPosition(staffId: number, p: [number, number]): Promise<void> {
    const last = lastPost.get(staffId) ?? 0;
    const wait = last + minGap - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lastPost.set(staffId, Date.now());
    const lon = Math.round(p[0] * 1e7) / 1e7, lat = Math.round(p[1] * 1e7) / 1e7;
    const path = `/api/staff/${staffId}/position`;
    const r = await client.post(path, { lon, lat }, await credentials.header(staffId));
    world?.staff.positions.set(staffId, [lon, lat]);
    if (r.ok) count('positions');
    else if (r.status !== 409) problemSeen('POST', path, 'position', r.problem); // 409: a newer position is stored
  }

  /** Does one step; false when the case should be dropped. */
  async function perform(c: Case, action: Action): Promise<boolean> {
    const p = c.plan;
    let r: ApiResult<EventDetail>;
    let actor: number | 'resident' | null = null;
    switch (action) {
      case 'file':
      case 'reject': {
        actor = dispatcherFor(c, world!.staff);
        if (actor === null) return false;
        r = await transition(c, action === 'reject'
          ? { to: 'reject', actor, reason: p.reject ?? 'invalid', note: p.reject === 'duplicate' ? '与已受理案件重复' : '信息不全无法核实' }
          : { to: 'file', actor });
        break;
      }
      case 'dispatch': {
        actor = dispatcherFor(c, world!.staff);
        if (actor === null) return false;
        const target = c.returned ? redispatchTarget(c, world!.staff) : c.proposal;
        r = await dispatch(c, actor, target);
        break;
      }
      case 'return':
        if (c.assignee === null) return false;
        actor = c.assignee;
        r = await transition(c, { to: 'return', actor, reason: '不属于本人职责范围，请重新派遣' });
        if (r.ok) (c.returned = true), (c.returnedBy = actor);
        break;
      case 'accept':
      case 'arrive':
      case 'resolve':
        if (c.assignee === null) return false;
        actor = c.assignee;
        r = await transition(c, { to: action, actor });
        break;
      case 'travel':
        if (!(await travel(c))) return !stopped;
        if (c.status !== 'accepted' || c.assignee === null) return true;
        actor = c.assignee;
        r = await transition(c, { to: 'arrive', actor });
        action = 'arrive';
        break;
      case 'extension-request':
        if (c.assignee === null || !p.extension) return false;
        actor = c.assignee;
        r = await transition(c, { to: 'extension-request', actor, hours: p.extension.hours, reason: '需协调相关单位处置，申请延期' });
        if (r.ok) (c.extensionAsked = true), (c.extensionAskedAt = clock.now());
        else c.extensionAsked = true;
        break;
      case 'extension-decide': {
        actor = dispatcherFor(c, world!.staff);
        if (actor === null) return false;
        const approve = p.extension?.approve ?? true;
        r = await transition(c, approve ? { to: 'extension-approve', actor } : { to: 'extension-deny', actor, reason: '时限内可以完成，不予延期' });
        break;
      }
      case 'verify-report': {
        actor = verifierFor(c, world!.staff);
        if (actor === null) return false;
        r = await transition(c, { to: 'verify-report', actor, note: '现场核实属实' });
        if (r.ok) c.verified = true;
        break;
      }
      case 'rework':
      case 'close': {
        actor = verifierFor(c, world!.staff);
        if (actor === null) return false;
        r = await transition(c, action === 'rework' ? { to: 'rework', actor, reason: '现场核查未处置到位' } : { to: 'close', actor });
        if (r.ok && action === 'rework') c.reworked = true;
        break;
      }
      case 'evaluate':
        actor = 'resident';
        r = await transition(c, { to: 'evaluate', actor, satisfaction: p.evaluation?.satisfaction ?? 5 });
        break;
    }
    if (r.ok) {
      c.failures = 0;
      applyDetail(c, r.body, clock);
      c.anchor = clock.now();
      const counted: Partial<Record<Action, keyof Counters>> = {
        file: 'filed', reject: 'rejected', dispatch: 'dispatched', return: 'returned', accept: 'accepted', arrive: 'arrived',
        resolve: 'resolved', rework: 'reworked', close: 'closed', evaluate: 'evaluated', 'extension-request': 'extensionsRequested',
        'extension-decide': 'extensionsDecided',
      };
      if (counted[action]) count(counted[action]!);
      return true;
    }
    const path = action === 'dispatch' && dispatchVia === 'endpoint' ? `/api/events/${c.id}/dispatch` : `/api/events/${c.id}/transitions`;
    problemSeen('POST', path, `${c.caseNo} ${action}`, r.problem);
    c.failures++;
    if (r.status === 404) return false;
    if ((r.problem.reason === 'verifier-is-handler' || r.status === 403) && typeof actor === 'number') c.excluded.add(actor);
    if (r.status === 409 || r.status === 403) {
      // Someone else moved the case (or the sweeper did): carry on from what the server says now.
      const fresh = await client.get<EventDetail>(`/api/events/${c.id}`);
      if (fresh.ok) applyDetail(c, fresh.body, clock);
      else if (fresh.status === 404) return false;
    } else if (r.status >= 500 || r.status === 0) {
      await scheduler.sleep(Math.max(30_000, 2_000 * speed));
    }
    return c.failures < 4;
  }

  async function drive(c: Case): Promise<void> {
    try {
      while (!stopped) {
        const step = nextStep(c, clock);
        if (!step) break;
        c.doing = `waiting to ${step.action}`;
        if (!(await scheduler.sleepUntil(step.at))) break;
        c.doing = step.action;
        if (!(await perform(c, step.action))) {
          if (!stopped) count('abandoned');
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof StoppedError)) log(`simulate: case ${c.caseNo} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      cases.delete(c.id);
    }
  }

  function follow(c: Case): void {
    cases.set(c.id, c);
    track(drive(c));
  }

  // ---- reports ----------------------------------------------------------------------------------------------

  function factsOf(kind: string, channel: string, category: string, priority: string, night: boolean, duplicate: boolean) {
    const cat = TAXONOMY.byCode.get(category);
    return {
      kind: kind as Kind,
      channel: channel as Channel,
      tier: cat?.tier ?? 'block',
      urgent: priority === 'urgent',
      deadlineUnit: cat?.deadline.unit ?? 'working-days',
      night,
      duplicate,
    };
  }

  async function reportLoop(): Promise<void> {
    const arrivals = createRng(hashString(`${seed}:arrivals`));
    let t = clock.start;
    for (let n = 1; !stopped; n++) {
      t = nextArrival(arrivals, t, rate);
      if (!Number.isFinite(t)) return;
      if (!(await scheduler.sleepUntil(t))) return;
      const rng = createRng(hashString(`${seed}:report:${n}`));
      let draft: ReportDraft;
      if (recent.length > 0 && rng.chance(0.03)) draft = duplicateOf(rng, rng.pick(recent));
      else {
        const place = world!.places.sample(rng);
        const team = world!.staff.teamOf.get(place.blockCode) ?? [];
        draft = draftReport(rng, { at: t, place, patrollers: team.map((id) => world!.staff.name(id)), picker });
        recent.push(draft);
        if (recent.length > 20) recent.shift();
      }
      const plan = planCase(rng, factsOf(draft.kind, draft.channel, draft.category, draft.priority, isNight(t), draft.duplicate));
      if (cases.size >= maxActive) {
        count('skipped');
        continue;
      }
      track(report(draft, plan, rng, n));
    }
  }

  async function report(draft: ReportDraft, plan: CasePlan, rng: Rng, n: number): Promise<void> {
    const key = `sim-${runId}-${n}`;
    const r = await client.post<EventDetail>('/api/events', reportBody(draft), { 'Idempotency-Key': key, ...(await credentials.header('resident')) });
    if (!r.ok) {
      problemSeen('POST', '/api/events', `report ${n}`, r.problem);
      return;
    }
    count('reported');
    if (stopped) return;
    follow(newCase(r.body, plan, rng, r.body.proposal?.assignee?.id ?? null, world!.staff, clock));
  }

  /** Open cases already on the server, newest first (followed once the clock starts). */
  async function pickUpOpen(): Promise<Case[]> {
    const out: Case[] = [];
    if (pickUpMax === 0) return out;
    const list = await client.get<{ items: { id: number }[] }>(`/api/events?status=open&limit=${Math.min(pickUpMax, 5000)}`);
    if (!list.ok) {
      problemSeen('GET', '/api/events?status=open', 'pick up', list.problem);
      return out;
    }
    for (const item of list.body.items) {
      if (stopped || out.length >= pickUpMax) break;
      const d = await client.get<EventDetail>(`/api/events/${item.id}`);
      if (!d.ok) continue;
      const rng = createRng(hashString(`${seed}:event:${item.id}`));
      const plan = planCase(rng, factsOf(d.body.kind, d.body.channel, d.body.category.code, d.body.priority, false, false));
      out.push(newCase(d.body, plan, rng, null, world!.staff, clock));
    }
    return out;
  }

  // ---- summary lines and life cycle -------------------------------------------------------------------------

  async function summaryLoop(): Promise<void> {
    let at = clock.start;
    while (!stopped) {
      at += logEvery;
      if (!(await scheduler.sleepUntil(at))) return;
      const i = interval;
      interval = emptyCounters();
      log(
        `simulate ${formatSim(at)} | reported ${i.reported}${i.skipped ? ` (${i.skipped} skipped: ${maxActive} cases active)` : ''} rejected ${i.rejected} ` +
          `filed ${i.filed} dispatched ${i.dispatched} accepted ${i.accepted} arrived ${i.arrived} resolved ${i.resolved} ` +
          `closed ${i.closed} evaluated ${i.evaluated} | returned ${i.returned} rework ${i.reworked} extensions ${i.extensionsRequested} | ` +
          `active ${cases.size} moving ${moving.size} positions ${i.positions} | 4xx ${i.problems4xx} 5xx ${i.problems5xx}`,
      );
    }
  }

  async function run(): Promise<void> {
    world = await loadWorld(client);
    if (stopped) return;
    started = true;
    log(
      `simulate: ${options.url} — ${world.blocks.length} blocks, ${world.staff.names.size} staff, ` +
        `${world.graph ? `${world.graph.linkCount} road links` : 'no roads'}; rate ${rate}/h, speed ×${speed}, seed ${seed}` +
        `${world.health.demo ? '' : ' (not the demo database)'}`,
    );
    const open = await pickUpOpen();
    if (stopped) return;
    // Simulated time starts now: the set-up must not count as time in which reports should have arrived.
    clock.restart();
    for (const c of open) {
      c.anchor = clock.start;
      follow(c);
    }
    pickedUp = open.length;
    if (pickedUp > 0) log(`simulate: following ${pickedUp} open case(s) already on the server`);
  }

  const ready = run();
  let stopping: Promise<SimulatorSummary> | null = null;
  const stop = (): Promise<SimulatorSummary> =>
    (stopping ??= (async () => {
      stopped = true;
      scheduler.stop();
      // The tokens go before the client stops taking requests.
      await Promise.race([credentials.revokeAll(), new Promise((r) => setTimeout(r, 2_000).unref())]);
      client.stop();
      const deadline = new Promise((r) => setTimeout(r, 5_000).unref());
      await Promise.race([Promise.allSettled([...tasks]), deadline]);
      for (const c of cases.values()) log(`simulate: case ${c.caseNo} still busy at stop (${c.doing}; ${client.busy} requests in flight)`);
      const s = summary();
      log(
        `simulate: stopped after ${(s.simulatedMs / MINUTE).toFixed(1)} simulated min — reported ${s.reported}, ` +
          `dispatched ${s.dispatched}, closed ${s.closed}, evaluated ${s.evaluated}, positions ${s.positions}, ` +
          `${s.requests} requests, 4xx ${s.problems4xx}, 5xx ${s.problems5xx}, network errors ${s.networkErrors}`,
      );
      resolveDone(s);
      return s;
    })());

  ready.then(
    () => {
      if (stopped) return;
      track(reportLoop());
      track(summaryLoop());
      if (options.durationMs !== undefined) setTimeout(() => void stop(), options.durationMs).unref();
    },
    (err) => {
      if (!(err instanceof StoppedError)) log(`simulate: cannot start: ${err instanceof Error ? err.message : String(err)}`);
      void stop();
    },
  );

  return { ready: ready.catch(() => undefined), done, stop, summary };
}
