/** The write services of one app: reports, transitions and the overdue board over one shared context. */
import { createServiceContext, type ServiceDeps } from './context.ts';
import { createOverdueService } from './overdue.ts';
import { createReportService } from './report.ts';
import { createTransitionService } from './transitions.ts';

export function createEventServices(deps: ServiceDeps) {
  const ctx = createServiceContext(deps);
  return {
    ctx,
    reports: createReportService(ctx),
    transitions: createTransitionService(ctx),
    overdue: createOverdueService(ctx.db, ctx.calendar),
  };
}

export type EventServices = ReturnType<typeof createEventServices>;
export type { LiveNotifier } from './context.ts';
