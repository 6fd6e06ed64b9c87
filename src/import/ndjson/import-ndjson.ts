import { isCommandName, type CommandBus } from '../../application/commands/index.js';
import { DUMP_FORMAT, DUMP_VERSION, type DumpedEvent } from '../../export/dump-format.js';
import { numberedLines, type NamedText } from '../read-text-files.js';
import { ImportRefusedError } from '../recorded-at-check.js';
import { runImport, type ImportCounts, type ImportRow, type RunImportOptions } from '../run-import.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A dump's header line ({"format": ..., "version": ...}): true when it is one; refused when of another version. */
const isDumpHeader = (parsed: unknown, where: string): boolean => {
  if (!isObject(parsed) || !('format' in parsed)) return false;
  if (parsed.format !== DUMP_FORMAT || parsed.version !== DUMP_VERSION) {
    throw new ImportRefusedError(
      `${where}: a dump of format ${JSON.stringify(parsed.format)} version ${JSON.stringify(parsed.version)}; ` +
        `this version reads ${DUMP_FORMAT} version ${DUMP_VERSION}`,
    );
  }
  return true;
};

const EVENT_FIELDS = ['id', 'keyName', 'correlationId', 'causationId'] as const;

const isDumpedEvent = (value: unknown): value is DumpedEvent =>
  isObject(value) &&
  Object.keys(value).length === EVENT_FIELDS.length &&
  EVENT_FIELDS.every((field) => typeof value[field] === 'string' && value[field] !== '');

/** The header line of the first text, when there is one: only a dump's first line may be its header. */
const headerLine = (line: string): unknown => {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
};

/**
 * NDJSON commands, one per line: `{"command": "recordDevelopment", "input": {...}}`, the input exactly as the
 * contract's mutation takes it (the seed timeline is such a file), with an optional `recordedAt` (the row's
 * transaction time) and, in a dump, the `event` it appended. Each line is checked on its own, and its errors
 * carry its line number: the JSON, the command's name, then the input, by the command handler itself.
 */
function* ndjsonRows(texts: readonly NamedText[]): Generator<ImportRow> {
  for (const { name, text } of texts) {
    for (const { number, line } of numberedLines(text)) {
      const where = { source: name, line: number, text: line };
      if (line.trim() === '') continue;
      if (number === 1 && isDumpHeader(headerLine(line), `${name}:1`)) continue;
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
      const { command, input, recordedAt, event, ...rest } = parsed as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length > 0) {
        yield {
          ...where,
          reason: `unexpected field ${JSON.stringify(extra[0])} (a line holds command, input, recordedAt and event)`,
        };
      } else if (recordedAt !== undefined && typeof recordedAt !== 'string') {
        yield { ...where, reason: 'recordedAt: expected an ISO-8601 instant as a string' };
      } else if (event !== undefined && !isDumpedEvent(event)) {
        yield { ...where, reason: `event: expected {${EVENT_FIELDS.join(', ')}}, each a non-empty string` };
      } else if (typeof command !== 'string' || !isCommandName(command)) {
        yield { ...where, reason: `command: ${JSON.stringify(command)} is not a command of the API` };
      } else if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        yield { ...where, reason: 'input: expected an object, the input of the mutation' };
      } else {
        yield {
          ...where,
          ...(recordedAt !== undefined && { recordedAt }),
          ...(event !== undefined && { restoredEvent: event }),
          commands: [{ name: command, input }],
        };
      }
    }
  }
}

const NDJSON_KEY_NAME = 'ndjson-import';

export const importNdjson = (
  commands: CommandBus,
  texts: readonly NamedText[],
  options: Omit<RunImportOptions, 'keyName'>,
): Promise<ImportCounts> => runImport(commands, ndjsonRows(texts), { ...options, keyName: NDJSON_KEY_NAME });
