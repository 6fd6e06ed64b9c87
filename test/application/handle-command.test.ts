import { describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../events/index.js';
import type { CommandDeps } from '../../src/application/command-context.js';
import type { DecidedEvent } from '../../src/application/decider.js';
import { assignRoleDecider, parseAssignRole } from '../../src/application/commands/assign-role.js';
import { parseRegisterActor, registerActorDecider } from '../../src/application/commands/register-actor.js';
import {
  parseRetractDevelopment,
  retractDevelopmentDecider,
} from '../../src/application/commands/retract-development.js';
import { createFirstEventCache } from '../../src/application/first-events.js';
import { handleCommand } from '../../src/application/handle-command.js';
import { WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '../../src/store/event-store.js';
import { TimelineError } from '../../src/application/errors.js';

/** A development another writer recorded: the stream the client-revision tests write to. */
const DEV_1_RECORDED: DecidedEvent = {
  type: 'DevelopmentRecorded',
  data: {
    id: 'dev-1',
    kind: 'STATEMENT',
    title: 'T',
    occurredAt: '2025-01-01T00:00:00.000Z',
    precision: 'DAY',
    participants: [],
    topicIds: [],
    quotes: [],
    sources: [],
    positions: [],
  },
};

/**
 * The runner's own duties, on a log held in a Map: what it appends and answers, where it appends, and what it does
 * when another writer got there first. The rules themselves are the deciders' (see the *-deciders tests).
 */

interface MapLog {
  readonly store: EventStore;
  readonly streams: Map<string, RecordedEvent[]>;
  /** How often each stream was read whole (key: the stream) and for its first event (key: `<stream>:first`). */
  readonly reads: Map<string, number>;
  /** Runs before each of the runner's appends: another writer slipping in between its read and its append. */
  beforeAppend?: () => void;
  /** Appends as another writer does, whatever the stream holds. */
  appendAsOther(streamId: string, events: readonly DecidedEvent[]): void;
}

const OTHER_WRITER = { keyName: 'other', correlationId: 'other', causationId: 'other', schemaVersion: 1 };

const openMapLog = (): MapLog => {
  let commit = 0n;
  const streams = new Map<string, RecordedEvent[]>();
  const reads = new Map<string, number>();
  const log: MapLog = {
    streams,
    reads,
    store: undefined as unknown as EventStore,
    appendAsOther: (streamId, events) => {
      append(
        streamId,
        events.map((event, i) => ({ ...event, id: `other-${commit}-${i}`, metadata: OTHER_WRITER })),
        'any',
      );
    },
  };
  const append = (
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision | undefined,
    recordedAt = new Date(),
  ) => {
    const stream = streams.get(streamId) ?? [];
    const actual = stream.length === 0 ? 'no_stream' : stream.length - 1;
    if (expected !== undefined && expected !== 'any' && expected !== actual) {
      throw new WrongExpectedRevisionError(streamId, expected, actual);
    }
    for (const event of events) {
      commit += 1n;
      stream.push({
        ...event,
        streamId,
        revision: stream.length,
        position: { commit, prepare: commit },
        recordedAt,
      });
    }
    streams.set(streamId, stream);
    return { nextExpectedRevision: stream.length - 1, position: stream.at(-1)!.position };
  };
  const store: Partial<EventStore> = {
    readStream: async (streamId, options) => {
      const key = options?.maxCount === 1 ? `${streamId}:first` : streamId;
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return (streams.get(streamId) ?? []).slice(0, options?.maxCount);
    },
    appendToStream: async (streamId, events, options) => {
      log.beforeAppend?.();
      return append(streamId, events, options?.expectedRevision, options?.recordedAt);
    },
  };
  return Object.assign(log, { store: store as EventStore });
};

const depsOf = (log: MapLog): CommandDeps => ({ store: log.store, firstEvents: createFirstEventCache() });

const rejectionOf = async (running: Promise<unknown>): Promise<TimelineError> => {
  try {
    await running;
  } catch (error) {
    expect(error, 'a refusal is a TimelineError').toBeInstanceOf(TimelineError);
    return error as TimelineError;
  }
  throw new Error('the command should have been refused');
};

const xavier = { id: 'xavier', name: 'Xavier', kind: 'PERSON' };
const registration = parseRegisterActor(xavier);
const META = { keyName: 'test-editor' };
const ALICE: DecidedEvent = {
  type: 'ActorRegistered',
  data: { id: 'alice', name: 'Alice', kind: 'PERSON', aliases: [] },
};

describe('handleCommand', () => {
  it('appends what the decider decided, each event caused by the command, and answers its position', async () => {
    const log = openMapLog();
    const result = await handleCommand(depsOf(log), registerActorDecider, registration, {
      keyName: 'importer',
      correlationId: 'request-7',
    });
    const [event] = log.streams.get('actor-xavier')!;
    expect(event).toMatchObject({ type: 'ActorRegistered', data: registration, revision: 0 });
    expect(event!.metadata).toMatchObject({ keyName: 'importer', correlationId: 'request-7', schemaVersion: 1 });
    expect(event!.metadata.causationId).not.toBe('request-7');
    expect(result).toEqual({ id: 'xavier', position: event!.position, appended: 1 });
  });

  it("carries a bulk writer's recordedAt and a restored event's ids to the append, at either revision", async () => {
    const log = openMapLog();
    const recordedAt = new Date('2015-02-18T23:00:00.000Z');
    await handleCommand(depsOf(log), registerActorDecider, registration, {
      keyName: 'restorer',
      correlationId: 'dump:2',
      recordedAt,
      restoredEvent: { id: 'event-1', causationId: 'command-1' },
    });
    const [event] = log.streams.get('actor-xavier')!;
    expect(event).toMatchObject({ id: 'event-1', recordedAt });
    expect(event!.metadata).toMatchObject({ keyName: 'restorer', correlationId: 'dump:2', causationId: 'command-1' });

    log.appendAsOther('development-dev-1', [DEV_1_RECORDED]);
    const retraction = parseRetractDevelopment({ id: 'dev-1', expectedRevision: 0, reason: 'fake' });
    const later = new Date('2015-02-19T00:00:00.000Z');
    await handleCommand(depsOf(log), retractDevelopmentDecider, retraction, { keyName: 'restorer', recordedAt: later });
    expect(log.streams.get('development-dev-1')!.at(-1)).toMatchObject({
      type: 'DevelopmentRetracted',
      recordedAt: later,
    });
  });

  it('answers a repeat with the position of the stream as read, appending nothing', async () => {
    const log = openMapLog();
    await handleCommand(depsOf(log), registerActorDecider, registration, META);
    log.appendAsOther('actor-xavier', [
      { type: 'ActorRoleAssigned', data: { actorId: 'xavier', title: 'Envoy', since: '2025-01-01T00:00:00.000Z' } },
    ]);
    let appends = 0;
    log.beforeAppend = () => appends++;
    const result = await handleCommand(depsOf(log), registerActorDecider, registration, META);
    expect(result).toEqual({ id: 'xavier', position: log.streams.get('actor-xavier')![1]!.position, appended: 0 });
    expect(appends).toBe(0);
  });

  it('decides again when another writer appended meanwhile: the same registration becomes a repeat', async () => {
    const log = openMapLog();
    log.beforeAppend = () => {
      log.beforeAppend = undefined;
      log.appendAsOther('actor-xavier', [{ type: 'ActorRegistered', data: registration }]);
    };
    const result = await handleCommand(depsOf(log), registerActorDecider, registration, META);
    expect(result.appended).toBe(0);
    expect(log.streams.get('actor-xavier')).toHaveLength(1);
    expect(log.reads.get('actor-xavier')).toBe(2);
  });

  it('decides again on a race and appends after the other writer: two different roles are both kept', async () => {
    const log = openMapLog();
    log.appendAsOther('actor-alice', [ALICE]);
    const chair = { actorId: 'alice', title: 'Chair', since: '2025-01-01T00:00:00.000Z' };
    log.beforeAppend = () => {
      log.beforeAppend = undefined;
      log.appendAsOther('actor-alice', [{ type: 'ActorRoleAssigned', data: chair }]);
    };
    const role = parseAssignRole({ actorId: 'alice', title: 'President', since: '2025-01-20T00:00:00Z' });
    const result = await handleCommand(depsOf(log), assignRoleDecider, role, META);
    expect(result.appended).toBe(1);
    expect(log.streams.get('actor-alice')!.map((event) => event.data)).toEqual([ALICE.data, chair, role]);
  });

  it('gives up after five lost races with a CONFLICT that asks to try again', async () => {
    const log = openMapLog();
    log.appendAsOther('actor-alice', [ALICE]);
    log.beforeAppend = () =>
      log.appendAsOther('actor-alice', [
        { type: 'ActorRoleAssigned', data: { actorId: 'alice', title: 'Rival', since: '2025-01-01T00:00:00.000Z' } },
      ]);
    const role = parseAssignRole({ actorId: 'alice', title: 'Envoy', since: '2025-01-20T00:00:00Z' });
    const error = await rejectionOf(handleCommand(depsOf(log), assignRoleDecider, role, META));
    expect({ code: error.code, path: error.path, message: error.message, details: error.details }).toEqual({
      code: 'CONFLICT',
      path: undefined,
      message: 'actor-alice is being changed by other writers; try again',
      details: { actualRevision: 5 },
    });
    expect(log.reads.get('actor-alice')).toBe(5);
  });

  it("appends at the client's revision: a writer in between is the client's CONFLICT, not retried", async () => {
    const log = openMapLog();
    log.appendAsOther('development-dev-1', [DEV_1_RECORDED]);
    log.beforeAppend = () =>
      log.appendAsOther('development-dev-1', [
        { type: 'DevelopmentVerified', data: { id: 'dev-1', status: 'CONFIRMED', summary: 'seen' } },
      ]);
    const retraction = parseRetractDevelopment({ id: 'dev-1', expectedRevision: 0, reason: 'fake' });
    const error = await rejectionOf(handleCommand(depsOf(log), retractDevelopmentDecider, retraction, META));
    expect({ code: error.code, path: error.path, message: error.message, details: error.details }).toEqual({
      code: 'CONFLICT',
      path: ['input', 'expectedRevision'],
      message: 'development-dev-1 changed meanwhile: expected revision 0',
      details: { expectedRevision: 0, actualRevision: 1 },
    });
    expect(log.reads.get('development-dev-1')).toBe(1);
  });

  it('reads the other streams a decider looks at through the first-event cache, once per process', async () => {
    const log = openMapLog();
    log.appendAsOther('actor-alice', [ALICE]);
    const deps = depsOf(log);
    const role = (title: string) =>
      parseAssignRole({ actorId: 'alice', title, organizationId: 'alice', since: '2025-01-20T00:00:00Z' });
    await handleCommand(deps, assignRoleDecider, role('President'), META);
    await handleCommand(deps, assignRoleDecider, role('Chair'), META);
    // The stream read whole by each command; its first event, looked at as the actor and the organization, once.
    expect([log.reads.get('actor-alice'), log.reads.get('actor-alice:first')]).toEqual([2, 1]);
  });
});
