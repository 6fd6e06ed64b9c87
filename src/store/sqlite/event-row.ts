import type { EventMetadata, LogPosition, RecordedEvent } from '../../../events/envelope.js';

/** An `events` row as better-sqlite3 returns it with safe integers on: every INTEGER column is a bigint. */
export interface EventRow {
  readonly position: bigint;
  readonly event_id: string;
  readonly stream_id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly schema_version: bigint;
  readonly data: string;
  readonly metadata: string;
  readonly recorded_at: bigint;
}

export const EVENT_COLUMNS =
  'position, event_id, stream_id, revision, type, schema_version, data, metadata, recorded_at';

/** The embedded log has a single number per event, so it is both halves of the position. */
export const logPosition = (position: bigint): LogPosition => ({ commit: position, prepare: position });

/** The position to read after: the embedded log only uses commit; 0 is before the first event. */
export const positionNumber = (position: LogPosition | null | undefined): bigint => position?.commit ?? 0n;

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  streamId: row.stream_id,
  revision: Number(row.revision),
  position: logPosition(row.position),
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: {
    ...(JSON.parse(row.metadata) as Omit<EventMetadata, 'schemaVersion'>),
    schemaVersion: Number(row.schema_version),
  },
  recordedAt: new Date(Number(row.recorded_at)),
});

/** The metadata column leaves schemaVersion out: the schema_version column is where it lives. */
export const metadataColumn = ({ schemaVersion: _schemaVersion, ...rest }: EventMetadata): string =>
  JSON.stringify(rest);
