/**
 * Who may do what: the roles, the permissions a route can require, and the one matrix between them. Pure; the HTTP
 * layer asks `can(role, permission)` before a route runs, and the route × role test reads `MATRIX` as its table.
 *
 * A permission gates a route. What a granted write may then do to a particular case is the lifecycle's to judge
 * (roles.ts: the actor's grants on that case), and where a role sees and acts is its data scope (scope.ts).
 */

export const ROLES = [
  'admin', // accounts, tokens, the audit log; every read and write
  'leader', // 领导: insight and review, read only
  'analyst', // review and insight, exports, read only
  'dispatcher', // 综合指导中心 dispatcher or shift lead (/ops): intake, filing, dispatch, locating, follow-up
  'planner', // block boundaries (/plan)
  'governor', // 治理员: the cases of their blocks
  'supervisor', // 监督员: verification of their block's cases (管办分离)
  'field', // assistants, centre staff, department officers: the cases assigned to them
  'wall', // a command-centre screen: the wall's reads, nothing else
  'integration', // another system (12345 platform, a GPS feed): reports, the resident's evaluation, positions
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'public', // no sign-in: health, the sign-in endpoints, Open311
  'map:read', // areas, blocks, layers, staff on the map, KPIs, the live stream, hotspots, active routes, the event window
  'events:read', // event lists, a case with its log, the overdue board
  'events:report', // POST /api/events
  'events:batch', // POST /api/events/batch
  'events:transition', // POST /api/events/:id/transitions (the lifecycle then judges the actor)
  'events:dispatch', // candidates and POST /api/events/:id/dispatch
  'events:locate', // Open311 requests awaiting location
  'events:export', // the streamed export
  'positions:write', // POST /api/staff/:id/position (a staff member: only their own)
  'review:read', // /api/review
  'insight:read', // /api/insight
  'plan:edit', // boundary drafts and publication
  'contact:read', // residents' contact fields unmasked (the roles that handle cases)
  'staff:contact', // staff phone numbers
  'notifications:read', // GET /api/notifications: the work-chat outbox and what failed (admin, the dispatcher's /ops)
  'notifications:channels', // GET /api/notifications/channels: where messages go (configured by an administrator)
  'audit:read', // GET /api/audit
  'data:import', // POST /api/import/:kind (boundaries, rosters, case exports)
  'accounts:manage', // accounts and tokens
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READER: readonly Permission[] = ['map:read', 'events:read'];
const HANDLER: readonly Permission[] = [
  ...READER, 'events:report', 'events:transition', 'positions:write', 'contact:read', 'staff:contact',
];

/** The matrix: each role's permissions ('public' is everyone's and is not listed). */
export const MATRIX: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS.filter((p) => p !== 'public'),
  leader: [...READER, 'events:export', 'review:read', 'insight:read', 'staff:contact'],
  analyst: [...READER, 'events:export', 'review:read', 'insight:read'],
  dispatcher: [
    ...READER, 'events:report', 'events:transition', 'events:dispatch', 'events:locate', 'events:export', 'positions:write',
    'contact:read', 'staff:contact', 'notifications:read',
  ],
  planner: [...READER, 'plan:edit'],
  governor: HANDLER,
  supervisor: HANDLER,
  field: HANDLER,
  wall: READER,
  integration: [...READER, 'events:report', 'events:batch', 'events:transition', 'positions:write'],
};

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function isPermission(v: unknown): v is Permission {
  return typeof v === 'string' && (PERMISSIONS as readonly string[]).includes(v);
}

/** Whether `role` holds `permission`; anyone (also nobody signed in) holds 'public'. */
export function can(role: Role | null, permission: Permission): boolean {
  if (permission === 'public') return true;
  return role !== null && MATRIX[role].includes(permission);
}

/** Roles whose accounts must name a staff row (their writes are a person's). */
export const STAFF_ROLES: readonly Role[] = ['governor', 'supervisor', 'field'];
/** Roles that are bound to one subdistrict when their account names one. */
export const SCOPED_ROLES: readonly Role[] = ['dispatcher', 'governor', 'supervisor', 'field'];
