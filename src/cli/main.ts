import { runCli } from './cli.js';
import { processIo } from './io.js';

/** The `timeline` command line: `node --import tsx src/cli/main.ts <command> ...`, bin/timeline.mjs, npm run timeline. */

// `timeline replay ... | head` closes stdout early: that is the reader's choice, not a failure worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), processIo());
