import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, wsClient } from '../support/live-client.js';
import { removeDir, startServerProcess } from '../support/server-process.js';
import { deletePrefix } from '../support/shared-read-models.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/**
 * How `npm start` ends, as a supervisor sees it: SIGTERM drains and closes everything and exits 0; a shared read
 * model of another log ends it with that message alone and 1. NODE_ENV is not `test` here, as it is not in
 * production: Apollo's own signal handler, which once killed the process with the signal, is on only then.
 */

const dirs: string[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) removeDir(dir);
  const redis = new Redis(SHARED_REDIS_URL);
  for (const prefix of prefixes.splice(0)) await deletePrefix(redis, prefix);
  redis.disconnect();
});

const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'timeline-shutdown-'));
  dirs.push(dir);
  return dir;
};

const AS_IN_PRODUCTION = { NODE_ENV: 'production', TIMELINE_SEED: 'true' };

describe('a server process', () => {
  it('on SIGTERM ends its subscriptions, closes its sockets, Redis and the log, and exits 0', async () => {
    const prefix = `test-shutdown-${randomUUID()}`;
    prefixes.push(prefix);
    const dir = dataDir();
    const server = await startServerProcess(
      { ...AS_IN_PRODUCTION, REDIS_URL: SHARED_REDIS_URL, TIMELINE_REDIS_PREFIX: prefix },
      dir,
    );
    const client = wsClient(server.url);
    const closed = new Promise<number>((resolve) =>
      client.on('closed', (event) => resolve((event as CloseEvent).code)),
    );
    const changes = collect(client, 'subscription { timelineChanges(since: "2000-01-01T00:00:00Z") { cursor } }');
    await changes.until((items) => items.length > 0);
    // The WAL file is there while the log is open; SQLite removes it when the last connection closes cleanly.
    expect(existsSync(path.join(dir, 'timeline.db-wal'))).toBe(true);

    await server.stop(); // SIGTERM, then waits for the exit
    expect(await server.exited).toBe(0);
    expect(await closed).toBe(1001);
    expect(server.stdout()).toContain('shut down: requests drained');
    expect(existsSync(path.join(dir, 'timeline.db-wal'))).toBe(false);
    await client.dispose();
  });

  it('on a shared read model built from another log, exits 1 saying so, and nothing else', async () => {
    const prefix = `test-diverged-${randomUUID()}`;
    prefixes.push(prefix);
    const shared = { NODE_ENV: 'production', REDIS_URL: SHARED_REDIS_URL, TIMELINE_REDIS_PREFIX: prefix };
    // A seeded log projected into the shared read models under this prefix, then a server on an empty log.
    const first = await startServerProcess({ ...shared, TIMELINE_SEED: 'true' }, dataDir());
    await first.stop();
    // It may serve for a moment, until it follows the shared checkpoint and finds it past the end of its log, or
    // stop before: either way it ends with 1, saying why on stderr.
    const outcome = await startServerProcess({ ...shared, TIMELINE_SEED: 'false' }, dataDir()).then(
      async (server) => ({ code: await server.exited, stderr: server.stderr() }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? String(error) }),
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^diplomatic-timeline stopped: .*the shared checkpoint \(\d+\) is past the end of the event log/,
      ),
    ]);
    expect(outcome.stderr).not.toContain('TypeError');
  });
});
