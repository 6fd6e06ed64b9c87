import { readFile } from 'node:fs/promises';
import { isCommandName, type CommandBus } from '../application/commands/index.js';
import type { CommandResult } from '../application/command-context.js';

/** The project's seed timeline (built from the seed article), one command per line with the day it was reported. */
const SEED_FILE = new URL('../../events/seed/seed-timeline.ndjson', import.meta.url);

export interface SeedSummary {
  readonly commands: number;
  readonly appended: number;
  readonly last: CommandResult | null;
}

/**
 * Runs the seed's commands in order through the command handlers, as any other writer would, in one commit: a
 * start that dies half-way leaves no half seed behind (which the next start, seeing a log, would never complete).
 * Each is recorded at the time its line gives, so that what was known on a day of October 2025 can be asked of the
 * seed; the store refuses a time earlier than the log's last, which is why only an empty log is seeded.
 */
export const loadSeed = async (commands: CommandBus, file: URL | string = SEED_FILE): Promise<SeedSummary> => {
  const lines = (await readFile(file, 'utf8')).split('\n');
  return commands.inOneCommit(() => runSeedLines(commands, lines));
};

const runSeedLines = async (commands: CommandBus, lines: readonly string[]): Promise<SeedSummary> => {
  let count = 0;
  let appended = 0;
  let last: CommandResult | null = null;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const { command, input, recordedAt } = JSON.parse(line) as { command: string; input: unknown; recordedAt?: string };
    if (!isCommandName(command)) throw new Error(`seed line ${index + 1}: unknown command "${command}"`);
    const reported = recordedAt === undefined ? undefined : new Date(recordedAt);
    if (reported !== undefined && Number.isNaN(reported.getTime())) {
      throw new Error(`seed line ${index + 1}: recordedAt ${JSON.stringify(recordedAt)} is not an instant`);
    }
    try {
      last = await commands(command, input, {
        keyName: 'seed',
        correlationId: `seed:${index + 1}`,
        ...(reported && { recordedAt: reported }),
      });
    } catch (error) {
      throw new Error(`seed line ${index + 1} (${command}): ${(error as Error).message}`, { cause: error });
    }
    count += 1;
    appended += last.appended;
  }
  return { commands: count, appended, last };
};
