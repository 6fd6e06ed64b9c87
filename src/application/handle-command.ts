import { streamId, type LogPosition, type NewEvent, type TimelineEvent } from '../../events/index.js';
import { WrongExpectedRevisionError, type EventStore } from '../store/event-store.js';
import { startCommand, type CommandDeps, type CommandMeta, type CommandResult } from './command-context.js';
import { stateOf, type Decider } from './decider.js';
import { conflict } from './errors.js';
import { readFirstEvents } from './first-events.js';

/**
 * Runs one command through its decider: read the stream, fold it, read the other streams the decision looks at,
 * decide, append. A repeat appends nothing and answers the stream's last position. Without a client's expected
 * revision the events go in at the revision read, and a writer that lost a race decides again on the new state.
 */
export const handleCommand = async <Command, State, Event extends TimelineEvent>(
  deps: CommandDeps,
  decider: Decider<Command, State, Event>,
  command: Command,
  meta: CommandMeta,
): Promise<CommandResult> => {
  const { category, id } = decider.target(command);
  const stream = streamId(category, id);
  const clientRevision = decider.expectedRevision?.(command);
  const started = startCommand(meta);
  const attempt = async (): Promise<CommandResult> => {
    const events = (await deps.store.readStream(stream)) as Event[];
    const state = stateOf(decider, events);
    const others = await readFirstEvents(deps.firstEvents, deps.store, decider.looksAt?.(command, state) ?? []);
    const decided = decider.decide(command, state, others);
    if (decided.length === 0) return { id, position: events.at(-1)?.position ?? null, appended: 0 };
    if (meta.restoredEvent !== undefined && decided.length > 1) {
      throw new Error(`a restored event names one event, but ${stream}'s command decided ${decided.length}`);
    }
    const toAppend = decided.map(started.event);
    const { recordedAt } = meta;
    const { position } =
      clientRevision === undefined
        ? await deps.store.appendToStream(stream, toAppend, {
            expectedRevision: events.at(-1)?.revision ?? 'no_stream',
            ...(recordedAt && { recordedAt }),
          })
        : await appendAtClientRevision(deps.store, stream, toAppend, { expectedRevision: clientRevision, recordedAt });
    return { id, position, appended: decided.length };
  };
  // A race at a client's revision ends as the client's CONFLICT: only races at the revision read are decided again.
  return decideAgainOnRace(attempt);
};

/**
 * Appends at the revision the client said it saw: a mismatch is the contract's CONFLICT, on the field that
 * carried the expectation.
 */
const appendAtClientRevision = async (
  store: EventStore,
  streamId: string,
  events: readonly NewEvent[],
  { expectedRevision, recordedAt }: { readonly expectedRevision: number; readonly recordedAt: Date | undefined },
): Promise<{ position: LogPosition }> => {
  try {
    return await store.appendToStream(streamId, events, { expectedRevision, ...(recordedAt && { recordedAt }) });
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) {
      throw conflict(
        `${streamId} changed meanwhile: expected revision ${expectedRevision}`,
        ['input', 'expectedRevision'],
        { expectedRevision, actualRevision: error.actual },
      );
    }
    throw error;
  }
};

const RACE_ATTEMPTS = 5;

/**
 * Runs a read-decide-append attempt again when another writer appended to the same stream in between, so that two
 * honest concurrent calls both succeed (or the second sees the first and answers as a repeat).
 */
const decideAgainOnRace = async <T>(attempt: () => Promise<T>): Promise<T> => {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (tries >= RACE_ATTEMPTS) {
        throw conflict(`${error.streamId} is being changed by other writers; try again`, undefined, {
          actualRevision: error.actual,
        });
      }
    }
  }
};

/** A command of the contract: its input parsed into the command its decider decides on, then run. */
export const commandHandler =
  <Command, State, Event extends TimelineEvent>(
    parse: (input: unknown) => Command,
    decider: Decider<Command, State, Event>,
  ) =>
  // async, so that an input the parser refuses rejects the promise like every other refusal
  async (deps: CommandDeps, input: unknown, meta: CommandMeta): Promise<CommandResult> =>
    handleCommand(deps, decider, parse(input), meta);
