/**
 * POST /api/staff/:id/position: the position, its live message and its audit row in one transaction.
 */
import type { Db } from '../db/database.ts';
import type { Caller } from '../domain/principal.ts';
import { recordStaffPosition, type PositionResult } from '../live/positions.ts';
import type { Audit } from './audit.ts';

export function createPositionService(db: Db, audit: Audit) {
  const tx = db.transaction((caller: Caller, staffId: number, lon: number, lat: number, at: number): PositionResult => {
    const result = recordStaffPosition(db, staffId, lon, lat, at);
    if (result.ok) audit.record(caller, { action: 'staff.position', target: `staff:${staffId}`, after: { lon, lat, at } });
    return result;
  });
  return {
    record: (caller: Caller, staffId: number, lon: number, lat: number, at: number): PositionResult => tx.immediate(caller, staffId, lon, lat, at),
  };
}

export type PositionService = ReturnType<typeof createPositionService>;
