import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ServerProcess {
  readonly url: string;
  readonly baseUrl: string;
  readonly dataDir: string;
  /** What the server printed on stdout (the generated key is there, once). */
  readonly stdout: () => string;
  /** What it printed on stderr: the one-line reasons it gives an operator. */
  readonly stderr: () => string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash or the OOM killer would: no shutdown code runs. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Resolves with the exit code when the process has ended and its output is all read, whoever ends it. */
  readonly exited: Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Starts `src/main.ts` as a user would (npm start runs the same), on a random port and a fresh data directory. */
/** The sources through tsx (what tests change), or the build that `npm start` runs (scripts/build.mjs). */
const ENTRY = { sources: ['--import', 'tsx', 'src/main.ts'], build: ['dist/src/main.js'] } as const;

export const startServerProcess = async (
  env: Record<string, string> = {},
  dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-e2e-')),
  entry: keyof typeof ENTRY = 'sources',
): Promise<ServerProcess> => {
  const child: ChildProcess = spawn(process.execPath, [...ENTRY[entry]], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      TIMELINE_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      // Tests of other things send far more than a client's budget from one address; the rate tests set their own.
      TIMELINE_RATE_LIMIT: '0',
      TIMELINE_ANONYMOUS_RATE_LIMIT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${stdout}\n${stderr}`)), 60_000);
    const look = () => {
      const match = /"url":"(http:[^"]+)"/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    // 'close', not 'exit': the last lines it wrote may still be on their way through the pipes at its exit.
    child.once('close', (code) => {
      clearTimeout(timer);
      // The exit code and stderr apart as well, for tests of how a start fails.
      reject(Object.assign(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`), { code, stderr }));
    });
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
  return {
    exited,
    url,
    baseUrl: url.replace(/\/graphql$/, ''),
    dataDir,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
};

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });
