import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { onTimeSql } from '../../server/db/queries/on-time-sql.ts';
import {
  closedOnTime, handlingOnTime, NO_DEADLINE, onTimeClosure, verificationOnTime, verifyDueAt, type CaseClock,
} from '../../server/domain/on-time.ts';
import { WEEKDAY_CALENDAR } from '../../server/domain/working-time.ts';

const H = 3_600_000;
const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const DUE = NOW - 10 * H; // every case below is due ten hours before "now" unless it says otherwise

/** A hand-built set: each case with the three answers worked out by hand (handling, verification, closed on time). */
const CASES: { name: string; c: CaseClock; handled: boolean | null; verified: boolean | null; closed: boolean | null }[] = [
  { name: 'resolved and closed inside both limits',
    c: { status: 'closed', due_at: DUE, resolved_at: DUE - H, closed_at: DUE, verify_due_at: DUE + 6 * H },
    handled: true, verified: true, closed: true },
  { name: 'evaluated after an on-time closure',
    c: { status: 'evaluated', due_at: DUE, resolved_at: DUE - 2 * H, closed_at: DUE - H, verify_due_at: DUE + 4 * H },
    handled: true, verified: true, closed: true },
  { name: 'resolved late, verified at once: the handler was late',
    c: { status: 'closed', due_at: DUE, resolved_at: DUE + H, closed_at: DUE + 2 * H, verify_due_at: DUE + 8 * H },
    handled: false, verified: true, closed: false },
  { name: 'resolved on time, verified late: the verifier was late, not the handler',
    c: { status: 'closed', due_at: DUE, resolved_at: DUE - H, closed_at: DUE + 9 * H, verify_due_at: DUE + 5 * H },
    handled: true, verified: false, closed: false },
  { name: 'resolved on time, verification still inside its window: undecided',
    c: { status: 'resolved', due_at: DUE, resolved_at: DUE - H, closed_at: null, verify_due_at: NOW + 5 * H },
    handled: true, verified: null, closed: null },
  { name: 'resolved on time, verification window passed, not closed',
    c: { status: 'resolved', due_at: DUE, resolved_at: DUE - H, closed_at: null, verify_due_at: NOW - H },
    handled: true, verified: false, closed: false },
  { name: 'open past its due time: late even though nothing is closed',
    c: { status: 'accepted', due_at: DUE, resolved_at: null, closed_at: null, verify_due_at: null },
    handled: false, verified: null, closed: false },
  { name: 'open and not yet due: undecided',
    c: { status: 'dispatched', due_at: NOW + 2 * H, resolved_at: null, closed_at: null, verify_due_at: null },
    handled: null, verified: null, closed: null },
  { name: 'closed early, due later today: decided on time',
    c: { status: 'closed', due_at: NOW + 3 * H, resolved_at: NOW - 3 * H, closed_at: NOW - 2 * H, verify_due_at: NOW + 3 * H },
    handled: true, verified: true, closed: true },
  { name: 'imported without a deadline, closed: never decided',
    c: { status: 'closed', due_at: NO_DEADLINE, resolved_at: DUE, closed_at: DUE, verify_due_at: DUE + 6 * H },
    handled: null, verified: true, closed: null },
  { name: 'imported without a deadline, still open long after: never late',
    c: { status: 'dispatched', due_at: NO_DEADLINE, resolved_at: null, closed_at: null, verify_due_at: null },
    handled: null, verified: null, closed: null },
  { name: 'voided after filing: not a case',
    c: { status: 'voided', due_at: DUE, resolved_at: null, closed_at: null, verify_due_at: null },
    handled: false, verified: null, closed: null },
  { name: 'suspended past its (old) due time: the clock is stopped, undecided',
    c: { status: 'suspended', due_at: DUE, resolved_at: null, closed_at: null, verify_due_at: null },
    handled: null, verified: null, closed: null },
  { name: 'rejected report: not a case',
    c: { status: 'rejected', due_at: DUE, resolved_at: null, closed_at: null, verify_due_at: null },
    handled: false, verified: null, closed: null },
];

describe('on time, defined once', () => {
  it.each(CASES)('$name', ({ c, handled, verified, closed }) => {
    expect(handlingOnTime(c, NOW)).toBe(handled);
    expect(verificationOnTime(c, NOW)).toBe(verified);
    expect(closedOnTime(c, NOW)).toBe(closed);
  });

  it('按期结案率 counts the cases due in the period whose outcome is known, open overdue ones as late', () => {
    const all = CASES.map((x) => x.c);
    // Due in [DUE, DUE + 1 h): every case but 7 and 8 (due later); 9 is voided, 11 rejected, 10 suspended and 4
    // inside its verification window, all undecided.
    const t = onTimeClosure(all, DUE, DUE + H, NOW);
    // Decided: 0 (on time), 1 (on time), 2 (late), 3 (late), 5 (late), 6 (late); 4 is inside its window.
    expect(t).toEqual({ decided: 6, onTime: 2, late: 4, rate: 2 / 6 });
    expect(onTimeClosure([], 0, 1, NOW).rate).toBeNull();
  });

  it('the verification window is one working day from resolution', () => {
    // Friday 16:00 + one working day (6.5 h) on the weekday calendar → Monday 16:00.
    const friday = Date.parse('2026-11-20T16:00:00+08:00');
    expect(verifyDueAt(friday, WEEKDAY_CALENDAR)).toBe(Date.parse('2026-11-23T16:00:00+08:00'));
  });

  it('the SQL spelling gives the same answers as the pure functions, case by case', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, status TEXT, due_at INTEGER, resolved_at INTEGER,
                                  closed_at INTEGER, verify_due_at INTEGER)`);
    const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)');
    CASES.forEach(({ c }, i) => insert.run(i, c.status, c.due_at, c.resolved_at, c.closed_at, c.verify_due_at));
    const r = onTimeSql('e', '@now');
    const rows = db.prepare(
      `SELECT id, ${r.closedOnTime} AS onTime, ${r.closedLate} AS late, ${r.decided} AS decided,
              ${r.handlingLate} AS hLate, ${r.verificationLate} AS vLate FROM events e ORDER BY id`,
    ).all({ now: NOW }) as { id: number; onTime: number; late: number; decided: number; hLate: number; vLate: number }[];
    for (const row of rows) {
      const { c, name } = CASES[row.id];
      const closed = closedOnTime(c, NOW);
      expect({ name, onTime: !!row.onTime, late: !!row.late, decided: !!row.decided }).toEqual({
        name, onTime: closed === true, late: closed === false, decided: closed !== null,
      });
      if (c.status !== 'rejected') {
        expect({ name, hLate: !!row.hLate }).toEqual({ name, hLate: handlingOnTime(c, NOW) === false });
        expect({ name, vLate: !!row.vLate }).toEqual({ name, vLate: verificationOnTime(c, NOW) === false });
      }
    }
    db.close();
  });
});
