import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { DevelopmentContent } from '../../../events/fields.js';
import type { DevelopmentEvent } from '../../../events/index.js';
import { developmentContent, foldDevelopment } from '../../domain/development.js';
import { keepFirst, type Decider } from '../decider.js';
import { badInput, conflict } from '../errors.js';
import { commandHandler } from '../handle-command.js';
import { RecordDevelopmentInput } from '../input-schemas.js';
import { referencedStreams, requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import { checkDevelopmentRules, developmentReferences, findTopicOpenedAfter } from './development-rules.js';
import { withoutUndefined } from './without-undefined.js';

export interface RecordDevelopment {
  readonly id: string;
  readonly content: DevelopmentContent;
}

/** The id is the client's, or a new one: chosen here, since deciding again on a race must keep the same. */
export const parseRecordDevelopment = (input: unknown): RecordDevelopment => {
  const { id, ...content } = validateInput(RecordDevelopmentInput, input);
  return {
    id: id ?? randomUUID(),
    content: withoutUndefined({
      ...content,
      precision: content.precision ?? 'INSTANT',
      quotes: content.quotes ?? [],
      positions: content.positions ?? [],
    }),
  };
};

/** The content a development was first recorded with, which a repeat must match (corrections do not count). */
const recordedContent = (first: DevelopmentEvent): DevelopmentContent | null => {
  const recorded = first.type === 'DevelopmentRecorded' ? foldDevelopment([first]) : null;
  return recorded === null ? null : withoutUndefined(developmentContent(recorded));
};

/**
 * Records a development. The client may choose its id, which makes the call idempotent: the same id with the
 * same content returns the stored development and appends nothing; with other content it is a CONFLICT.
 */
export const recordDevelopmentDecider: Decider<RecordDevelopment, DevelopmentEvent | null, DevelopmentEvent> = {
  target: (command) => ({ category: 'development', id: command.id }),
  initialState: null,
  evolve: keepFirst,
  // A repeat reads no references: they were checked when the development was first recorded.
  looksAt: (command, first) =>
    first === null ? referencedStreams(developmentReferences(command.content, ['input'])) : [],
  decide: ({ id, content }, first, others) => {
    // Two identical records that race: the loser decides again, sees the winner's stream and is a repeat.
    if (first !== null) {
      if (isDeepStrictEqual(recordedContent(first), content)) return [];
      throw conflict(`development "${id}" was recorded with other content`, ['input', 'id']);
    }
    checkDevelopmentRules(content, ['input']);
    requireReferences(others, developmentReferences(content, ['input']));
    const early = findTopicOpenedAfter(content, others);
    if (early) throw badInput(early.message, ['input', ...early.path]);
    return [{ type: 'DevelopmentRecorded', data: { id, ...content } }];
  },
};

export const recordDevelopment = commandHandler(parseRecordDevelopment, recordDevelopmentDecider);
