import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/store/event-store.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { collect, wsClient } from '../support/live-client.js';
import { captureLogs, type LogLine } from './log-capture.js';

/**
 * What the server logs about requests, read from its real pino output: one id per request (the client's when sane,
 * sent back in x-request-id), on every line about it, including formatError's; one line per finished operation;
 * never a key, connection params or variables.
 */

const EDITOR = 'observability-editor-secret-000001';
const READER = 'observability-reader-secret-000001';
const SECRET_VARIABLE = 'a-variable-nobody-may-log-4711';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const logs = captureLogs();
let server: InProcessServer;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startInProcessServer(
    { TIMELINE_EDITOR_KEYS: `obs-editor:${EDITOR}`, TIMELINE_READER_KEYS: `obs-reader:${READER}` },
    logs.logger,
  );
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server?.close();
});

interface Served {
  readonly status: number;
  readonly body: { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  readonly requestId: string;
  /** The finished-operation line. */
  readonly finished: LogLine;
  /** Every line written from the request's start until its finished-operation line. */
  readonly lines: LogLine[];
}

/** POSTs to /graphql and hands back the answer with the log lines the server wrote meanwhile. */
const served = async (
  payload: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<Served> => {
  const from = logs.raw.length;
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  const body = (await response.json()) as Served['body'];
  const requestId = response.headers.get('x-request-id') ?? '';
  const isFinished = (line: LogLine) => line.msg === 'graphql operation' && line.requestId === requestId;
  const finished = await logs.until(isFinished, from);
  const lines = logs.lines().slice(from);
  const about = lines.slice(0, lines.findIndex(isFinished) + 1);
  expect(about.at(-1)).toEqual(finished);
  return { status: response.status, body, requestId, finished, lines: about };
};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('request ids and log lines over HTTP', () => {
  it("keeps a sane x-request-id of the client's, and puts it on every line about the request", async () => {
    const query = await served(
      { query: 'query Topics { topics(first: 2) { totalCount } }' },
      { ...bearer(READER), 'x-request-id': 'client-chosen-id-42' },
    );
    expect(query.status).toBe(200);
    expect(query.requestId).toBe('client-chosen-id-42');
    for (const line of query.lines) expect(line.requestId, line.msg).toBe('client-chosen-id-42');
    expect(query.finished).toMatchObject({
      level: 30,
      operationName: 'Topics',
      operationType: 'query',
      status: 200,
      keyName: 'obs-reader',
      durationMs: expect.any(Number),
    });
    expect(query.finished).not.toHaveProperty('errorCodes');
  });

  it('makes a new id for a request without one, or with one that is not sane', async () => {
    const chosen: Record<string, string>[] = [
      {},
      { 'x-request-id': 'has spaces; and "quotes"' },
      { 'x-request-id': 'x'.repeat(300) },
    ];
    for (const headers of chosen) {
      const { requestId, finished } = await served(
        { query: '{ topics(first: 1) { totalCount } }' },
        {
          ...bearer(READER),
          ...headers,
        },
      );
      expect(requestId).toMatch(UUID);
      expect(finished).toMatchObject({ requestId, operationName: null, operationType: 'query', status: 200 });
    }
  });

  it('logs a refused mutation with its codes and the key by name, never its variables', async () => {
    const refused = await served(
      {
        query: 'mutation Register($input: RegisterActorInput!) { registerActor(input: $input) { id } }',
        variables: { input: { id: 'someone', name: SECRET_VARIABLE, kind: 'PERSON' } },
      },
      bearer(READER),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.requestId).toMatch(UUID);
    for (const line of refused.lines) expect(line.requestId, line.msg).toBe(refused.requestId);
    expect(refused.finished).toMatchObject({
      operationName: 'Register',
      operationType: 'mutation',
      status: 403,
      errorCodes: ['FORBIDDEN'],
      keyName: 'obs-reader',
    });
  });

  it('names an unknown key "invalid" and no key "anonymous"', async () => {
    const invalid = await served({ query: '{ topics(first: 1) { totalCount } }' }, bearer('no-such-key-000000000000'));
    expect(invalid.finished).toMatchObject({ status: 401, errorCodes: ['UNAUTHENTICATED'], keyName: 'invalid' });
    const anonymous = await served({ query: '{ topics(first: 1) { totalCount } }' });
    expect(anonymous.finished).toMatchObject({ status: 401, errorCodes: ['UNAUTHENTICATED'], keyName: 'anonymous' });
  });

  it('uses the request id as the correlation id of the events a mutation appends, or x-correlation-id', async () => {
    const write = (id: string, headers: Record<string, string>) =>
      served(
        {
          query: 'mutation($input: RegisterActorInput!) { registerActor(input: $input) { id } }',
          variables: { input: { id, name: id, kind: 'PERSON' } },
        },
        { ...bearer(EDITOR), ...headers },
      );
    const correlationOf = async (streamEnd: string) => {
      const events = await server.timeline.services.store.readAll({ maxCount: 1_000 });
      return events.find((event) => event.streamId.endsWith(streamEnd))?.metadata.correlationId;
    };

    const plain = await write('logged-actor-1', { 'x-request-id': 'write-request-7' });
    expect(plain.finished).toMatchObject({ status: 200, keyName: 'obs-editor', operationType: 'mutation' });
    expect(await correlationOf('logged-actor-1')).toBe('write-request-7');

    const correlated = await write('logged-actor-2', { 'x-correlation-id': 'workflow-9' });
    expect(correlated.requestId).toMatch(UUID);
    expect(await correlationOf('logged-actor-2')).toBe('workflow-9');
    for (const line of correlated.lines) expect(line).toMatchObject({ requestId: correlated.requestId });
    expect(correlated.finished).toMatchObject({ correlationId: 'workflow-9' });
  });

  it("puts the request id on formatError's line about an unexpected error", async () => {
    const services = server.timeline.services as { store: EventStore };
    const store = services.store;
    services.store = {
      ...store,
      readAll: async () => {
        throw new Error('the disk is on fire');
      },
    };
    try {
      const failed = await served({ query: '{ eventLog(first: 1) { edges { cursor } } }' }, bearer(READER));
      expect(failed.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const error = failed.lines.find((line) => line.msg === 'unexpected error in a GraphQL operation');
      expect(error).toMatchObject({ level: 50, requestId: failed.requestId });
      expect(JSON.stringify(error)).toContain('the disk is on fire');
      for (const line of failed.lines) expect(line.requestId, line.msg).toBe(failed.requestId);
      expect(failed.finished).toMatchObject({ errorCodes: ['INTERNAL_SERVER_ERROR'] });
    } finally {
      services.store = store;
    }
  });
});

describe('request ids and log lines over WebSocket', () => {
  it('gives each subscription an id of its own, on every line about it', async () => {
    const client = wsClient(server.url, EDITOR);
    clients.push(client);
    const from = logs.raw.length;
    const feed = collect(client, 'subscription Changes($after: String) { timelineChanges(after: $after) { cursor } }', {
      after: null,
    });
    const started = await logs.until((line) => line.msg === 'subscription started', from);
    expect(started.requestId).toMatch(UUID);
    feed.unsubscribe();
    const isEnd = (line: LogLine) => line.msg === 'subscription ended';
    const ended = await logs.until(isEnd, from);
    expect(ended).toMatchObject({
      level: 30,
      requestId: started.requestId,
      operationName: 'Changes',
      operationType: 'subscription',
      keyName: 'obs-editor',
      durationMs: expect.any(Number),
    });
    const lines = logs.lines().slice(from);
    const about = lines.slice(0, lines.findIndex(isEnd) + 1);
    expect(about.length).toBeGreaterThanOrEqual(2);
    for (const line of about) expect(line.requestId, line.msg).toBe(started.requestId);
  });

  it('logs a refused subscription with its codes, and a second one on the socket with another id', async () => {
    const client = wsClient(server.url, 'not-a-key-of-this-server-0000');
    clients.push(client);
    const from = logs.raw.length;
    const first = collect(client, 'subscription { timelineChanges { cursor } }');
    await first.until(() => first.errors.length > 0);
    const second = collect(client, 'subscription { timelineChanges { cursor } }');
    await second.until(() => second.errors.length > 0);
    const refusals = logs
      .lines()
      .slice(from)
      .filter((line) => line.msg === 'subscription refused');
    expect(refusals).toHaveLength(2);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ level: 30, errorCodes: ['UNAUTHENTICATED'], keyName: 'invalid' });
      expect(refusal.requestId).toMatch(UUID);
    }
    expect(refusals[0]!.requestId).not.toBe(refusals[1]!.requestId);
  });
});

describe('what is never logged', () => {
  it('has no key, no bearer header and no variable in any line the server wrote', () => {
    const everything = logs.raw.join('\n');
    expect(logs.raw.length).toBeGreaterThan(10);
    for (const secret of [EDITOR, READER, 'not-a-key-of-this-server-0000', 'no-such-key-000000000000']) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain(SECRET_VARIABLE);
    expect(everything.toLowerCase()).not.toContain('bearer');
  });
});
