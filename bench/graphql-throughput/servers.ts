import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { progress, trackTempDir } from '../support/lifecycle.js';
import { checkServerEntry, SERVER_NODE_FLAGS, startServerChild, type ServerChild } from '../support/server-child.js';

/**
 * The two serving processes of the throughput bench: the server as `npm start` runs it (dist/src/main.js) on the
 * seed, and the bare graphql-js baseline (bench/bare-graphql-server.ts) on a copy of the same seeded data dir.
 */

const READY_TIMEOUT_MS = 120_000;

/**
 * Raised to the highest budget the configuration takes, not switched off (0): the limiter still runs on every
 * request, as in production; a 429 in a load voids the run.
 */
const RAISED_RATE_LIMIT = '1000000';

const serverEnv = (dataDir: string, seed: boolean, settings: Readonly<Record<string, string>> = {}) => ({
  TIMELINE_DATA_DIR: dataDir,
  TIMELINE_SEED: String(seed),
  TIMELINE_EDITOR_KEYS: `bench:${randomBytes(24).toString('hex')}`,
  TIMELINE_RATE_LIMIT: RAISED_RATE_LIMIT,
  TIMELINE_ANONYMOUS_RATE_LIMIT: RAISED_RATE_LIMIT,
  LOG_LEVEL: 'warn',
  ...settings,
});

/**
 * The server with one of its choices undone, to show by measurement what each is worth (`--variants`): Apollo
 * answering every request, and every query interpreted by graphql-js.
 */
const VARIANTS = [
  { name: 'server, Apollo for every request', settings: { TIMELINE_KNOWN_QUERIES_LANE: 'false' } },
  {
    name: 'server, Apollo and graphql-js for every request',
    settings: { TIMELINE_KNOWN_QUERIES_LANE: 'false', TIMELINE_COMPILED_QUERIES: 'false' },
  },
] as const;

/** Node's flags added to each serving process (a CPU profile, bench/graphql-profile.ts). */
export interface ExtraFlags {
  readonly server?: readonly string[];
  readonly bare?: readonly string[];
}

export interface Servers {
  readonly server: ServerChild;
  readonly bare: ServerChild;
  /** One process per VARIANTS entry, in that order, when asked for. */
  readonly variants: readonly ServerChild[];
  stop(): Promise<void>;
}

/** A data dir seeded by the server and closed, for each process to start on a copy of. */
export const seedDataDir = async (): Promise<string> => {
  checkServerEntry('build');
  const root = mkdtempSync(path.join(tmpdir(), 'bench-graphql-'));
  trackTempDir(root);
  const seeded = path.join(root, 'seeded');
  progress('seeding a data dir with the server (dist/src/main.js)');
  const seeding = await startServerChild({
    name: 'seeding server',
    entry: 'build',
    env: serverEnv(seeded, true),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  // Stopped before any copy, so that each copy holds a closed, checkpointed SQLite log and read models.
  await seeding.stop();
  return seeded;
};

let copies = 0;
const copyOf = (seeded: string): string => {
  const copy = path.join(path.dirname(seeded), `copy-${++copies}`);
  cpSync(seeded, copy, { recursive: true });
  return copy;
};

/** Fresh processes, each on its own copy of the seeded data dir: the server, its variants, and the baseline. */
export const startProcesses = async (
  seeded: string,
  extra: ExtraFlags = {},
  withVariants = false,
): Promise<Servers> => {
  progress('starting the server and the bare graphql-js baseline');
  const server = await startServerChild({
    name: 'server',
    entry: 'build',
    env: serverEnv(copyOf(seeded), false),
    nodeFlags: [...SERVER_NODE_FLAGS, ...(extra.server ?? [])],
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  const bare = await startServerChild({
    name: 'bare graphql-js',
    entry: 'build',
    env: { TIMELINE_DATA_DIR: copyOf(seeded) },
    // The server's V8 heap flags too, so that both collect garbage alike.
    args: [...SERVER_NODE_FLAGS, ...(extra.bare ?? []), '--import', 'tsx', 'bench/bare-graphql-server.ts'],
    stdinPipe: true,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  const variants: ServerChild[] = [];
  for (const variant of withVariants ? VARIANTS : []) {
    variants.push(
      await startServerChild({
        name: variant.name,
        entry: 'build',
        env: serverEnv(copyOf(seeded), false, variant.settings),
        readyTimeoutMs: READY_TIMEOUT_MS,
      }),
    );
  }
  return {
    server,
    bare,
    variants,
    stop: async () => {
      for (const child of [server, bare, ...variants]) await child.stop();
    },
  };
};

/** Seeds, then starts the processes once (a bench that keeps them for its whole run). */
export const startServers = async (extra: ExtraFlags = {}, withVariants = false): Promise<Servers> =>
  startProcesses(await seedDataDir(), extra, withVariants);
