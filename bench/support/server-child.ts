import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stopChild, trackChild } from './lifecycle.js';

/**
 * The server as a child process (what `npm start`, `timeline serve` and `timeline project` run), on a free loopback
 * port, with a readiness wait on /readyz: start-to-ready is from just before the spawn to the first 200 there.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..');
const HOST = '127.0.0.1';

/**
 * Node's flags in `npm start` (package.json's start script), read from there so that a bench runs the server as
 * users do: V8's heap sizes, which the Dockerfile sets alike (docs/architecture.md, "Memory").
 */
const npmStartFlags = (): string[] => {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  const flags = /\bnode((?: --[a-z][a-z0-9-]*(?:=\S+)?)*) dist\/src\/main\.js/.exec(start);
  if (!flags) throw new Error(`package.json's start script does not run node [flags] dist/src/main.js: ${start}`);
  return flags[1]!.trim().split(' ').filter(Boolean);
};

export const SERVER_NODE_FLAGS: readonly string[] = npmStartFlags();

/** sources: the TypeScript through tsx (what is being edited); build: dist/ (npm run build first). */
const SERVER_ENTRIES = {
  sources: ['--import', 'tsx', 'src/main.ts'],
  build: ['dist/src/main.js'],
} as const;
export type ServerEntry = keyof typeof SERVER_ENTRIES;

export const checkServerEntry = (entry: ServerEntry): void => {
  if (entry === 'build' && !existsSync(path.join(ROOT, SERVER_ENTRIES.build[0]))) {
    throw new Error(`--server-entry build needs ${SERVER_ENTRIES.build[0]}: run node scripts/build.mjs first`);
  }
};

/** A port nobody listens on right now (the kernel's pick), released before it is returned. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });

/** What the parent's environment must not pass on: every setting of the server is the bench's to choose. */
const SERVER_SETTING = /^(TIMELINE_|REDIS_URL$|PORT$|HOST$|LOG_LEVEL$|KURRENTDB_URL$|NODE_OPTIONS$)/;

export interface ServerChild {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly baseUrl: string;
  readonly graphqlUrl: string;
  /** From just before the spawn to the first 200 from /readyz. */
  readonly readyMs: number;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  readonly name: string;
  readonly entry: ServerEntry;
  /** The server's settings (TIMELINE_*, REDIS_URL, ...); PORT and HOST are set here. */
  readonly env: Readonly<Record<string, string>>;
  readonly readyTimeoutMs: number;
  /** Node's arguments instead of the entry's (a baseline process). */
  readonly args?: readonly string[];
  /** Node's flags before the entry (V8's heap sizes), instead of SERVER_NODE_FLAGS. */
  readonly nodeFlags?: readonly string[];
  /** How often /readyz is asked. */
  readonly pollMs?: number;
  /** Keep a pipe to its stdin open: a child that exits when its stdin ends goes with the bench, even a killed one. */
  readonly stdinPipe?: boolean;
}

const OUTPUT_KEPT = 64 * 1024;

export const startServerChild = async (options: StartServerOptions): Promise<ServerChild> => {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !SERVER_SETTING.test(name)) env[name] = value;
  }
  Object.assign(env, options.env, { PORT: String(port), HOST });
  const baseUrl = `http://${HOST}:${port}`;
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    options.args ?? [...(options.nodeFlags ?? SERVER_NODE_FLAGS), ...SERVER_ENTRIES[options.entry]],
    {
      cwd: ROOT,
      env,
      stdio: [options.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    },
  );
  trackChild(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2 * OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const tail = () => output.slice(-4_000).trimEnd();
  let exit: string | null = null;
  child.once('exit', (code, signal) => (exit = `exited with ${code ?? signal}`));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);

  const deadline = started + options.readyTimeoutMs;
  const pollMs = options.pollMs ?? 25;
  let lastAnswer = 'no answer yet';
  for (;;) {
    if (exit !== null) {
      throw new Error(`${options.name} ${exit} before it was ready (${lastAnswer}); its output:\n${tail()}`);
    }
    if (performance.now() > deadline) {
      await stopChild(child);
      throw new Error(
        `${options.name} was not ready within ${Math.round(options.readyTimeoutMs / 1000)} s (${lastAnswer}); ` +
          `its output:\n${tail()}`,
      );
    }
    try {
      const response = await Promise.race([
        fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) }),
        spawnError,
      ]);
      const body = await response.text();
      if (response.status === 200) break;
      lastAnswer = `/readyz ${response.status} ${body.slice(0, 300)}`;
    } catch (error) {
      // Not listening yet (a projecting process listens once it has caught up).
      lastAnswer = `/readyz: ${(error as Error).cause ? String((error as Error).cause) : (error as Error).message}`;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const readyMs = performance.now() - started;
  return {
    name: options.name,
    pid: child.pid!,
    port,
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    readyMs,
    output: () => output,
    stop: () => stopChild(child),
  };
};
