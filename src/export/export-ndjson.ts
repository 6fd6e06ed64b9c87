import type { TimelineEvent } from '../../events/index.js';
import type { CommandName } from '../application/commands/index.js';
import type { EventStore } from '../store/event-store.js';

interface ExportedCommand {
  readonly command: CommandName;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * The command that appended an event. Every command appends exactly one event, so the commands of a log, run in its
 * order into an empty store, append the same events in the same order: the same state, with new recordedAt (the
 * time of the import) and the importer's name in the metadata.
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

/** The whole log as NDJSON command lines, in log order, a page at a time. */
export async function* exportNdjson(
  store: EventStore,
  { pageSize = 1_000 }: { readonly pageSize?: number } = {},
): AsyncGenerator<string> {
  let after = null;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) return;
    for (const event of page) yield `${JSON.stringify(commandOf(event as TimelineEvent))}\n`;
    after = page.at(-1)!.position;
  }
}
