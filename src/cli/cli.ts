import { rebuild } from './commands/rebuild.js';
import { replay } from './commands/replay.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { keys } from './commands/keys.js';
import { readModels } from './commands/read-models.js';
import { project, serve } from './commands/run-role.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { writeFully, type CliIo } from './io.js';
import { COMMAND_USAGE, usageOf } from './usage.js';

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  replay,
  rebuild,
  serve,
  project,
  'read-models': readModels,
  import: importCommand,
  export: exportCommand,
  keys,
};

const isHelp = (arg: string | undefined): boolean => arg === 'help' || arg === '--help' || arg === '-h';

const help = async (topic: string | undefined, io: CliIo): Promise<number> => {
  if (topic !== undefined && COMMAND_USAGE[topic] === undefined) {
    throw new UsageError(`no help for ${JSON.stringify(topic)}: not a command`);
  }
  await writeFully(io.stdout, `${usageOf(topic)}\n`);
  return EXIT_OK;
};

const dispatch = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError('missing command');
  if (isHelp(name)) return help(args[0], io);
  if (name.startsWith('-')) throw new UsageError(`unknown option ${name} (options come after the command)`);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return command(args, io);
};

/** "timeline replay:" for an error of a command, "timeline:" for one of the command line as a whole. */
const prefix = (command: string | undefined): string =>
  command !== undefined && Object.hasOwn(COMMANDS, command) ? `timeline ${command}:` : 'timeline:';

/** Runs `timeline <argv>` and returns the exit code; every error ends here as a message on stderr. */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${prefix(error.command)} ${error.message}\n\n${usageOf(error.command)}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${prefix(argv[0])} ${message}\n`);
    // A CliError says all there is to say; anything else may be a bug, whose stack is there on demand.
    if (!(error instanceof CliError) && io.env.TIMELINE_DEBUG && error instanceof Error && error.stack) {
      io.stderr.write(`${error.stack}\n`);
    }
    return EXIT_FAILURE;
  }
};
