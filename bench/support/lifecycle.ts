import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * What a bench leaves behind, and how it goes away whatever happens: child processes (SIGTERM, then SIGKILL),
 * async cleanups (Redis keys), temp dirs; on a normal end, an error, a signal, or the watchdog.
 */

/** A run whose figures cannot stand (an error answer, a wrong answer, a timeout): the bench stops at once. */
export class BenchVoid extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(what, options);
    this.name = 'BenchVoid';
  }
}

const started = performance.now();

/** One plain progress line on stderr, with the time since the bench started. */
export const progress = (text: string): void => {
  console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s] ${text}`);
};

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const cleanups = new Map<number, { readonly name: string; readonly run: () => Promise<void> }>();
let nextCleanup = 1;
let shuttingDown = false;

const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

export const trackChild = (child: ChildProcess): void => {
  children.add(child);
  child.once('exit', () => children.delete(child));
};

export const trackTempDir = (dir: string): void => {
  tempDirs.add(dir);
};

export const removeTempDir = (dir: string): void => {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
};

/** Registers an async cleanup (run on shutdown unless removed first); returns what removes it. */
export const onCleanup = (name: string, run: () => Promise<void>): (() => void) => {
  const id = nextCleanup++;
  cleanups.set(id, { name, run });
  return () => cleanups.delete(id);
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export const stopChild = async (child: ChildProcess, graceMs = 10_000): Promise<void> => {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (isRunning(child)) child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
};

const withDeadline = <T>(promise: Promise<T>, ms: number, what: string): Promise<T | void> =>
  Promise.race([
    promise,
    new Promise<void>((resolve) =>
      setTimeout(() => {
        console.error(`cleanup: ${what} took more than ${ms} ms; left`);
        resolve();
      }, ms).unref(),
    ),
  ]);

/** Everything that can be undone synchronously (the last resort of process.on('exit')). */
const cleanUpNow = (): void => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
};

let shutdownDone: Promise<never> | null = null;

/** Stops the children, runs the cleanups, removes the temp dirs, and exits with `code` (the first call's). */
export const shutdown = (code: number): Promise<never> => {
  shutdownDone ??= (async () => {
    shuttingDown = true;
    await withDeadline(Promise.all([...children].map((child) => stopChild(child, 5_000))), 15_000, 'stopping children');
    for (const { name, run } of [...cleanups.values()].reverse()) {
      await withDeadline(
        run().catch((error: unknown) => console.error(`cleanup: ${name} failed: ${(error as Error).message}`)),
        20_000,
        name,
      );
    }
    cleanups.clear();
    cleanUpNow();
    process.exit(code);
  })();
  return shutdownDone;
};

/** Prints "bench void: <what>" (stderr and stdout) and shuts down with exit code 1; nothing once stopping. */
export const voidBench = (what: string): Promise<never> => {
  if (shuttingDown) return shutdown(1);
  const line = `bench void: ${what}`;
  console.error(line);
  console.log(line);
  return shutdown(1);
};

/**
 * Cleans up on exit, on SIGINT/SIGTERM/SIGHUP and on an uncaught error; a watchdog ends a run that hangs after
 * `watchdog.ms`, saying `watchdog.why` (what the limit is, and which option sets it).
 */
export const installLifecycle = (watchdog: { readonly ms: number; readonly why: string }): void => {
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // A run that has ended and is cleaning up is left to finish.
      if (shuttingDown) return;
      console.error(`${signal}: stopping`);
      void voidBench(`stopped by ${signal}`);
    });
  }
  process.on('uncaughtException', (error) => {
    void voidBench(`uncaught error: ${error.stack ?? error.message}`);
  });
  process.on('unhandledRejection', (error) => {
    void voidBench(`unhandled rejection: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  });
  setTimeout(() => {
    void voidBench(`the watchdog stopped the run after ${watchdog.why}`);
  }, watchdog.ms).unref();
};

/** Runs a bench's main; an error voids the run, named as it is (BenchVoid) or with its stack. */
export const runBench = (main: () => Promise<void>): void => {
  main().catch((error: unknown) =>
    voidBench(
      error instanceof BenchVoid
        ? error.message
        : `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    ),
  );
};
