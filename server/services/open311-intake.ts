/**
 * Taking in Open311 requests. A request with a point becomes a case at once through the report service (locate,
 * classify, tier, due time, log row, live message), with its media URL and written address stored beside it in the
 * same transaction. A request with only an address is kept as a request awaiting location (the events table holds
 * only located cases); a dispatcher later gives it a point (`locate`), which writes the case through the same report
 * service and links the request to it — one transaction, so there is never a case without its link or a link
 * without its case.
 *
 * Refusals are domain errors (the report service's own pass through): an Idempotency-Key stored with another
 * request, no such request awaiting location, or one located already.
 */
import { open311Commands, type UnlocatedRow } from '../db/commands/open311.ts';
import { ALREADY_LOCATED, IDEMPOTENCY_CONFLICT, NOT_FOUND, refuse } from '../domain/refusal.ts';
import type { Channel } from '../domain/report-input.ts';
import type { ServiceContext } from './context.ts';
import type { ReportOutcome, ReportService } from './report.ts';

/** What a request without a point keeps until it is located by hand. */
export interface PendingRequest {
  serviceCode: string;
  text: string;
  addressString: string | null;
  addressId: string | null;
  mediaUrl: string | null;
  channel: Channel;
  reporter: string;
  email: string | null;
  phone: string | null;
  deviceId: string | null;
  accountId: string | null;
}

/** A located submission: the report service's body, and what is kept beside the case. */
export interface LocatedRequest {
  report: { category: string; text: string; lon: number; lat: number; channel: Channel; kind: 'demand'; priority: 'normal'; reporter: string };
  mediaUrl: string | null;
  addressString: string | null;
}

export interface SubmitOutcome {
  /** A case written at once, or a request awaiting location. */
  kind: 'case' | 'pending';
  id: number;
  replayed: boolean;
}

export interface LocateOutcome {
  eventId: number;
  report: ReportOutcome;
}

const keyConflict = (detail: string) => refuse(IDEMPOTENCY_CONFLICT, detail, { fields: [{ in: 'header', name: 'Idempotency-Key', detail }] });

function samePending(row: UnlocatedRow, p: PendingRequest): boolean {
  return (
    row.service_code === p.serviceCode && row.text === p.text && row.address_string === p.addressString &&
    row.address_id === p.addressId && row.media_url === p.mediaUrl && row.channel === p.channel && row.reporter === p.reporter
  );
}

import type { Caller } from '../domain/principal.ts';

export function createOpen311Intake(ctx: ServiceContext, reports: ReportService) {
  const { db } = ctx;
  const cmd = open311Commands(db);

  const submitCase = db.transaction((r: LocatedRequest, key: string | undefined, caller: Caller): SubmitOutcome => {
    if (key !== undefined) {
      const pending = cmd.unlocatedByKey(key);
      if (pending) throw keyConflict(`already used for request U${pending.id}, which has no point`);
    }
    const out = reports.report(r.report, key, caller);
    if (!out.replayed && (r.mediaUrl !== null || r.addressString !== null)) cmd.insertDetails(out.id, r.mediaUrl, r.addressString);
    return { kind: 'case', id: out.id, replayed: out.replayed };
  });

  const submitPending = db.transaction((p: PendingRequest, key: string | undefined, caller: Caller): SubmitOutcome => {
    if (key !== undefined) {
      const stored = cmd.unlocatedByKey(key);
      if (stored) {
        if (samePending(stored, p)) return { kind: 'pending', id: stored.id, replayed: true };
        throw keyConflict(`already used for a different request (U${stored.id})`);
      }
      const event = ctx.cmd.byIdempotencyKey(key);
      if (event) throw keyConflict(`already used for case ${event.id}`);
    }
    const id = cmd.insertUnlocated({
      service_code: p.serviceCode, text: p.text, address_string: p.addressString, address_id: p.addressId, media_url: p.mediaUrl,
      channel: p.channel, reporter: p.reporter, email: p.email, phone: p.phone, device_id: p.deviceId, account_id: p.accountId,
      requested_at: ctx.now(), idempotency_key: key ?? null,
    });
    ctx.audit.record(caller, { action: 'open311.request', target: `request:U${id}`, after: { serviceCode: p.serviceCode, channel: p.channel } });
    return { kind: 'pending', id, replayed: false };
  });

  const locateTx = db.transaction((id: number, lon: number, lat: number, caller: Caller): LocateOutcome => {
    const row = cmd.unlocated(id);
    if (!row) throw refuse(NOT_FOUND, `No request awaiting location ${id}`);
    if (row.event_id !== null) {
      throw refuse(ALREADY_LOCATED, `Request U${id} was already located as case ${row.event_id}`, { facts: { eventId: row.event_id } });
    }
    const report = reports.report(
      { category: row.service_code, text: row.text, lon, lat, channel: row.channel, kind: 'demand', priority: 'normal', reporter: row.reporter },
      undefined,
      caller,
    );
    if (row.media_url !== null || row.address_string !== null) cmd.insertDetails(report.id, row.media_url, row.address_string);
    if (!cmd.markLocated(id, report.id, ctx.now())) throw new Error(`request ${id} was located twice in one transaction`);
    ctx.audit.record(caller, { action: 'event.locate', target: `request:U${id}`, before: { eventId: null }, after: { eventId: report.id, lon, lat } });
    return { eventId: report.id, report };
  });

  return {
    /** A located request becomes a case; an address-only one waits to be located. Committed before it returns. */
    submit(s: { located: true; request: LocatedRequest } | { located: false; request: PendingRequest }, key: string | undefined, caller: Caller): SubmitOutcome {
      return s.located ? submitCase.immediate(s.request, key, caller) : submitPending.immediate(s.request, key, caller);
    },
    /**
     * Gives a request awaiting location its point: the case is reported through the report service (a point outside
     * the district is the report's own 422) and the request is marked located with the new case's id.
     */
    locate(id: number, point: { lon: number; lat: number }, caller: Caller): LocateOutcome {
      return locateTx.immediate(id, point.lon, point.lat, caller);
    },
  };
}

export type Open311Intake = ReturnType<typeof createOpen311Intake>;
