import { expect } from 'vitest';
import { streamId, type TimelineEvent } from '../../events/index.js';
import { stateOf, type DecidedEvent, type Decider } from '../../src/application/decider.js';
import { TimelineError, type ErrorCode, type FieldPath } from '../../src/application/errors.js';

/**
 * Deciders run as pure functions: a stream's history and the first events of the other streams are plain data here,
 * with no store, no cache and no I/O.
 */

/** Events as a stream holds them after these decisions: revisions from 0, positions along an imaginary log. */
const recorded = (stream: string, decided: readonly DecidedEvent[]): TimelineEvent[] =>
  decided.map(
    (event, revision) =>
      ({
        ...event,
        id: `${stream}@${revision}`,
        streamId: stream,
        revision,
        position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
        metadata: { keyName: 'test', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
        recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, revision)),
      }) as TimelineEvent,
  );

/** The first event of an actor's or topic's stream, where another command's references find it. */
type Beginning = Extract<DecidedEvent, { type: 'ActorRegistered' | 'TopicOpened' }>;

export const actor = (id: string): Beginning => ({
  type: 'ActorRegistered',
  data: { id, name: id, kind: 'PERSON', aliases: [] },
});

export const topic = (id: string, openedAt = '2020-01-01T00:00:00.000Z'): Beginning => ({
  type: 'TopicOpened',
  data: { id, title: id, openedAt },
});

/** The world of the integration tests' basics: three actors, a topic and its subtopic. */
export const BASICS: readonly Beginning[] = [
  actor('alice'),
  actor('boris'),
  actor('acme'),
  topic('war', '2020-01-01T00:00:00.000Z'),
  topic('talks', '2021-01-01T00:00:00.000Z'),
];

const beginningStream = ({ type, data }: Beginning): string =>
  type === 'ActorRegistered' ? streamId('actor', data.id) : streamId('topic', data.id);

export interface Situation {
  /** What the command's own stream holds, as the decisions that put it there. */
  readonly history?: readonly DecidedEvent[];
  /** The actors and topics that exist; the decider sees those its looksAt names (the others as missing). */
  readonly world?: readonly Beginning[];
}

/** The state the decider decides a command on, after this history of the command's stream. */
export const stateAfter = <Command, State, Event extends TimelineEvent>(
  decider: Decider<Command, State, Event>,
  command: Command,
  history: readonly DecidedEvent[],
): State => {
  const { category, id } = decider.target(command);
  return stateOf(decider, recorded(streamId(category, id), history) as Event[]);
};

/**
 * Decides a command as handleCommand would, minus the store: folds the history, hands decide exactly the streams
 * looksAt asked for, so that a decision reading a stream it did not ask for fails the test.
 */
export const decideIn = <Command, State, Event extends TimelineEvent>(
  decider: Decider<Command, State, Event>,
  command: Command,
  { history = [], world = BASICS }: Situation = {},
): readonly DecidedEvent[] => {
  const state = stateAfter(decider, command, history);
  const firsts = new Map(world.map((beginning) => [beginningStream(beginning), beginning]));
  const others = new Map(
    (decider.looksAt?.(command, state) ?? []).map((stream) => {
      const first = firsts.get(stream);
      return [stream, first === undefined ? null : recorded(stream, [first])[0]!];
    }),
  );
  return decider.decide(command, state, others);
};

/** The error a decision (or a parse) is refused with. */
export const errorOf = (decision: () => unknown): TimelineError => {
  try {
    decision();
  } catch (error) {
    expect(error, 'a refusal is a TimelineError').toBeInstanceOf(TimelineError);
    return error as TimelineError;
  }
  throw new Error('the command should have been refused');
};

/** The refusal as the contract shows it: its code and the path of the offending field. */
export const refusalOf = (decision: () => unknown): { code: ErrorCode; path: FieldPath | undefined } => {
  const { code, path } = errorOf(decision);
  return { code, path };
};

/** The refusal with its message, for the rules whose wording the contract shows. */
export const explainedRefusalOf = (
  decision: () => unknown,
): { code: ErrorCode; path: FieldPath | undefined; message: string } => {
  const { code, path, message } = errorOf(decision);
  return { code, path, message };
};
