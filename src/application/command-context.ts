import { randomUUID } from 'node:crypto';
import {
  eventDefinition,
  type EventDataMap,
  type EventType,
  type LogPosition,
  type NewEvent,
} from '../../events/index.js';
import { WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '../store/event-store.js';
import { conflict } from './errors.js';
import type { FirstEventCache } from './first-events.js';

/** Who is writing, and which request the write belongs to. */
export interface CommandMeta {
  /** The name of the API key or tool (never the key itself). */
  readonly keyName: string;
  readonly correlationId?: string;
}

export interface CommandDeps {
  readonly store: EventStore;
  readonly firstEvents: FirstEventCache;
}

/** What every handler answers: the entity written, and the log position a reader must reach to see it. */
export interface CommandResult {
  readonly id: string;
  /** The position of the last event of the entity's stream after the command (null: nothing in the log). */
  readonly position: LogPosition | null;
  /** How many events this call appended (0 for an idempotent repeat). */
  readonly appended: number;
}

/** One invocation of a command: it causes the events it appends and shares the request's correlation id. */
export const startCommand = (meta: CommandMeta) => {
  const commandId = randomUUID();
  const metadataFor = (type: EventType) => ({
    keyName: meta.keyName,
    correlationId: meta.correlationId ?? commandId,
    causationId: commandId,
    schemaVersion: eventDefinition(type)!.version,
  });
  return {
    event: <T extends EventType>(type: T, data: EventDataMap[T]): NewEvent<T, EventDataMap[T]> => ({
      id: randomUUID(),
      type,
      data,
      metadata: metadataFor(type),
    }),
  };
};

/**
 * Appends at the revision the client said it saw: a mismatch is the contract's CONFLICT, on the field that
 * carried the expectation.
 */
export const appendAtClientRevision = async (
  store: EventStore,
  streamId: string,
  events: readonly NewEvent[],
  expectedRevision: number,
): Promise<{ revision: number; position: LogPosition }> => {
  try {
    const result = await store.appendToStream(streamId, events, { expectedRevision });
    return { revision: result.nextExpectedRevision, position: result.position };
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) {
      throw conflict(
        `${streamId} changed meanwhile: expected revision ${expectedRevision}`,
        ['input', 'expectedRevision'],
        {
          expectedRevision,
          actualRevision: error.actual,
        },
      );
    }
    throw error;
  }
};

/**
 * Appends at the revision the handler itself read. Losing a race there is no client's mistake: the caller decides
 * again on the new state (see decideAgainOnRace).
 */
export const appendAtReadRevision = async (
  store: EventStore,
  streamId: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): Promise<{ revision: number; position: LogPosition }> => {
  const result = await store.appendToStream(streamId, events, { expectedRevision });
  return { revision: result.nextExpectedRevision, position: result.position };
};

const RACE_ATTEMPTS = 5;

/**
 * Runs a read-decide-append body again when another writer appended to the same stream in between, so that two
 * honest concurrent calls both succeed (or the second sees the first and answers as a repeat).
 */
export const decideAgainOnRace = async <T>(body: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await body();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt >= RACE_ATTEMPTS) {
        throw conflict(`${error.streamId} is being changed by other writers; try again`, undefined, {
          actualRevision: error.actual,
        });
      }
    }
  }
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

/** The last position of a stream as read, for an idempotent repeat that appends nothing. */
export const lastPosition = (events: readonly { position: LogPosition }[]): LogPosition | null =>
  events.at(-1)?.position ?? null;
