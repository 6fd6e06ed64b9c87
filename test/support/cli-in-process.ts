import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/cli.js';
import type { CliIo } from '../../src/cli/io.js';

/** `timeline <args>` in this process, as the command line runs it, with what it wrote to stdout and stderr. */
export const runTimelineCli = async (
  args: readonly string[],
  {
    env = {},
    stdin,
    now = new Date('2026-11-26T12:00:00Z'),
  }: { env?: NodeJS.ProcessEnv; stdin?: string; now?: Date } = {},
): Promise<{ code: number; stdout: string; stderr: string }> => {
  let stdout = '';
  let stderr = '';
  const stream = (append: (chunk: string) => void) => ({
    isTTY: false,
    write: (chunk: string, callback?: (error?: Error | null) => void) => {
      append(chunk);
      callback?.(null);
      return true;
    },
  });
  const io: CliIo = {
    stdout: stream((chunk) => (stdout += chunk)),
    stderr: stream((chunk) => (stderr += chunk)),
    env,
    now: () => now,
    ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
};
