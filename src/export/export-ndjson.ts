import type { TimelineEvent } from '../../events/index.js';
import type { CommandName } from '../application/commands/index.js';
import type { EventStore } from '../store/event-store.js';
import { DUMP_HEADER, type DumpedEvent } from './dump-format.js';

interface ExportedCommand {
  readonly command: CommandName;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * The command that appended an event. Every command appends exactly one event, so the commands of a log, run in its
 * order into an empty store with the event's recordedAt and ids (dumpLine), append the same events in the same
 * order: the same log, and the same answers at every knownAt.
 */
const commandOf = (event: TimelineEvent): ExportedCommand => {
  switch (event.type) {
    case 'ActorRegistered':
      return { command: 'registerActor', input: event.data };
    case 'ActorRoleAssigned':
      return { command: 'assignRole', input: event.data };
    case 'TopicOpened':
      return { command: 'openTopic', input: event.data };
    case 'TopicStatusChanged':
      return { command: 'changeTopicStatus', input: event.data };
    case 'DevelopmentRecorded':
      return { command: 'recordDevelopment', input: event.data };
    case 'DevelopmentCorrected': {
      const { id, reason, patch } = event.data;
      // The revision the correction was made at: the one before its own.
      return { command: 'correctDevelopment', input: { id, expectedRevision: event.revision - 1, reason, patch } };
    }
    case 'DevelopmentVerified':
      return { command: 'verifyDevelopment', input: event.data };
    case 'DevelopmentRetracted': {
      const { id, reason } = event.data;
      return { command: 'retractDevelopment', input: { id, expectedRevision: event.revision - 1, reason } };
    }
  }
};

const dumpLine = (event: TimelineEvent): string => {
  const { keyName, correlationId, causationId } = event.metadata;
  const dumped: DumpedEvent = { id: event.id, keyName, correlationId, causationId };
  return JSON.stringify({ ...commandOf(event), recordedAt: event.recordedAt.toISOString(), event: dumped });
};

/** The whole log as a dump (dump-format.ts): its header line, then a command line per event in log order. */
export async function* exportNdjson(
  store: EventStore,
  { pageSize = 1_000 }: { readonly pageSize?: number } = {},
): AsyncGenerator<string> {
  yield `${JSON.stringify(DUMP_HEADER)}\n`;
  let after = null;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) return;
    for (const event of page) yield `${dumpLine(event as TimelineEvent)}\n`;
    after = page.at(-1)!.position;
  }
}
