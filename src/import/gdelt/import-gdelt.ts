import { streamId } from '../../../events/index.js';
import type { CommandBus } from '../../application/commands/index.js';
import type { EventStore } from '../../store/event-store.js';
import { numberedLines, type NamedText } from '../read-text-files.js';
import { runImport, type ImportCounts, type ImportRow, type RunImportOptions } from '../run-import.js';
import { cameoTables, type CameoTables } from './cameo-tables.js';
import { gdeltCommands } from './gdelt-commands.js';
import { parseGdeltRow } from './parse-gdelt-row.js';
import type { TopicRule } from './topic-rules.js';

export interface GdeltImportOptions {
  /** Record each row (its development and the actors it registers) at its DATEADDED rather than now. */
  readonly recordedAtFromDateAdded?: boolean;
}

/** Every line of every text as an import row: its commands, or why it cannot be imported. */
export function* gdeltRows(
  texts: readonly NamedText[],
  rules: readonly TopicRule[],
  tables: CameoTables = cameoTables(),
  { recordedAtFromDateAdded = false }: GdeltImportOptions = {},
): Generator<ImportRow> {
  for (const { name, text } of texts) {
    for (const { number, line } of numberedLines(text)) {
      const where = { source: name, line: number, text: line };
      const parsed = parseGdeltRow(line);
      if ('reason' in parsed) {
        yield { ...where, reason: parsed.reason };
        continue;
      }
      const mapped = gdeltCommands(parsed.row, tables, rules);
      if ('reason' in mapped) {
        yield { ...where, reason: mapped.reason };
        continue;
      }
      const { actors, development } = mapped.commands;
      yield {
        ...where,
        ...(recordedAtFromDateAdded && { recordedAt: parsed.row.dateAdded }),
        commands: [
          ...actors.map((input) => ({ name: 'registerActor' as const, input, onceKey: `actor:${input.id}` })),
          { name: 'recordDevelopment' as const, input: development },
        ],
      };
    }
  }
}

/** The topics the rules name that the log does not hold: the import cannot give developments to them. */
export const missingTopics = async (store: EventStore, rules: readonly TopicRule[]): Promise<string[]> => {
  const missing: string[] = [];
  for (const { topicId } of rules) {
    if ((await store.readStream(streamId('topic', topicId), { maxCount: 1 })).length === 0) missing.push(topicId);
  }
  return missing;
};

const GDELT_KEY_NAME = 'gdelt-import';

/** Imports GDELT 2.0 event rows through the command handlers; see gdelt-commands.ts for what a row becomes. */
export const importGdelt = (
  commands: CommandBus,
  texts: readonly NamedText[],
  rules: readonly TopicRule[],
  options: Omit<RunImportOptions, 'keyName'> & GdeltImportOptions,
): Promise<ImportCounts> =>
  runImport(commands, gdeltRows(texts, rules, cameoTables(), options), { ...options, keyName: GDELT_KEY_NAME });
