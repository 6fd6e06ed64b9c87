import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { ADD_ENTRIES } from './scripts/add-entries.js';
import { CHECKPOINT } from './scripts/checkpoint.js';
import { HELPERS } from './scripts/lua-helpers.js';
import { RECORDED_BEFORE } from './scripts/recorded-before.js';
import { SCAN_CHANGES } from './scripts/scan-changes.js';
import { SCAN } from './scripts/scan.js';
import { VERSIONS } from './scripts/versions.js';

export { changeBucketText } from './scripts/lua-helpers.js';

/**
 * The Lua scripts of the Redis read-model store. Each touches the keys of one slot only (one entity, one world
 * shard, or the meta tag), so that each runs whole on one node of a cluster. Positions are compared byte by byte
 * (`before`): Lua's own `<` follows the server's collation locale.
 */
const SCRIPTS = {
  rsVersions: VERSIONS,
  rsAddEntries: ADD_ENTRIES,
  rsCheckpoint: CHECKPOINT,
  rsScan: SCAN,
  rsScanChanges: SCAN_CHANGES,
  rsRecordedBefore: RECORDED_BEFORE,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

type ScriptArgument = string | number;
type ScriptCaller<R> = Record<ScriptName, (numberOfKeys: number, ...args: ScriptArgument[]) => R>;

/** Defines the scripts on a connection (ioredis sends EVALSHA, and EVAL the first time on each socket). */
export const defineScripts = (connection: Redis | Cluster): void => {
  for (const [name, body] of Object.entries(SCRIPTS)) connection.defineCommand(name, { lua: HELPERS + body });
};

/** Queues a script call on a pipeline of a connection defineScripts was given. */
export const queueScript = (
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArgument[],
): void => {
  (pipeline as unknown as ScriptCaller<unknown>)[name](keys.length, ...keys, ...args);
};

export const runScript = (
  connection: Redis | Cluster,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArgument[],
): Promise<unknown> => (connection as unknown as ScriptCaller<Promise<unknown>>)[name](keys.length, ...keys, ...args);
