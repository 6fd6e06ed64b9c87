import { jsonEvent, type AllStreamResolvedEvent, type EventData, type ResolvedEvent } from '@kurrent/kurrentdb-client';
import type { EventMetadata, LogPosition, NewEvent, RecordedEvent } from '../../../events/envelope.js';

/**
 * Our metadata travels as KurrentDB metadata, with the conventional $correlationId/$causationId for its tools.
 * KurrentDB sets `created` itself and takes no other value, so a backfilled transaction time (a restored dump, an
 * import that carries its source's times) is kept as `recordedAt` (ISO-8601) here, and read from here when present.
 */
type StoredMetadata = Omit<EventMetadata, 'correlationId' | 'causationId'> & {
  $correlationId: string;
  $causationId: string;
  recordedAt?: string;
};

export const toEventData = (event: NewEvent, recordedAt?: Date): EventData =>
  jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: {
      keyName: event.metadata.keyName,
      schemaVersion: event.metadata.schemaVersion,
      $correlationId: event.metadata.correlationId,
      $causationId: event.metadata.causationId,
      ...(recordedAt === undefined ? {} : { recordedAt: recordedAt.toISOString() }),
    } satisfies StoredMetadata,
  });

/** A resolved event as the port hands it out; null for one without an event or a position (nothing to deliver). */
export const toRecordedEvent = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null => {
  const event = resolved.event;
  if (event === undefined || event.position === undefined || !event.isJson) return null;
  const metadata = event.metadata as StoredMetadata;
  const position: LogPosition = { commit: event.position.commit, prepare: event.position.prepare };
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position,
    type: event.type,
    data: event.data,
    metadata: {
      keyName: metadata.keyName,
      correlationId: metadata.$correlationId,
      causationId: metadata.$causationId,
      schemaVersion: metadata.schemaVersion,
    },
    recordedAt: metadata.recordedAt === undefined ? event.created : new Date(metadata.recordedAt),
  };
};
