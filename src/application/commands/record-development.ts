import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { DevelopmentContent } from '../../../events/fields.js';
import { streamId, type DevelopmentEvent } from '../../../events/index.js';
import { developmentContent, foldDevelopment } from '../../domain/development.js';
import {
  appendAtReadRevision,
  decideAgainOnRace,
  lastPosition,
  startCommand,
  type CommandDeps,
  type CommandMeta,
  type CommandResult,
} from '../command-context.js';
import { badInput, conflict } from '../errors.js';
import { RecordDevelopmentInput, type RecordDevelopmentCommand } from '../input-schemas.js';
import { requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import { checkDevelopmentRules, developmentReferences, findTopicOpenedAfter } from './development-rules.js';
import { withoutUndefined } from './without-undefined.js';

const toContent = (command: RecordDevelopmentCommand): DevelopmentContent => {
  const { id: _id, ...content } = command;
  return withoutUndefined({
    ...content,
    precision: content.precision ?? 'INSTANT',
    quotes: content.quotes ?? [],
    positions: content.positions ?? [],
  });
};

/**
 * Records a development. The client may choose its id, which makes the call idempotent: the same id with the
 * same content returns the stored development and appends nothing; with other content it is a CONFLICT.
 */
export const recordDevelopment = async (
  deps: CommandDeps,
  input: unknown,
  meta: CommandMeta,
): Promise<CommandResult> => {
  const command = validateInput(RecordDevelopmentInput, input);
  const id = command.id ?? randomUUID();
  const content = toContent(command);
  const stream = streamId('development', id);

  // Two identical records that race: the loser decides again, sees the winner's stream and is a repeat.
  return decideAgainOnRace(async () => {
    const repeat = await findRepeat(deps, stream, id, content);
    if (repeat) return repeat;

    checkDevelopmentRules(content, ['input']);
    const known = await requireReferences(deps, developmentReferences(content, ['input']));
    const early = await findTopicOpenedAfter(deps, content, known);
    if (early) throw badInput(early.message, ['input', ...early.path]);
    const { position } = await appendAtReadRevision(
      deps.store,
      stream,
      [startCommand(meta).event('DevelopmentRecorded', { id, ...content })],
      'no_stream',
    );
    return { id, position, appended: 1 };
  });
};

const findRepeat = async (
  deps: CommandDeps,
  stream: string,
  id: string,
  content: DevelopmentContent,
): Promise<CommandResult | null> => {
  const events = (await deps.store.readStream(stream)) as DevelopmentEvent[];
  const first = events[0];
  if (first === undefined) return null;
  const recorded = first.type === 'DevelopmentRecorded' ? foldDevelopment([first]) : null;
  if (recorded !== null && isDeepStrictEqual(withoutUndefined(developmentContent(recorded)), content)) {
    return { id, position: lastPosition(events), appended: 0 };
  }
  throw conflict(`development "${id}" was recorded with other content`, ['input', 'id']);
};
