import { streamId, type RecordedEvent } from '../../events/index.js';
import type { CommandDeps } from './command-context.js';
import { notFound, type FieldPath } from './errors.js';

export interface Reference {
  readonly kind: 'actor' | 'topic';
  readonly id: string;
  readonly path: FieldPath;
}

/** The first event of each stream a command looked at, so that it reads none twice. */
export type FirstEvents = Map<string, RecordedEvent>;

/**
 * Every named actor and topic must exist; the first missing one is reported with the path that named it.
 * Returns the first event of each, for the checks that need what it says (a topic's openedAt).
 */
export const requireReferences = async (
  { store, firstEvents }: CommandDeps,
  references: readonly Reference[],
): Promise<FirstEvents> => {
  const found: FirstEvents = new Map();
  for (const reference of references) {
    const stream = streamId(reference.kind, reference.id);
    if (found.has(stream)) continue;
    const first = await firstEvents.read(store, stream);
    if (first === undefined) throw notFound(`${reference.kind} "${reference.id}" does not exist`, reference.path);
    found.set(stream, first);
  }
  return found;
};

export const actorRef = (id: string | undefined, ...path: FieldPath): Reference[] =>
  id === undefined ? [] : [{ kind: 'actor', id, path }];

export const topicRef = (id: string | undefined, ...path: FieldPath): Reference[] =>
  id === undefined ? [] : [{ kind: 'topic', id, path }];
