import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { privateRedis, type PrivateRedis } from '../support/private-redis.js';
import { captureLogs } from './log-capture.js';

/**
 * /readyz with REDIS_URL: a `redis` field, and 503 as soon as Redis stops answering, whatever the read-model feed
 * notices. The server runs in role all, so it leads the projection: a leader checks its progress against the log,
 * not Redis, and would otherwise look ready until its next write failed. Redis is a redis-server of the test's own
 * on a free port, stopped under the running server (a server cannot start without Redis at all: its first read of
 * the shared checkpoint fails).
 */

let redis: PrivateRedis;
let server: InProcessServer | null = null;

const stopRedis = () => redis.stop();

const readyz = async () => {
  const response = await fetch(`${new URL(server!.url).origin}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeEach(async () => {
  redis = await privateRedis();
  await redis.start();
});

afterEach(async () => {
  await server?.close();
  server = null;
  await redis.dispose();
});

describe('/readyz with REDIS_URL', () => {
  it("says whether Redis answers, and is not ready when it stops answering (role all, the projection's leader)", async () => {
    const logs = captureLogs();
    server = await startInProcessServer(
      {
        REDIS_URL: redis.url,
        TIMELINE_REDIS_PREFIX: `test-readyz-${randomUUID()}`,
        TIMELINE_ANONYMOUS_RATE_LIMIT: '1000',
      },
      logs.logger,
    );
    await expect.poll(readyz, { timeout: 10_000 }).toMatchObject({
      status: 200,
      body: { status: 'ready', store: 'ok', redis: 'ok', readModels: 'caught-up', leading: true },
    });

    await stopRedis();
    const started = Date.now();
    await expect.poll(readyz, { timeout: 5_000 }).toMatchObject({ status: 503, body: { status: 'not-ready' } });
    const { body } = await readyz();
    expect(body.redis).toEqual(expect.stringMatching(/not connected|no answer/));
    expect(body.store).toBe('ok');
    // Whichever comes first: the check cannot tell (unknown), or the leader already stopped for want of Redis.
    expect(body.readModels).toMatch(/^(unknown|failed: )/);
    // Well before the lease (10 s) could run out and stop the projection: the Redis check is what tells.
    expect(Date.now() - started).toBeLessThan(5_000);

    // Reads go on, unlimited, and the line saying so names the request.
    const from = logs.raw.length;
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ topics(first: 1) { totalCount } }' }),
    });
    expect(response.status).toBe(200);
    const warning = await logs.until((line) => line.msg === 'rate limits not enforced: Redis does not answer', from);
    expect(warning.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('has no redis field without REDIS_URL', async () => {
    server = await startInProcessServer();
    const { status, body } = await readyz();
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('redis');
  });
});
