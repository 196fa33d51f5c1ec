/**
 * Named writes of the Open311 intake: requests awaiting location, their locating, and the details (media URL, the
 * address as written) kept beside a case. Statements are prepared once per connection; callers run them inside
 * their own transactions. No domain rules here.
 */
import type { Db } from '../database.ts';

export interface NewUnlocatedRequest {
  service_code: string;
  text: string;
  address_string: string | null;
  address_id: string | null;
  media_url: string | null;
  channel: string;
  reporter: string;
  email: string | null;
  phone: string | null;
  device_id: string | null;
  account_id: string | null;
  requested_at: number;
  idempotency_key: string | null;
}

/** A stored request awaiting location (or located: event_id set). */
export interface UnlocatedRow extends NewUnlocatedRequest {
  id: number;
  event_id: number | null;
  located_at: number | null;
}

export function open311Commands(db: Db) {
  const insertUnlocated = db.prepare<NewUnlocatedRequest>(
    `INSERT INTO unlocated_requests (service_code, text, address_string, address_id, media_url, channel, reporter, email, phone,
       device_id, account_id, requested_at, idempotency_key)
     VALUES (@service_code, @text, @address_string, @address_id, @media_url, @channel, @reporter, @email, @phone,
       @device_id, @account_id, @requested_at, @idempotency_key)`,
  );
  const byId = db.prepare<[number], UnlocatedRow>('SELECT * FROM unlocated_requests WHERE id = ?');
  const byKey = db.prepare<[string], UnlocatedRow>('SELECT * FROM unlocated_requests WHERE idempotency_key = ?');
  const markLocated = db.prepare<[number, number, number]>(
    'UPDATE unlocated_requests SET event_id = ?, located_at = ? WHERE id = ? AND event_id IS NULL',
  );
  const insertDetails = db.prepare<[number, string | null, string | null]>(
    'INSERT INTO request_details (event_id, media_url, address_string) VALUES (?, ?, ?)',
  );
  const insertContact = db.prepare<[number, string | null, string | null]>(
    'INSERT INTO event_contacts (event_id, email, phone) VALUES (?, ?, ?)',
  );
  return {
    insertUnlocated: (row: NewUnlocatedRequest): number => Number(insertUnlocated.run(row).lastInsertRowid),
    unlocated: (id: number): UnlocatedRow | undefined => byId.get(id),
    unlocatedByKey: (key: string): UnlocatedRow | undefined => byKey.get(key),
    /** Links a pending request to the case written for it; false when it was already located. */
    markLocated: (id: number, eventId: number, at: number): boolean => markLocated.run(eventId, at, id).changes === 1,
    insertDetails: (eventId: number, mediaUrl: string | null, addressString: string | null): void => {
      insertDetails.run(eventId, mediaUrl, addressString);
    },
    /** The resident's contact details of a case (personal data). */
    insertContact: (eventId: number, email: string | null, phone: string | null): void => {
      insertContact.run(eventId, email, phone);
    },
  };
}

export type Open311Commands = ReturnType<typeof open311Commands>;
