import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { exportNdjson } from '../../export/export-ndjson.js';
import { parseCommandArgsAndFiles } from '../args.js';
import { resolveLogLocation } from '../data-dir.js';
import { CliError, EXIT_OK, UsageError } from '../errors.js';
import { writeFully, type CliIo, type OutputStream } from '../io.js';
import { openExistingLog } from '../open-log.js';
import { EXPORT_USAGE } from '../usage.js';

const COMMAND = 'export';

const OPTIONS = {
  out: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const fileOutput = (file: string) => {
  // A temp file renamed at the end: a reader never sees half an export, and a failed one leaves no file.
  const temp = `${file}.${process.pid}.tmp`;
  const stream = createWriteStream(temp, { flags: 'wx' });
  return {
    stream: stream as OutputStream,
    commit: async () => {
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      await rename(temp, file);
    },
    abandon: async () => {
      stream.destroy();
      await rm(temp, { force: true });
    },
  };
};

/** `timeline export ndjson [--out file]`: the log as the commands that restore it, one per line, after a header. */
export const exportCommand = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values, positionals } = parseCommandArgsAndFiles(COMMAND, args, OPTIONS);
  if (values.help) {
    await writeFully(io.stdout, `${EXPORT_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1 || positionals[0] !== 'ndjson') {
    throw new UsageError(`expected the format ndjson, got ${JSON.stringify(positionals.join(' '))}`, COMMAND);
  }
  const { store } = await openExistingLog(resolveLogLocation(COMMAND, values['data-dir'], io.env));
  const output = values.out === undefined ? null : fileOutput(path.resolve(values.out));
  let lines = 0;
  try {
    for await (const line of exportNdjson(store)) {
      await writeFully(output?.stream ?? io.stdout, line);
      lines += 1;
    }
    await output?.commit();
  } catch (error) {
    await output?.abandon();
    throw error instanceof CliError
      ? error
      : new CliError(`export failed: ${(error as Error).message}`, { cause: error });
  } finally {
    await store.close();
  }
  // The first line is the dump's header, not a command.
  io.stderr.write(
    `export ndjson: ${lines - 1} commands${values.out === undefined ? '' : ` written to ${values.out}`}\n`,
  );
  return EXIT_OK;
};
