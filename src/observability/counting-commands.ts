import type { CommandBus } from '../application/commands/index.js';
import type { TimelineMetrics } from './metrics.js';

/**
 * The command bus, counting the events each command appends. Counted here rather than around the store's append:
 * only the handler knows whether an append was new or an idempotent repeat that wrote nothing (the store answers
 * both alike). Every write goes through the bus, so nothing appended by this process is missed. A bulk batch
 * (`inOneCommit`) that fails as a whole after some of its commands went through is counted all the same; only
 * the seed, imports and benchmarks make those.
 */
export const countingAppends = (commands: CommandBus, metrics: Pick<TimelineMetrics, 'appended'>): CommandBus =>
  Object.assign(
    async (...args: Parameters<CommandBus>) => {
      const result = await commands(...args);
      metrics.appended(args[0], result.appended);
      return result;
    },
    { inOneCommit: commands.inOneCommit, lastRecordedAt: commands.lastRecordedAt },
  );
