import { createWriteStream, type WriteStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createCommandBus } from '../../application/commands/index.js';
import { importGdelt, missingTopics } from '../../import/gdelt/import-gdelt.js';
import { parseTopicRule, TopicRuleError, type TopicRule } from '../../import/gdelt/topic-rules.js';
import { importNdjson } from '../../import/ndjson/import-ndjson.js';
import { readTextFiles } from '../../import/read-text-files.js';
import { ImportRefusedError } from '../../import/recorded-at-check.js';
import type { ImportCounts, RejectedRow } from '../../import/run-import.js';
import { RecordedAtOutOfOrderError } from '../../store/event-store.js';
import { parseCommandArgsAndFiles } from '../args.js';
import { resolveLogLocation } from '../data-dir.js';
import { CliError, EXIT_OK, EXIT_REJECTS, UsageError } from '../errors.js';
import { writeFully, type CliIo } from '../io.js';
import { openLogForImport } from '../open-log.js';
import { progressReporter, rate } from '../progress.js';
import { IMPORT_USAGE } from '../usage.js';

const COMMAND = 'import';

const OPTIONS = {
  topic: { type: 'string', multiple: true },
  rejects: { type: 'string' },
  'allow-rejects': { type: 'boolean' },
  'recorded-at-dateadded': { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['gdelt', 'ndjson'] as const;
type Format = (typeof FORMATS)[number];

/** "import-rejects-20261126T153000Z.tsv": a new file per run, never one written before. */
const defaultRejectsFile = (now: Date): string =>
  `import-rejects-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.tsv`;

/** The reject file, made on the first rejected row: source, line, reason, then the row as it was. */
const rejectsWriter = (file: string) => {
  let stream: WriteStream | null = null;
  const write = (chunk: string) =>
    new Promise<void>((resolve, reject) => stream!.write(chunk, (error) => (error ? reject(error) : resolve())));
  return {
    add: async (row: RejectedRow) => {
      if (stream === null) {
        stream = createWriteStream(file, { flags: 'wx' });
        await write('source\tline\treason\trow\n');
      }
      const reason = row.reason.replace(/[\t\r\n]+/g, ' ');
      await write(`${row.source}\t${row.line}\t${reason}\t${row.text}\n`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (stream === null) return resolve();
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      }),
  };
};

/** "import gdelt: 2271 rows read: 2203 imported, 0 already present, 68 rejected (…); 812 actors registered; …" */
const importSummary = (format: Format, counts: ImportCounts, rejectsFile: string | null): string =>
  `import ${format}: ${counts.read} rows read: ${counts.imported} imported, ${counts.alreadyPresent} already ` +
  `present, ${counts.rejected} rejected${rejectsFile === null ? '' : ` (written to ${rejectsFile})`}` +
  (format === 'gdelt' ? `; ${counts.firstSightAppends} actors registered` : '') +
  `; ${rate(counts.read, counts.elapsedMs)} rows/s`;

/** `timeline import gdelt|ndjson <files...>`: bulk writes through the command handlers, every row accounted for. */
export const importCommand = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values, positionals } = parseCommandArgsAndFiles(COMMAND, args, OPTIONS);
  if (values.help) {
    await writeFully(io.stdout, `${IMPORT_USAGE}\n`);
    return EXIT_OK;
  }
  const [given, ...files] = positionals;
  if (given === undefined || !(FORMATS as readonly string[]).includes(given)) {
    throw new UsageError(`expected a format, gdelt or ndjson, got ${JSON.stringify(given ?? '')}`, COMMAND);
  }
  const format = given as Format;
  if (files.length === 0) throw new UsageError(`name the file(s) to import`, COMMAND);
  if (format === 'ndjson' && values.topic) throw new UsageError('--topic is for gdelt imports', COMMAND);
  if (format === 'ndjson' && values['recorded-at-dateadded']) {
    throw new UsageError('--recorded-at-dateadded is for gdelt imports (an ndjson line carries recordedAt)', COMMAND);
  }
  let rules: TopicRule[];
  try {
    rules = (values.topic ?? []).map(parseTopicRule);
  } catch (error) {
    if (error instanceof TopicRuleError) throw new UsageError(error.message, COMMAND);
    throw error;
  }
  for (const file of files) {
    await access(file).catch(() => {
      throw new CliError(`cannot read ${file}: no such file`);
    });
  }
  const location = resolveLogLocation(COMMAND, values['data-dir'], io.env);
  const rejectsFile = path.resolve(values.rejects ?? defaultRejectsFile(io.now()));

  const { store } = await openLogForImport(location);
  const rejects = rejectsWriter(rejectsFile);
  const reporter = progressReporter(io.stderr, `${COMMAND} ${format}`, 'rows');
  try {
    const missing = await missingTopics(store, rules);
    if (missing.length > 0) {
      throw new CliError(
        `--topic names topics the log does not hold: ${missing.join(', ')} (open them first: the openTopic mutation)`,
      );
    }
    const texts = await readTextFiles(files).catch((error: unknown) => {
      throw new CliError(`cannot read the input: ${(error as Error).message}`, { cause: error });
    });
    const commands = createCommandBus({ store });
    const options = {
      onProgress: (progress: Parameters<typeof reporter.update>[0]) => reporter.update(progress),
      onReject: rejects.add,
    };
    const counts = await (
      format === 'gdelt'
        ? importGdelt(commands, texts, rules, {
            ...options,
            recordedAtFromDateAdded: values['recorded-at-dateadded'] === true,
          })
        : importNdjson(commands, texts, options)
    ).catch((error: unknown) => {
      if (error instanceof ImportRefusedError) throw new CliError(error.message, { cause: error });
      // Another writer moved the log's last recordedAt after the up-front check: the batches before stay.
      if (error instanceof RecordedAtOutOfOrderError) {
        throw new CliError(`${error.message}; the rows before this batch were imported, the rest were not`, {
          cause: error,
        });
      }
      throw error;
    });
    reporter.stop();
    await rejects.close();
    await writeFully(io.stdout, `${importSummary(format, counts, counts.rejected > 0 ? rejectsFile : null)}\n`);
    return counts.rejected > 0 && !values['allow-rejects'] ? EXIT_REJECTS : EXIT_OK;
  } finally {
    reporter.stop();
    await rejects.close().catch(() => undefined);
    await store.close();
  }
};
