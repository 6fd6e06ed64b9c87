import { z } from 'zod';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import { eventDefinition } from '../../events/index.js';
import { upcast as catalogUpcast, type Upcast } from '../../migrations/upcasters/index.js';
import { type EventStore, InvalidEventError, type LogSubscription } from './event-store.js';

export interface EventCatalogOptions {
  /** The upcaster chain for old schema versions; the registered one by default (tests bring their own). */
  readonly upcast?: Upcast;
  /**
   * Parse every event read against its schema, also those already at the catalog's version. Off by default: such
   * an event was parsed on its way in (appendToStream below) and the log keeps the parsed form, so parsing it again
   * is an identity that costs a rebuild a third of its time. Turn it on when something else may write to the log.
   * Events that need upcasting are always parsed, and an unknown type or version is always refused.
   */
  readonly verifyReads?: boolean;
}

const schemaFailure = (what: string, error: z.ZodError): InvalidEventError =>
  new InvalidEventError(`${what} does not fit its schema:\n${z.prettifyError(error)}`, { cause: error });

/** Appends the parsed data: what the log keeps is the schema's canonical form (trimmed text, no stray keys). */
const validateNewEvent = (streamId: string, event: NewEvent): NewEvent => {
  const what = `event ${event.id} (${event.type}) for ${streamId}`;
  const definition = eventDefinition(event.type);
  if (!definition) throw new InvalidEventError(`${what} has a type that is not in the catalog`);
  if (event.metadata.schemaVersion !== definition.version) {
    throw new InvalidEventError(
      `${what} says schema version ${event.metadata.schemaVersion}, the catalog is at version ${definition.version}`,
    );
  }
  const parsed = definition.schema.safeParse(event.data);
  if (!parsed.success) throw schemaFailure(what, parsed.error);
  return { ...event, data: parsed.data };
};

/** What the domain reads is always the current version of the data, parsed; schemaVersion says so. */
const decodeRecordedEvent = (event: RecordedEvent, upcast: Upcast, verify: boolean): RecordedEvent => {
  const what = () => `event ${event.id} (${event.type}) at ${event.streamId}@${event.revision}`;
  const definition = eventDefinition(event.type);
  if (!definition) throw new InvalidEventError(`${what()} has a type that is not in the catalog`);
  if (!verify && event.metadata.schemaVersion === definition.version) return event;
  const { version, data } = upcast(event.type, event.metadata.schemaVersion, event.data);
  if (version !== definition.version) {
    throw new InvalidEventError(
      `${what()} is at schema version ${version} and no upcaster brings it to version ${definition.version}`,
    );
  }
  const parsed = definition.schema.safeParse(data);
  if (!parsed.success) throw schemaFailure(what(), parsed.error);
  return { ...event, data: parsed.data, metadata: { ...event.metadata, schemaVersion: version } };
};

const decodeSubscription = (inner: LogSubscription, decode: (event: RecordedEvent) => RecordedEvent) => {
  const events = inner[Symbol.asyncIterator]();
  const subscription: LogSubscription & AsyncIterableIterator<RecordedEvent> = {
    next: async () => {
      const result = await events.next();
      if (result.done) return result;
      try {
        return { done: false, value: decode(result.value) };
      } catch (error) {
        // for-await does not call return() when next() throws: stop reading here.
        await inner.close();
        throw error;
      }
    },
    return: async () => {
      await inner.close();
      return { done: true, value: undefined };
    },
    close: () => inner.close(),
    [Symbol.asyncIterator]: () => subscription,
  };
  return subscription;
};

/**
 * The store as the domain uses it: nothing enters the log that the catalog does not describe, and nothing comes out
 * of it that does not parse as the catalog's current version of its type.
 */
export const withEventCatalog = (
  store: EventStore,
  { upcast = catalogUpcast, verifyReads = false }: EventCatalogOptions = {},
): EventStore => {
  const decode = (event: RecordedEvent): RecordedEvent => decodeRecordedEvent(event, upcast, verifyReads);
  return {
    appendToStream: async (streamId, events, options) =>
      store.appendToStream(
        streamId,
        events.map((event) => validateNewEvent(streamId, event)),
        options,
      ),
    readStream: async (streamId, options) => (await store.readStream(streamId, options)).map(decode),
    readAll: async (options) => (await store.readAll(options)).map(decode),
    subscribeToAll: (options) => decodeSubscription(store.subscribeToAll(options), decode),
    headPosition: () => store.headPosition(),
    lastRecordedAt: () => store.lastRecordedAt(),
    appendedElsewhere: () => store.appendedElsewhere?.(),
    ...(store.inOneCommit && { inOneCommit: store.inOneCommit.bind(store) }),
    close: () => store.close(),
  };
};
