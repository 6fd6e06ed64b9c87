import { streamId } from '../../events/index.js';
import type { EventStore } from '../store/event-store.js';
import { notFound, type FieldPath } from './errors.js';

export interface Reference {
  readonly kind: 'actor' | 'topic';
  readonly id: string;
  readonly path: FieldPath;
}

/** Every named actor and topic must exist; the first missing one is reported with the path that named it. */
export const requireReferences = async (store: EventStore, references: readonly Reference[]): Promise<void> => {
  const seen = new Set<string>();
  for (const reference of references) {
    const stream = streamId(reference.kind, reference.id);
    if (seen.has(stream)) continue;
    seen.add(stream);
    const head = await store.readStream(stream, { maxCount: 1 });
    if (head.length === 0) throw notFound(`${reference.kind} "${reference.id}" does not exist`, reference.path);
  }
};

export const actorRef = (id: string | undefined, ...path: FieldPath): Reference[] =>
  id === undefined ? [] : [{ kind: 'actor', id, path }];

export const topicRef = (id: string | undefined, ...path: FieldPath): Reference[] =>
  id === undefined ? [] : [{ kind: 'topic', id, path }];
