import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

describe('the build that npm start runs', () => {
  it('compiles, carries its migrations and seed along, and serves the seed from plain Node', async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    server = await startServerProcess({}, undefined, 'build');
    expect(server.stdout()).toContain('Authorization: Bearer');
    const response = await graphql(
      server.url,
      '{ meeting(id: "budapest-summit-2025", asOf: "2025-10-17T12:00:00Z") { status } }',
    );
    expect(response.data).toEqual({ meeting: { status: 'AGREED' } });
  }, 120_000);
});
