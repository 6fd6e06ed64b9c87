import type { KeyRing, Principal } from '../auth/api-keys.js';
import type { CommandBus } from '../application/commands/index.js';
import type { CommandMeta } from '../application/command-context.js';
import type { Projector } from '../projections/projector.js';
import type { ReadModelReader } from '../read-store/read-model-store.js';
import type { EventStore } from '../store/event-store.js';
import type { Loaders } from './loaders.js';

/** What the server gives every request. */
export interface AppServices {
  readonly store: EventStore;
  readonly projector: Projector;
  /** The read models, through this process's cache: what every question reads. */
  readonly reads: ReadModelReader;
  readonly commands: CommandBus;
}

export interface LiveSettings {
  /** How many changes a subscriber may fall behind before it is closed as too slow. */
  readonly bufferLimit: number;
  /** How many subscriptions are open on this process. */
  readonly openSubscriptions: () => number;
}

export interface GraphQLContext extends AppServices {
  readonly live: LiveSettings;
  readonly principal: Principal;
  /** The keys this server knows (names and roles), for the admin operations. */
  readonly keyRing: KeyRing;
  /** TIMELINE_ROLE of this process. */
  readonly serverRole: string;
  readonly correlationId: string;
  /** The request's "now": one instant for every default asOf/knownAt of the request. */
  readonly now: Date;
  readonly loaders: Loaders;
}

export const commandMeta = (context: GraphQLContext): CommandMeta => ({
  keyName: 'keyName' in context.principal ? context.principal.keyName : 'anonymous',
  correlationId: context.correlationId,
});
