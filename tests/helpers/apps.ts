/**
 * The app behind the API tests, made the two ways the files need it: over the small hand-built fixture database
 * (tests/api/fixture.ts) or over a private copy of the seeded Yuhu database. Call from beforeAll; the caller closes
 * the database in afterAll.
 */
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { createFixture, NOW, type Fixture } from '../api/fixture.ts';
import { blockPlaces, seededCopy, type BlockPlace } from './seeded.ts';
import { signedIn, type Requester, type Who } from './signed-in.ts';

export type App = ReturnType<typeof createApp>;

/** The fixture database and the app over it, at the fixture's fixed time unless a clock is given. */
export function fixtureApp(now: () => number = () => NOW): { fx: Fixture; app: App; as: (who: Who) => Requester } {
  const fx = createFixture();
  const app = createApp({ db: fx.db, now });
  return { fx, app, as: (who) => signedIn({ app, db: fx.db }, who) };
}

export interface SeededApp {
  db: Db;
  app: App;
  /** One building point per block of the boundary version in force. */
  places: BlockPlace[];
  /** The next place, `stride` blocks on from the last, so successive reports land in different blocks. */
  place: () => BlockPlace;
  /** Requests as a role or a staff member (tests/helpers/signed-in.ts). */
  as: (who: Who) => Requester;
}

/** A writable copy of the seeded database (named after `prefix`) and the app over it. */
export function seededApp(prefix: string, now: () => number, stride = 7): SeededApp {
  const db = openDatabase(seededCopy(prefix));
  const places = blockPlaces(db);
  let next = 0;
  const app = createApp({ db, now });
  return { db, app, places, place: () => places[(next += stride) % places.length], as: (who) => signedIn({ app, db }, who) };
}
