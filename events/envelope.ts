/**
 * What the log holds around an event's data. Positions follow KurrentDB's (commit, prepare) pair so that every
 * adapter can express its own; an embedded log uses the same number for both.
 */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export const comparePositions = (a: LogPosition, b: LogPosition): number =>
  a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1;

export const isAfter = (a: LogPosition, b: LogPosition | null | undefined): boolean =>
  b == null || comparePositions(a, b) > 0;

export interface EventMetadata {
  /** The name of the API key (or the tool) that appended the event. */
  readonly keyName: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly schemaVersion: number;
}

/** An event on its way into the log: the store adds the revision, the position and recordedAt. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: LogPosition;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
  /** Transaction time: set by the store when it received the event, never by a client. */
  readonly recordedAt: Date;
}
