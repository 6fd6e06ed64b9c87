import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_HISTORY } from '../history/history-options.js';
import { choiceOption, integerListOption, integerOption, numberOption, parseBenchArgs } from '../support/options.js';
import type { ServerEntry } from '../support/server-child.js';

/** The read-side bench's options. */

export const WARM_UP_QUERIES = 30;
export const REFERENCE_MAX_SIZE = 100_000;

export interface Options {
  readonly sizes: readonly number[];
  /** Per draw and server; null: 300, or a twentieth of the developments (at least 100) for small histories. */
  readonly queries: number | null;
  readonly corrections: number;
  readonly skew: number;
  readonly seed: number;
  readonly batch: number;
  readonly dataDir: string | null;
  /** A read-models.db that `timeline rebuild` made of the same log: served as it is, the SQLite rebuild not run. */
  readonly readModels: string | null;
  readonly keep: boolean;
  readonly timeoutMinutes: number;
  readonly serverEntry: ServerEntry;
  readonly redisUrl: string;
  readonly requestTimeoutMs: number;
  readonly readyTimeoutMs: number;
  readonly operationTimeoutMs: number | null;
  readonly cacheMb: number | null;
  /** Node's flags for the servers, instead of `npm start`'s (V8's heap sizes: memory against latency). */
  readonly serverNodeFlags: readonly string[] | null;
  /** all: the embedded store and Redis; sqlite: the embedded store only (no Redis rebuild, projector or serve). */
  readonly stores: 'all' | 'sqlite';
}

export const USAGE = `usage: npx tsx bench/read-side.ts [--sizes 100000,1000000] [--queries 300] [--corrections ${DEFAULT_HISTORY.correctionFraction}]
       [--skew ${DEFAULT_HISTORY.zipfExponent}] [--seed 1] [--batch 1000] [--data-dir DIR] [--keep] [--timeout-minutes 60]
       [--server-entry sources|build] [--redis-url redis://127.0.0.1:6379] [--request-timeout-seconds 60]
       [--ready-timeout-minutes 30] [--operation-timeout-seconds N] [--cache-mb N] [--server-node-flags="..."]
       [--read-models FILE]
  --sizes        developments per history, one table row each
  --queries      as-of actor queries per draw and server (after ${WARM_UP_QUERIES} warm-up queries); default 300,
                 or a twentieth of the developments (at least 100) below 6,000 developments
  --corrections  share of developments followed by a correction (0 to 0.10)
  --skew         the Zipf exponent of activity over actors and topics
  --batch        commands per commit while writing the history
  --data-dir     reuse the history in DIR (sizes ignored; DIR is not changed)
  --read-models  with --data-dir: serve this read-models.db, made by \`timeline rebuild\` of that log (copied;
                 its checkpoint must be the log's last event), rather than rebuild one: for sizes whose rebuild
                 takes hours; the rebuild's figures then come from \`timeline rebuild\`'s own output
  --keep         keep the generated histories (their paths are printed)
  --operation-timeout-seconds  TIMELINE_OPERATION_TIMEOUT_MS for the servers (default: the server's own, 10 s)
  --cache-mb     TIMELINE_CACHE_MB for the servers (default: the server's own, 256): memory against latency
  --server-node-flags  Node's flags for the servers, instead of npm start's (package.json); with
                 --cache-mb, a process bounded in memory: --server-node-flags="--max-semi-space-size=16 --max-old-space-size=160"
  --stores       all (default) or sqlite: the embedded store only, with no Redis rebuild, projector or serve`;

/** Node's own flags only (`--name` or `--name=value`): anything else would be taken for the entry. */
const serverNodeFlagsOption = (value: string | undefined): readonly string[] | null => {
  if (value === undefined) return null;
  const flags = value.trim().split(/\s+/).filter(Boolean);
  const odd = flags.find((flag) => !/^--[a-z][a-z0-9-]*(=\S+)?$/.test(flag));
  if (odd !== undefined)
    throw new Error(`--server-node-flags takes Node flags like --max-old-space-size=160, got ${odd}`);
  return flags;
};

const readModelsOption = (file: string | undefined, dataDir: string | undefined): string | null => {
  if (file === undefined) return null;
  if (dataDir === undefined) throw new Error('--read-models needs --data-dir: the read models of that log');
  if (!existsSync(file)) throw new Error(`--read-models ${file} does not exist`);
  return path.resolve(file);
};

export const readOptions = (): Options => {
  const values = parseBenchArgs(
    {
      sizes: { type: 'string' },
      queries: { type: 'string' },
      corrections: { type: 'string' },
      skew: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      'data-dir': { type: 'string' },
      'read-models': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'timeout-minutes': { type: 'string' },
      'server-entry': { type: 'string' },
      'redis-url': { type: 'string' },
      'request-timeout-seconds': { type: 'string' },
      'ready-timeout-minutes': { type: 'string' },
      'operation-timeout-seconds': { type: 'string' },
      'cache-mb': { type: 'string' },
      'server-node-flags': { type: 'string' },
      stores: { type: 'string' },
    },
    USAGE,
  );
  const redisUrl = values['redis-url'] ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\/\S+$/.test(redisUrl)) throw new Error(`--redis-url must be a redis:// URL, got ${redisUrl}`);
  return {
    sizes: integerListOption(values.sizes, 'sizes', [100_000, 1_000_000], 1, 50_000_000),
    queries: values.queries === undefined ? null : integerOption(values.queries, 'queries', 300, 1, 1_000_000),
    corrections: numberOption(values.corrections, 'corrections', DEFAULT_HISTORY.correctionFraction, 0, 0.1),
    skew: numberOption(values.skew, 'skew', DEFAULT_HISTORY.zipfExponent, 0.01, 5),
    seed: integerOption(values.seed, 'seed', 1, 0, 2 ** 32 - 1),
    batch: integerOption(values.batch, 'batch', 1_000, 1, 100_000),
    dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : null,
    readModels: readModelsOption(values['read-models'], values['data-dir']),
    keep: values.keep === true,
    timeoutMinutes: integerOption(values['timeout-minutes'], 'timeout-minutes', 60, 1, 24 * 60),
    serverEntry: choiceOption(values['server-entry'], 'server-entry', ['sources', 'build'] as const, 'sources'),
    redisUrl,
    requestTimeoutMs: integerOption(values['request-timeout-seconds'], 'request-timeout-seconds', 60, 1, 3600) * 1000,
    operationTimeoutMs:
      values['operation-timeout-seconds'] === undefined
        ? null
        : integerOption(values['operation-timeout-seconds'], 'operation-timeout-seconds', 10, 1, 600) * 1000,
    readyTimeoutMs: integerOption(values['ready-timeout-minutes'], 'ready-timeout-minutes', 30, 1, 24 * 60) * 60_000,
    cacheMb:
      values['cache-mb'] === undefined ? null : integerOption(values['cache-mb'], 'cache-mb', 256, 1, 1024 * 1024),
    serverNodeFlags: serverNodeFlagsOption(values['server-node-flags']),
    stores: choiceOption(values.stores, 'stores', ['all', 'sqlite'] as const, 'all'),
  };
};
