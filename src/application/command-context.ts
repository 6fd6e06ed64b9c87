import { randomUUID } from 'node:crypto';
import { eventDefinition, type EventType, type LogPosition, type NewTimelineEvent } from '../../events/index.js';
import type { EventStore } from '../store/event-store.js';
import type { DecidedEvent } from './decider.js';
import type { FirstEventCache } from './first-events.js';

/** Who is writing, and which request the write belongs to. */
export interface CommandMeta {
  /** The name of the API key or tool (never the key itself). */
  readonly keyName: string;
  readonly correlationId?: string;
  /**
   * Transaction time from the source, for trusted bulk writers only (import, seed, restore; never a GraphQL
   * client): the store appends at this recordedAt, or refuses when the log's last one is later. Absent: the
   * store's clock.
   */
  readonly recordedAt?: Date;
  /**
   * A restore of a dump only: the id and causation id the event had in the dumped log, so that the restored log
   * holds the very same event. Every command appends one event at most, so it names that one.
   */
  readonly restoredEvent?: { readonly id: string; readonly causationId: string };
}

export interface CommandDeps {
  readonly store: EventStore;
  readonly firstEvents: FirstEventCache;
}

/** What every command answers: the entity written, and the log position a reader must reach to see it. */
export interface CommandResult {
  readonly id: string;
  /** The position of the last event of the entity's stream after the command (null: nothing in the log). */
  readonly position: LogPosition | null;
  /** How many events this call appended (0 for an idempotent repeat). */
  readonly appended: number;
}

/** One invocation of a command: it causes the events it appends and shares the request's correlation id. */
export const startCommand = (meta: CommandMeta) => {
  const commandId = meta.restoredEvent?.causationId ?? randomUUID();
  const metadataFor = (type: EventType) => ({
    keyName: meta.keyName,
    correlationId: meta.correlationId ?? commandId,
    causationId: commandId,
    schemaVersion: eventDefinition(type)!.version,
  });
  return {
    event: ({ type, data }: DecidedEvent): NewTimelineEvent =>
      ({ id: meta.restoredEvent?.id ?? randomUUID(), type, data, metadata: metadataFor(type) }) as NewTimelineEvent,
  };
};

/**
 * Runs a bulk writer's commands (import, bench, seed) so that their appends commit together where the store can:
 * one commit per batch instead of one per command. Each command still succeeds or fails on its own.
 */
export const inOneCommit = async <T>({ store, firstEvents }: CommandDeps, work: () => Promise<T>): Promise<T> => {
  if (!store.inOneCommit) return work();
  try {
    return await store.inOneCommit(work);
  } catch (error) {
    firstEvents.forgetAll();
    throw error;
  }
};
