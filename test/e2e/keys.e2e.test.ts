import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';

const EDITOR = 'editor-secret-0123456789';
const READER = 'reader-secret-0123456789';
let server: ServerProcess;

const register = `mutation { registerActor(input: {id: "new-actor", name: "New", kind: PERSON}) { id } }`;
const logLength = async () => {
  const response = await graphql<{ eventLog: { edges: unknown[] } }>(
    server.url,
    '{ eventLog(first: 500) { edges { cursor } } }',
    {},
    READER,
  );
  return response.data!.eventLog.edges.length;
};

beforeAll(async () => {
  server = await startServerProcess({
    TIMELINE_EDITOR_KEYS: `desk:${EDITOR}`,
    TIMELINE_READER_KEYS: READER,
    TIMELINE_SEED: 'false',
  });
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

describe('configured editor and reader keys', () => {
  it('makes no key of its own and loads no seed', async () => {
    expect(server.stdout()).not.toContain('Authorization: Bearer');
    expect(await logLength()).toBe(0);
  });

  it('refuses reads without a key, allows them with a reader or an editor key', async () => {
    const anonymous = await graphql(server.url, '{ actors { totalCount } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data ?? null).toBeNull();
    expect((await graphql(server.url, '{ actors { totalCount } }', {}, READER)).data).toEqual({
      actors: { totalCount: 0 },
    });
    expect((await graphql(server.url, '{ actors { totalCount } }', {}, EDITOR)).data).toEqual({
      actors: { totalCount: 0 },
    });
  });

  it('refuses a mutation with a reader key (FORBIDDEN) and appends nothing', async () => {
    const response = await graphql(server.url, register, {}, READER);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(response.status).toBe(403);
    expect(await logLength()).toBe(0);
  });

  it('accepts the mutation with the editor key and records its name in the metadata', async () => {
    const response = await graphql(server.url, register, {}, EDITOR);
    expect(response.data).toEqual({ registerActor: { id: 'new-actor' } });
    expect(await logLength()).toBe(1);
  });
});
