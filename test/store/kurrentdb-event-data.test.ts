import { randomUUID } from 'node:crypto';
import type { AllStreamResolvedEvent } from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../events/envelope.js';
import { toEventData, toRecordedEvent } from '../../src/store/kurrentdb/event-data.js';

/** What the KurrentDB adapter writes and reads back, without a server: the mapping of our envelope to theirs. */

const newEvent: NewEvent = {
  id: randomUUID(),
  type: 'DevelopmentRecorded',
  data: { id: 'dev-1', title: 'Talks' },
  metadata: { keyName: 'editor', correlationId: 'corr-1', causationId: 'cause-1', schemaVersion: 1 },
};

/** The event as KurrentDB hands it back after the append. */
const resolved = (overrides: Record<string, unknown> = {}): AllStreamResolvedEvent =>
  ({
    event: {
      streamId: 'development-dev-1',
      id: newEvent.id,
      isJson: true,
      revision: 3n,
      type: newEvent.type,
      created: new Date('2026-11-26T12:00:00.000Z'),
      data: toEventData(newEvent).data,
      metadata: toEventData(newEvent).metadata,
      position: { commit: 1234n, prepare: 1200n },
      ...overrides,
    },
  }) as unknown as AllStreamResolvedEvent;

describe('KurrentDB event mapping', () => {
  it('writes our metadata with KurrentDB’s $correlationId and $causationId, and reads it back as it was', () => {
    const data = toEventData(newEvent);
    expect(data).toMatchObject({ id: newEvent.id, type: 'DevelopmentRecorded', contentType: 'application/json' });
    expect(data.metadata).toEqual({
      keyName: 'editor',
      schemaVersion: 1,
      $correlationId: 'corr-1',
      $causationId: 'cause-1',
    });
    expect(toRecordedEvent(resolved())).toEqual({
      id: newEvent.id,
      streamId: 'development-dev-1',
      revision: 3,
      position: { commit: 1234n, prepare: 1200n },
      type: 'DevelopmentRecorded',
      data: newEvent.data,
      metadata: newEvent.metadata,
      recordedAt: new Date('2026-11-26T12:00:00.000Z'),
    });
  });

  it('keeps a backfilled recordedAt in the metadata, and reads it from there rather than from created', () => {
    const backfilled = new Date('2015-02-18T23:00:00.000Z');
    const data = toEventData(newEvent, backfilled);
    expect(data.metadata).toEqual({
      keyName: 'editor',
      schemaVersion: 1,
      $correlationId: 'corr-1',
      $causationId: 'cause-1',
      recordedAt: '2015-02-18T23:00:00.000Z',
    });
    const read = toRecordedEvent(resolved({ metadata: data.metadata }));
    expect(read?.recordedAt).toEqual(backfilled);
    expect(read?.metadata).toEqual(newEvent.metadata);
  });

  it('delivers nothing for a resolved event without an event, without a position, or not JSON', () => {
    expect(toRecordedEvent({} as AllStreamResolvedEvent)).toBeNull();
    expect(toRecordedEvent(resolved({ position: undefined }))).toBeNull();
    expect(toRecordedEvent(resolved({ isJson: false }))).toBeNull();
  });
});
