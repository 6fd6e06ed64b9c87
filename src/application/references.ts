import { streamId, type RecordedEvent } from '../../events/index.js';
import type { OtherStreams } from './decider.js';
import { notFound, type FieldPath } from './errors.js';

export interface Reference {
  readonly kind: 'actor' | 'topic';
  readonly id: string;
  readonly path: FieldPath;
}

/** The streams a decider must look at to check these references. */
export const referencedStreams = (references: readonly Reference[]): string[] =>
  references.map((reference) => streamId(reference.kind, reference.id));

/**
 * The first event of a stream the decider looked at. Asking for one it did not look at is a bug of the decider
 * (its looksAt misses a stream), not the stream's absence.
 */
export const lookedAt = (others: OtherStreams, stream: string): RecordedEvent | null => {
  const first = others.get(stream);
  if (first === undefined) throw new Error(`the decision read ${stream}, which its decider did not look at`);
  return first;
};

/** Every named actor and topic must exist; the first missing one is reported with the path that named it. */
export const requireReferences = (others: OtherStreams, references: readonly Reference[]): void => {
  for (const reference of references) {
    if (lookedAt(others, streamId(reference.kind, reference.id)) === null) {
      throw notFound(`${reference.kind} "${reference.id}" does not exist`, reference.path);
    }
  }
};

export const actorRef = (id: string | undefined, ...path: FieldPath): Reference[] =>
  id === undefined ? [] : [{ kind: 'actor', id, path }];

export const topicRef = (id: string | undefined, ...path: FieldPath): Reference[] =>
  id === undefined ? [] : [{ kind: 'topic', id, path }];
