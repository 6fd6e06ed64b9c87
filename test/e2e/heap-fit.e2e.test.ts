import { afterEach, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';

/** The start compares TIMELINE_CACHE_MB with the heap limit Node was given, as a user sets both. */
describe('a server whose read-model cache does not fit its heap limit', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    server = undefined;
  });

  const warnings = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line.includes('"heapLimitBytes"') && line.includes('"level":40'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);

  it('says so at start, naming both settings, and serves all the same', async () => {
    server = await startServerProcess({ NODE_OPTIONS: '--max-old-space-size=200', TIMELINE_CACHE_MB: '256' });
    expect(warnings(server.stdout())).toEqual([
      expect.stringMatching(/TIMELINE_CACHE_MB=256\).*--max-old-space-size by \d+ MB$/),
    ]);
    expect((await graphql(server.url, '{ topics(first: 1) { totalCount } }')).status).toBe(200);
  });

  it('says nothing when it fits', async () => {
    server = await startServerProcess({ NODE_OPTIONS: '--max-old-space-size=200', TIMELINE_CACHE_MB: '32' });
    expect(warnings(server.stdout())).toEqual([]);
    expect(server.stdout()).toMatch(/"cacheBytes":33554432/);
  });
});
