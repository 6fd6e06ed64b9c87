import { describe, expect, it } from 'vitest';
import { secretDigest } from '../../src/config/environment.js';
import { runTimelineCli } from '../support/cli-in-process.js';
import { graphql } from '../support/graphql-client.js';
import { startInProcessServer } from '../support/in-process-server.js';

/** `timeline keys`: a key printed once with the entry that keeps only its hash, which a real server then accepts. */

const timeline = (args: readonly string[], stdin?: string) =>
  runTimelineCli(['keys', ...args], stdin === undefined ? {} : { stdin });

describe('timeline keys', () => {
  it('generates a key and the configuration entry holding its hash, which a server accepts', async () => {
    const run = await timeline(['generate', '--role', 'admin', '--name', 'ops']);
    expect(run.code).toBe(0);
    const [, secret, entry] = /\n {2}(\S+)\n[^\n]*TIMELINE_ADMIN_KEYS[^\n]*\n {2}(\S+)\n$/.exec(run.stdout) ?? [];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(entry).toBe(`ops:sha256:${secretDigest(secret!)}`);

    const server = await startInProcessServer({ TIMELINE_ADMIN_KEYS: entry! });
    try {
      const response = await graphql<{ apiKeys: unknown[] }>(server.url, '{ apiKeys { name role } }', {}, secret);
      expect(response.data?.apiKeys).toEqual([
        { name: 'ops', role: 'ADMIN' },
        { name: 'tests', role: 'EDITOR' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('hashes a key piped in, and refuses what is not a key', async () => {
    expect(await timeline(['hash'], 'a-key-to-hash-0000000001\n')).toEqual({
      code: 0,
      stdout: `sha256:${secretDigest('a-key-to-hash-0000000001')}\n`,
      stderr: '',
    });
    expect(await timeline(['hash'], 'short\n')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('at least 16'),
    });
    expect(await timeline(['generate', '--role', 'root'])).toMatchObject({ code: 2 });
    expect(await timeline(['hash', 'a-key-given-as-argument-01'])).toMatchObject({ code: 2 });
    expect(await timeline(['rotate'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('expected generate or hash'),
    });
  });
});
