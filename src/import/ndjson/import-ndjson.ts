import { isCommandName, type CommandBus } from '../../application/commands/index.js';
import { numberedLines, type NamedText } from '../read-text-files.js';
import { runImport, type ImportCounts, type ImportRow, type RunImportOptions } from '../run-import.js';

/**
 * NDJSON commands, one per line: `{"command": "recordDevelopment", "input": {...}}`, the input exactly as the
 * contract's mutation takes it (the seed timeline is such a file). Each line is checked on its own, and its errors
 * carry its line number: the JSON, the command's name, then the input, by the command handler itself.
 */
function* ndjsonRows(texts: readonly NamedText[]): Generator<ImportRow> {
  for (const { name, text } of texts) {
    for (const { number, line } of numberedLines(text)) {
      const where = { source: name, line: number, text: line };
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        yield { ...where, reason: `not JSON: ${(error as Error).message}` };
        continue;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        yield { ...where, reason: 'expected an object {"command": ..., "input": {...}}' };
        continue;
      }
      const { command, input, ...rest } = parsed as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length > 0) {
        yield { ...where, reason: `unexpected field ${JSON.stringify(extra[0])} (a line holds command and input)` };
      } else if (typeof command !== 'string' || !isCommandName(command)) {
        yield { ...where, reason: `command: ${JSON.stringify(command)} is not a command of the API` };
      } else if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        yield { ...where, reason: 'input: expected an object, the input of the mutation' };
      } else {
        yield { ...where, commands: [{ name: command, input }] };
      }
    }
  }
}

const NDJSON_KEY_NAME = 'ndjson-import';

export const importNdjson = (
  commands: CommandBus,
  texts: readonly NamedText[],
  options: Omit<RunImportOptions, 'keyName' | 'total'>,
): Promise<ImportCounts> =>
  runImport(commands, ndjsonRows(texts), {
    ...options,
    keyName: NDJSON_KEY_NAME,
    total: texts.reduce(
      (sum, { text }) => sum + numberedLines(text).filter(({ line }) => line.trim() !== '').length,
      0,
    ),
  });
