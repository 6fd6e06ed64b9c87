import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/environment.js';
import type * as ConfiguredStore from '../../src/store/open-configured-store.js';
import type { LogLocation } from '../../src/store/open-configured-store.js';
import { runTimelineCli } from '../support/cli-in-process.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { closedPort } from '../support/unanswering-ports.js';

/**
 * The server and the command line open the log through one function, given the same configuration: what opened it
 * is recorded here, so that a command (or the server) that opens a store of its own, or reads TIMELINE_STORE in
 * its own way, fails this test.
 */

const opened = vi.hoisted((): { store: unknown; dataDir: string }[] => []);

vi.mock('../../src/store/open-configured-store.js', async (importOriginal) => {
  const original = await importOriginal<typeof ConfiguredStore>();
  return {
    ...original,
    openConfiguredStore: (location: LogLocation, options?: { verifyReads?: boolean }) => {
      opened.push({ store: location.store, dataDir: location.dataDir });
      return original.openConfiguredStore(location, options);
    },
  };
});

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = path.join(ROOT, 'events/seed/seed-timeline.ndjson');

const commands = (rejects: string): Record<string, string[]> => ({
  import: ['import', 'ndjson', SEED, '--rejects', rejects],
  export: ['export', 'ndjson'],
  rebuild: ['rebuild'],
  replay: ['replay', '--as-of', '2025-10-17T12:00:00Z'],
});

describe('the log the server opens is the one every command opens', () => {
  let server: InProcessServer | undefined;

  // Closed before the commands run (they open its log as a command would a stopped server's); its directory stays.
  afterAll(() => {
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  let serverOpened: { store: unknown; dataDir: string };
  beforeAll(async () => {
    opened.length = 0;
    server = await startInProcessServer({ TIMELINE_STORE: 'sqlite' });
    expect(opened).toHaveLength(1);
    serverOpened = opened[0]!;
    await server.timeline.close();
  });

  it('on the embedded store: the server’s data directory and its timeline.db', async () => {
    expect(serverOpened).toEqual({ store: { kind: 'sqlite' }, dataDir: server!.dataDir });
    const env = { TIMELINE_STORE: 'sqlite', TIMELINE_DATA_DIR: server!.dataDir };
    for (const [name, args] of Object.entries(commands(path.join(server!.dataDir, 'rejects.tsv')))) {
      opened.length = 0;
      const run = await runTimelineCli(args, { env, now: new Date() });
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(opened, name).toEqual([serverOpened]);
    }
  });

  it('on KurrentDB: the KurrentDB the server’s configuration names, for every command', async () => {
    const env = {
      TIMELINE_STORE: 'kurrentdb',
      KURRENTDB_URL: `kurrentdb://127.0.0.1:${await closedPort()}?tls=false`,
      TIMELINE_DATA_DIR: server!.dataDir,
    };
    const { store, dataDir } = loadConfig(env);
    for (const [name, args] of Object.entries(commands(path.join(server!.dataDir, 'rejects.tsv')))) {
      opened.length = 0;
      const run = await runTimelineCli(args, { env });
      // Nothing answers there: what matters is where each command went.
      expect(run.code, name).toBe(1);
      expect(opened, name).toEqual([{ store, dataDir }]);
    }
  });
});
