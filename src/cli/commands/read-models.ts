import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../../config/environment.js';
import {
  dropReadModelVersion,
  listReadModelVersions,
  ReadModelInUseError,
  type ReadModelVersion,
} from '../../projections/shared/read-model-versions.js';
import { parseCommandArgs } from '../args.js';
import { CliError, EXIT_OK, UsageError } from '../errors.js';
import { writeFully, type CliIo } from '../io.js';
import { READ_MODELS_USAGE } from '../usage.js';

const COMMAND = 'read-models';

const OPTIONS = {
  drop: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const row = (version: ReadModelVersion): string =>
  [
    `v${version.version}`.padEnd(8),
    (version.current ? 'current' : '').padEnd(8),
    (version.checkpoint ? version.checkpoint.position.commit.toString() : '-').padEnd(12),
    (version.checkpoint ? new Date(version.checkpoint.recordedAtMs).toISOString() : '-').padEnd(25),
    version.leader === null ? 'none' : `term ${version.leader.split(':').at(-1)}`,
  ].join(' ');

/** `timeline read-models`: the shared read-model versions in Redis, and `--drop` for an old one. */
export const readModels = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values } = parseCommandArgs(COMMAND, args, OPTIONS);
  if (values.help) {
    await writeFully(io.stdout, `${READ_MODELS_USAGE}\n`);
    return EXIT_OK;
  }
  const drop = values.drop;
  if (drop !== undefined && !/^[1-9]\d{0,5}$/.test(drop)) {
    throw new UsageError(`--drop takes a version number, got ${JSON.stringify(drop)}`, COMMAND);
  }
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  if (config.redisUrl === null) throw new CliError('REDIS_URL is not set: there are no shared read models to look at');
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect().catch((error: unknown) => {
      throw new CliError(`cannot reach Redis at ${config.redisUrl}: ${(error as Error).message}`);
    });
    if (drop !== undefined) {
      await dropReadModelVersion(redis, config.redisUrl, config.redisPrefix, Number(drop)).catch((error: unknown) => {
        if (error instanceof ReadModelInUseError) throw new CliError(`will not drop: ${error.message}`);
        throw error;
      });
      await writeFully(io.stdout, `dropped read-model version ${drop} under "${config.redisPrefix}"\n`);
      return EXIT_OK;
    }
    const versions = await listReadModelVersions(redis, config.redisUrl, config.redisPrefix);
    const header = ['version', 'current', 'checkpoint', 'recorded at', 'leader']
      .map((title, index) => title.padEnd([8, 8, 12, 25, 0][index]!))
      .join(' ');
    const lines = versions.length === 0 ? ['no read-model versions under this prefix'] : [header, ...versions.map(row)];
    await writeFully(io.stdout, `${lines.join('\n').replace(/ +$/gm, '')}\n`);
    return EXIT_OK;
  } finally {
    redis.disconnect();
  }
};
