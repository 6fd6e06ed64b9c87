import path from 'node:path';
import { withEventCatalog } from './catalog-store.js';
import type { EventStore } from './event-store.js';
import { DATABASE_FILE, openSqliteEventStore } from './sqlite/sqlite-event-store.js';

/**
 * Where the configuration puts the log (the `store` and `dataDir` of src/config's Config, which fits this shape):
 * the embedded SQLite file in the data directory, or a KurrentDB server.
 */
export interface LogLocation {
  readonly store: { readonly kind: 'sqlite' } | { readonly kind: 'kurrentdb'; readonly url: string };
  readonly dataDir: string;
}

/** The embedded log's file in a data directory. */
export const sqliteLogFile = (dataDir: string): string => path.join(dataDir, DATABASE_FILE);

/** A connection string as a message may show it: the password, if any, left out. */
const withoutPassword = (url: string): string => url.replace(/^([^:/]+:\/\/[^:@/]*):[^@/]*@/, '$1:***@');

/** What messages call the log: "the event log /srv/data/timeline.db" or "KurrentDB at kurrentdb://…". */
export const describeLog = (location: LogLocation): string =>
  location.store.kind === 'kurrentdb'
    ? `KurrentDB at ${withoutPassword(location.store.url)}`
    : `the event log ${sqliteLogFile(location.dataDir)}`;

/**
 * The log the configuration names, with the event catalog on top (decoding, upcasting, the check on append): the
 * one way the server, the command line and the benches open it, so that TIMELINE_STORE means the same to all. The
 * KurrentDB adapter is loaded only where it is configured: its client (gRPC and its protobufs) took about 0.3 s of
 * every start on the embedded default, a tenth of the time to ready. Opening KurrentDB makes no call yet: a server
 * that does not answer shows on the first read or append, as StoreUnavailableError within the adapter's bound.
 */
export const openConfiguredStore = async (
  location: LogLocation,
  { verifyReads = false }: { readonly verifyReads?: boolean } = {},
): Promise<EventStore> => {
  if (location.store.kind !== 'kurrentdb') {
    return withEventCatalog(openSqliteEventStore({ file: sqliteLogFile(location.dataDir) }), { verifyReads });
  }
  const { openKurrentDbEventStore } = await import('./kurrentdb/kurrentdb-event-store.js');
  return withEventCatalog(openKurrentDbEventStore({ url: location.store.url }), { verifyReads });
};
