/** What a command may touch of its process: injected, so that the commands run in a test as they run for real. */
export interface OutputStream {
  readonly isTTY?: boolean;
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
}

export interface CliIo {
  /** Results only (the JSON of replay, help asked for): it may be piped into another program. */
  readonly stdout: OutputStream;
  /** Progress, summaries and errors. */
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  /** What is piped in (a secret to hash): never a command-line argument, which other users can see. */
  readonly stdin?: AsyncIterable<string | Buffer>;
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  stdin: process.stdin,
});

/** Writes and waits until the stream took the chunk, so that a failed write is an error of the command. */
export const writeFully = (stream: OutputStream, chunk: string): Promise<void> =>
  new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
