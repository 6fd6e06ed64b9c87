import type { EventDataMap, EventDefinition, EventType, RecordedEvent, TimelineEvent } from '../../events/index.js';

/** An event a decision asks for; the runner gives it its id and metadata when it appends it. */
export type DecidedEvent = { [T in EventType]: { readonly type: T; readonly data: EventDataMap[T] } }[EventType];

/**
 * The first event of each other stream a decision depends on (the actors and topics a command names), read before
 * deciding so that decide reads nothing itself. null: the stream does not exist.
 */
export type OtherStreams = ReadonlyMap<string, RecordedEvent | null>;

/**
 * One command of the write side as data and pure functions, in the shape of Emmett's decider: the stream it works on,
 * how that stream's events fold into the state it decides on, and the decision. handleCommand runs any of them.
 */
export interface Decider<Command, State, Event extends TimelineEvent = TimelineEvent> {
  /** The entity the command writes: its stream is `<category>-<id>`, and the command's result names the id. */
  readonly target: (command: Command) => { readonly category: EventDefinition['category']; readonly id: string };
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  /** The other streams (ids) whose first event the decision reads from `others`; none when left out. */
  readonly looksAt?: (command: Command, state: State) => readonly string[];
  /**
   * The events that carry the command out, or none when the stream already holds them (an idempotent repeat).
   * A refusal is thrown as a TimelineError with the path of the offending field.
   */
  readonly decide: (command: Command, state: State, others: OtherStreams) => readonly DecidedEvent[];
  /**
   * The revision the client said it saw, for a command that takes one: the events go in at that revision or the
   * command is the client's CONFLICT. Without one they go in at the revision read, deciding again on a race.
   */
  readonly expectedRevision?: (command: Command) => number | undefined;
}

/** The state a decider decides on after these events of its stream. */
export const stateOf = <Command, State, Event extends TimelineEvent>(
  decider: Decider<Command, State, Event>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState);

/** The evolve of a command that cares only how its stream began (a registration, an opening, a first record). */
export const keepFirst = <Event>(first: Event | null, event: Event): Event | null => first ?? event;
