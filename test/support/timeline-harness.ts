import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCommandBus, type CommandBus, type CommandName } from '../../src/application/commands/index.js';
import type { CommandMeta, CommandResult } from '../../src/application/command-context.js';
import { startProjector, type Projector } from '../../src/projections/projector.js';
import type { DevelopmentState } from '../../src/domain/development.js';
import { latestState } from '../../src/time-travel/known-state.js';
import type { SnapshotPolicyOptions } from '../../src/projections/snapshot-policy.js';
import { createCachedReader, type CachedReader } from '../../src/read-store/cached-reader.js';
import type { ReadModelStore } from '../../src/read-store/read-model-store.js';
import { openSqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

export { development } from './development-input.js';

export interface TimelineHarness {
  readonly dir: string;
  readonly store: EventStore;
  readonly commands: CommandBus;
  /** The read models (a real SQLite file beside the log), through the projector's cache. */
  readonly reads: CachedReader;
  /** The same read models without the cache. */
  readonly readStore: ReadModelStore;
  readonly projector: Projector;
  /** Runs a command as an editor and waits until the read model holds its effect. */
  run(name: CommandName, input: unknown): Promise<CommandResult>;
  /** How many events the log holds. */
  logLength(): Promise<number>;
  dispose(): Promise<void>;
}

export const EDITOR: CommandMeta = { keyName: 'test-editor' };

export interface HarnessOptions extends SnapshotPolicyOptions {
  /** The projector's cache; small values make tests read through to the store. */
  readonly cacheBytes?: number;
  readonly batchSize?: number;
}

/**
 * A real SQLite log in a fresh temp directory, the catalog on top, a live projector over it into real SQLite read
 * models beside it.
 */
export const openHarness = async (options: HarnessOptions = {}): Promise<TimelineHarness> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'timeline-test-'));
  const store = withEventCatalog(openSqliteEventStore({ file: path.join(dir, 'timeline.db') }));
  const commands = createCommandBus({ store });
  const readStore = openSqliteReadStore({ file: path.join(dir, 'read-models.db') });
  const reads = createCachedReader(readStore, options.cacheBytes ?? 16 * 1024 * 1024);
  const projector = await startProjector({ ...options, log: store, reads, writer: readStore });
  const logLength = async () => {
    let count = 0;
    let after = null;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) return count;
      count += page.length;
      after = page.at(-1)!.position;
    }
  };
  return {
    dir,
    store,
    commands,
    reads,
    readStore,
    projector,
    run: async (name, input) => {
      const result = await commands(name, input, EDITOR);
      await projector.waitFor(result.position);
      return result;
    },
    logLength,
    dispose: async () => {
      await projector.stop();
      await readStore.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** A development's newest state in the read models, undefined when they hold none. */
export const latestDevelopment = async (
  harness: Pick<TimelineHarness, 'reads'>,
  id: string,
): Promise<DevelopmentState | undefined> =>
  (await latestState<DevelopmentState>(harness.reads, 'development', id)) ?? undefined;

/** A tiny world most tests start from: three actors, two topics (one under the other). */
export const registerBasics = async (harness: TimelineHarness): Promise<void> => {
  await harness.run('registerActor', { id: 'alice', name: 'Alice', kind: 'PERSON', country: 'USA' });
  await harness.run('registerActor', { id: 'boris', name: 'Boris', kind: 'PERSON', country: 'RUS' });
  await harness.run('registerActor', { id: 'acme', name: 'Acme', kind: 'ORGANIZATION' });
  await harness.run('openTopic', { id: 'war', title: 'The war', openedAt: '2020-01-01T00:00:00.000Z' });
  await harness.run('openTopic', {
    id: 'talks',
    title: 'Talks',
    parentId: 'war',
    openedAt: '2021-01-01T00:00:00.000Z',
  });
};

/**
 * A fresh harness with the basics registered for every test of a file, handed to `use` before each test and
 * disposed after it.
 */
export const freshHarnessWithBasics = (use: (harness: TimelineHarness) => void): void => {
  let harness: TimelineHarness | undefined;
  beforeEach(async () => {
    harness = await openHarness();
    await registerBasics(harness);
    use(harness);
  });
  afterEach(async () => {
    await harness?.dispose();
    harness = undefined;
  });
};
