/**
 * Our model in Open311 GeoReport v2 terms. Pure: no database, no framework.
 *
 * - Service = a minor category: service_code is the 4-digit code, service_name its name (zh by default, en on
 *   request), group the major category's name, description the tier and deadline ("家事自办 · 4 工作小时"),
 *   keywords the classifier's synonyms; metadata false (no attributes), type realtime (a request is created, and its
 *   case id known, within the POST).
 * - Request = an event (case): service_request_id is the same integer id as /api/events/{id}, as a string.
 *   Status: open while the loop runs (reported … resolved: a resolved case awaits verification and is still open);
 *   closed once closed, evaluated or rejected. status_notes name the current step in Chinese ("已派遣至…",
 *   "处置中", "已结案", "已驳回：…" with the reason); agency_responsible the responsible unit (the block's team for
 *   家事自办, the subdistrict centre, or the department); service_notice the deadline; expected_datetime the due
 *   time; address the address as the reporter wrote it (when given), then block, community and subdistrict;
 *   media_url when the request came with one.
 * - A request awaiting location (an address without a point) is `U` + its number ("U12"): open, no point, no
 *   unit and no due time yet (both follow from the block it is located in); address and address_id as given.
 */
import { hasDeadline } from '../contract/deadline.ts';
import { FINISHED_STATUSES, isFinishedStatus, OPEN_STATUSES, type Status } from '../contract/statuses.ts';
import type { PendingRow, RequestRow } from '../db/queries/open311.ts';
import { TAXONOMY, type Category, type DeadlineUnit, type Tier } from '../contract/taxonomy.ts';
import rawKeywords from '../contract/category-keywords.json' with { type: 'json' };
import { toIso } from '../time.ts';

export type Locale = 'zh' | 'en';

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string;
  address_id?: string;
  lat: number | null;
  long: number | null;
  media_url?: string;
}

/** The service_request_id of a request awaiting location: 'U' + its number, apart from the cases' plain numbers. */
export const PENDING_PREFIX = 'U';
export const pendingRequestId = (id: number): string => `${PENDING_PREFIX}${id}`;

const TIER_LABEL: Record<Locale, Record<Tier, string>> = {
  zh: { block: '家事自办', centre: '小事共办', department: '大事公办' },
  en: { block: 'Handled by the block team', centre: 'Handled by a subdistrict centre', department: 'Handled by a city department' },
};

/** 4 working hours → '4 工作小时' / '4 working hours'. */
export function deadlineText(value: number, unit: DeadlineUnit, locale: Locale): string {
  if (locale === 'zh') return `${value} ${{ 'working-hours': '工作小时', 'working-days': '工作日', 'natural-hours': '小时' }[unit]}`;
  const one = value === 1;
  const word = { 'working-hours': one ? 'working hour' : 'working hours', 'working-days': one ? 'working day' : 'working days', 'natural-hours': one ? 'hour' : 'hours' }[unit];
  return `${value} ${word}`;
}

function unitTypeName(c: Category, locale: Locale): string | null {
  if (c.tier === 'block') return null;
  const u = [...TAXONOMY.centres, ...TAXONOMY.departments].find((x) => x.key === c.unitKey);
  return u ? (locale === 'zh' ? u.name : u.nameEn) : null;
}

const KEYWORDS = (rawKeywords as { keywords: Record<string, readonly string[]> }).keywords;

export function toService(c: Category, locale: Locale): Open311Service {
  const unit = unitTypeName(c, locale);
  return {
    service_code: c.code,
    service_name: locale === 'zh' ? c.name : c.nameEn,
    description: [TIER_LABEL[locale][c.tier], unit, deadlineText(c.deadline.value, c.deadline.unit, locale)].filter(Boolean).join(' · '),
    metadata: false,
    type: 'realtime',
    keywords: [c.name, ...(KEYWORDS[c.code] ?? [])].join(','),
    group: locale === 'zh' ? c.majorName : c.majorNameEn,
  };
}

/** Every minor category, ordered by code. */
export function servicesList(locale: Locale): Open311Service[] {
  return TAXONOMY.categories.map((c) => toService(c, locale));
}

/** The service definition: no extra attributes (metadata is false for every service). */
export function serviceDefinition(c: Category): { service_code: string; attributes: [] } {
  return { service_code: c.code, attributes: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

/** Statuses Open311 calls closed: the finished ones; every other status (resolved included) is open. */
export const CLOSED_STATUSES: readonly Status[] = FINISHED_STATUSES;
export const OPEN_311_STATUSES: readonly Status[] = OPEN_STATUSES;

export function open311Status(s: string): 'open' | 'closed' {
  return isFinishedStatus(s) ? 'closed' : 'open';
}

/** One event with what its Open311 view needs (joined names, the latest log time, the reject note). */

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** 'YYYY-MM-DD HH:mm' in Asia/Shanghai. */
const localMinute = (ms: number) => toIso(ms).slice(0, 16).replace('T', ' ');

export function agencyResponsible(r: RequestRow, locale: Locale): string {
  if (r.unit_name !== null) return locale === 'zh' ? r.unit_name : (r.unit_name_en ?? r.unit_name);
  const block = r.block_name ?? r.block_code;
  return locale === 'zh' ? `${block}治理团队` : `Block team of ${block}`;
}

/** '已驳回：无效：不属于受理范围' from the log note '无效：不属于受理范围' or '不予立案（无效）：…'. */
function rejectReason(note: string | null): string {
  if (!note) return '';
  const m = /^不予立案（([^）]+)）(?:[：:]\s*(.*))?$/.exec(note);
  if (m) return m[2] ? `${m[1]}：${m[2]}` : m[1];
  return note;
}

export function statusNotes(r: RequestRow, locale: Locale): string {
  const agency = agencyResponsible(r, locale);
  const zh = locale === 'zh';
  switch (r.status) {
    case 'reported':
      return zh ? '已受理，待立案' : 'Received, awaiting filing';
    case 'filed':
      return zh ? '已立案，待派遣' : 'Filed, awaiting dispatch';
    case 'dispatched':
      return zh
        ? `已派遣至${agency}${r.assignee_name ? `，由${r.assignee_name}处置` : ''}`
        : `Dispatched to ${agency}${r.assignee_name ? ` (${r.assignee_name})` : ''}`;
    case 'accepted':
      return zh ? '处置中（已接单）' : 'In progress (accepted)';
    case 'arrived':
      return zh ? '处置中（已到场）' : 'In progress (on site)';
    case 'resolved':
      return zh ? '已处置，待核查结案' : 'Resolved, awaiting verification';
    case 'closed':
      return zh ? '已结案' : 'Closed';
    case 'evaluated':
      return zh
        ? `已结案，已评价${r.satisfaction !== null ? `（满意度 ${r.satisfaction}/5）` : ''}`
        : `Closed and evaluated${r.satisfaction !== null ? ` (satisfaction ${r.satisfaction}/5)` : ''}`;
    case 'rejected': {
      const reason = rejectReason(r.reject_note);
      return zh ? `已驳回${reason ? `：${reason}` : ''}` : `Rejected${reason ? `: ${reason}` : ''}`;
    }
    case 'suspended':
      return zh ? '挂账缓办中，待复核' : 'Suspended, awaiting review';
    case 'voided':
      return zh ? '已作废' : 'Voided';
  }
}

/** The deadline as a notice: '处置时限 4 工作小时，应于 2026-11-25 14:30 前办结'. */
export function serviceNotice(category: Category | undefined, dueAt: number, locale: Locale): string {
  const due = localMinute(dueAt);
  if (locale === 'zh') return category ? `处置时限 ${deadlineText(category.deadline.value, category.deadline.unit, 'zh')}，应于 ${due} 前办结` : `应于 ${due} 前办结`;
  return category ? `Deadline ${deadlineText(category.deadline.value, category.deadline.unit, 'en')}: due by ${due} (UTC+8)` : `Due by ${due} (UTC+8)`;
}

export function address(r: RequestRow, locale: Locale): string {
  const zh = locale === 'zh';
  const parts = [
    r.address_string, r.block_name ?? r.block_code, zh ? r.community_name : (r.community_name_en ?? r.community_name),
    zh ? r.subdistrict_name : (r.subdistrict_name_en ?? r.subdistrict_name),
  ];
  return parts.filter((p): p is string => !!p).join(zh ? '，' : ', ');
}

export function toRequest(r: RequestRow, locale: Locale): Open311Request {
  const category = TAXONOMY.byCode.get(r.category_code);
  const request: Open311Request = {
    service_request_id: String(r.id),
    status: open311Status(r.status),
    status_notes: statusNotes(r, locale),
    service_name: locale === 'zh' ? r.category_name : r.category_name_en,
    service_code: r.category_code,
    description: r.text,
    agency_responsible: agencyResponsible(r, locale),
    service_notice: hasDeadline(r.due_at) ? serviceNotice(category, r.due_at, locale) : '',
    requested_datetime: toIso(r.reported_at),
    updated_datetime: toIso(r.updated_at ?? r.reported_at),
    expected_datetime: hasDeadline(r.due_at) ? toIso(r.due_at) : null,
    address: address(r, locale),
    lat: round6(r.lat),
    long: round6(r.lon),
  };
  if (r.media_url !== null) request.media_url = r.media_url;
  return request;
}

/** The notice of a request awaiting location: what happens next, and the deadline that will then apply. */
export function pendingNotice(category: Category | undefined, locale: Locale): string {
  if (locale === 'zh') {
    return `地址待人工定位；定位后立案派遣${category ? `，处置时限 ${deadlineText(category.deadline.value, category.deadline.unit, 'zh')}` : ''}`;
  }
  return `The address is being located by hand; the case is then filed and dispatched${category ? ` (deadline ${deadlineText(category.deadline.value, category.deadline.unit, 'en')})` : ''}`;
}

/** A request awaiting location, as Open311 shows it. */
export function toPendingRequest(r: PendingRow, locale: Locale): Open311Request {
  const category = TAXONOMY.byCode.get(r.service_code);
  const request: Open311Request = {
    service_request_id: pendingRequestId(r.id),
    status: 'open',
    status_notes: locale === 'zh' ? '已受理，地址待人工定位' : 'Received; the address is being located by hand',
    service_name: locale === 'zh' ? r.category_name : r.category_name_en,
    service_code: r.service_code,
    description: r.text,
    agency_responsible: null,
    service_notice: pendingNotice(category, locale),
    requested_datetime: toIso(r.requested_at),
    updated_datetime: toIso(r.requested_at),
    expected_datetime: null,
    address: r.address_string ?? r.address_id ?? '',
    ...(r.address_id !== null ? { address_id: r.address_id } : {}),
    lat: null,
    long: null,
  };
  if (r.media_url !== null) request.media_url = r.media_url;
  return request;
}
