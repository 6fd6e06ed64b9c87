import { loadConfig } from '../config/environment.js';
import { CliError } from './errors.js';

/**
 * The snapshot interval the server's projector uses (TIMELINE_SNAPSHOT_EVERY), so that read models a command folds
 * are laid out as the server would lay them. Only that variable is passed on, as for the data directory.
 */
export const resolveSnapshotEvery = (env: NodeJS.ProcessEnv): number => {
  try {
    return loadConfig({ TIMELINE_SNAPSHOT_EVERY: env.TIMELINE_SNAPSHOT_EVERY }).snapshotEvery;
  } catch (error) {
    throw new CliError((error as Error).message, { cause: error });
  }
};
