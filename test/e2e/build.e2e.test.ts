import { afterAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';

let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

// dist/ is built once before the e2e tier by test/support/build-once.ts (scripts/build.mjs, as `npm start` does).
describe('the build that npm start runs', () => {
  it('compiles, carries its migrations and seed along, and serves the seed from plain Node', async () => {
    server = await startServerProcess({}, undefined, 'build');
    expect(server.stdout()).toContain('Authorization: Bearer');
    const response = await graphql(
      server.url,
      '{ meeting(id: "budapest-summit-2025", asOf: "2025-10-17T12:00:00Z") { status } }',
    );
    expect(response.data).toEqual({ meeting: { status: 'AGREED' } });
  }, 120_000);
});
