/** Exit codes of the `timeline` command line. */
export const EXIT_OK = 0;
/** The command ran and failed: no event log where it was asked for, a log that does not decode, a write that failed. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong: unknown command or option, missing or malformed value. */
export const EXIT_USAGE = 2;
/** An import ran to the end but refused some rows (see its reject file); --allow-rejects makes it 0. */
export const EXIT_REJECTS = 3;

/** A mistake in the command line: reported with the command's usage and exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to show; undefined for the general usage. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure that the user can act on: printed as is, without a stack trace, with exit code 1. */
export class CliError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}
