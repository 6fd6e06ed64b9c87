import fc from 'fast-check';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, valueOf } from '../observability/prometheus-text.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';

/**
 * The known queries' lane (src/server/graphql-endpoint/known-queries.ts) answers a POST of a query Apollo has
 * validated without Apollo's pipeline. Two servers on the same seed, one with the lane and one without
 * (TIMELINE_KNOWN_QUERIES_LANE=false), are sent the same generated requests: valid and invalid documents, every kind
 * of variable, operation names, Accept headers, keys of every role and none, fields Apollo refuses, batches. Every
 * answer must be the same on both, status, the headers a client reads and body alike, and the lane must have
 * answered the plain queries it may answer (its counter), and nothing else.
 */

const ADMIN_KEY = 'admin-key-for-known-queries-0123456789';
const READER_KEY = 'reader-key-for-known-queries-0123456789';
const EDITOR_KEY = 'editor-key-for-tests-0123456789';
const KEYS = {
  TIMELINE_SEED: 'true',
  TIMELINE_ADMIN_KEYS: `admin:${ADMIN_KEY}`,
  TIMELINE_READER_KEYS: `reader:${READER_KEY}`,
};

let withLane: InProcessServer;
let apolloOnly: InProcessServer;

beforeAll(async () => {
  [withLane, apolloOnly] = await Promise.all([
    startInProcessServer(KEYS),
    startInProcessServer({ ...KEYS, TIMELINE_KNOWN_QUERIES_LANE: 'false' }),
  ]);
}, 60_000);

afterAll(async () => {
  await withLane?.close();
  await apolloOnly?.close();
});

const laneAnswers = async (server: InProcessServer): Promise<number> => {
  const response = await fetch(`${new URL(server.url).origin}/metrics`);
  return valueOf(parsePrometheusText(await response.text()), 'timeline_graphql_known_query_answers_total');
};

// Explicit time points everywhere: an answer about "now" would differ between two servers by a millisecond.
const AS_OF = '"2025-10-20T00:00:00Z"';
const DOCUMENTS = {
  actor: `query Actor($id: ID!, $asOf: DateTime = ${AS_OF}) {
    actor(id: $id, asOf: $asOf, knownAt: ${AS_OF}) {
      id name viewId roles { title } positions { stance topic { id } } relations { other { id } tone }
      developmentCount lastActiveAt
    }
  }`,
  timeline: `query Timeline($first: Int, $after: String) {
    timeline(first: $first, after: $after, knownAt: ${AS_OF}) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title participants { role actor { id } } } }
    }
  }`,
  twoOperations: `query One { __typename } query Two { actors(first: 2, asOf: ${AS_OF}, knownAt: ${AS_OF}) { totalCount } }`,
  typename: '{ __typename }',
  admin: '{ serverStatus { role } }',
  mutation: 'mutation { retractDevelopment(id: "no-such-development", reason: "x") { id } }',
  unknownField: '{ nothingHere }',
  notGraphQL: '{ actor(id: ',
  tooDeep: `{ actor(id: "donald-trump") { ${'relations { other { '.repeat(8)}id${' } }'.repeat(8)} } }`,
};
type DocumentName = keyof typeof DOCUMENTS;

/** Mostly what a client sends, sometimes one of the others: the lane is exercised, and so is every refusal. */
const mostly = <T>(usual: fc.Arbitrary<T>, ...others: T[]): fc.Arbitrary<T> =>
  fc.oneof({ weight: 3, arbitrary: usual }, { weight: 1, arbitrary: fc.constantFrom(...others) });

const variablesFor: Record<DocumentName, fc.Arbitrary<unknown>> = {
  actor: mostly<unknown>(
    fc.oneof(
      fc.record({ id: fc.constantFrom('donald-trump', 'vladimir-putin', 'nobody-at-all') }),
      fc.constant({ id: 'donald-trump', asOf: '2025-03-01T00:00:00Z' }),
    ),
    { id: 'donald-trump', asOf: 'yesterday' },
    { id: 'donald-trump', asOf: 42 },
    {},
    null,
    '{"id":"donald-trump"}',
  ),
  timeline: mostly<unknown>(
    fc.record({ first: fc.constantFrom(5, 20, 0, 1) }),
    { first: 1_000_000 },
    { first: -1 },
    { first: 2, after: 'not-a-cursor' },
    { first: 2, after: '' },
    undefined,
  ),
  twoOperations: fc.constant(undefined),
  typename: fc.constantFrom(undefined, {}, null),
  admin: fc.constant(undefined),
  mutation: fc.constant(undefined),
  unknownField: fc.constant(undefined),
  notGraphQL: fc.constant(undefined),
  tooDeep: fc.constant(undefined),
};

const requestArbitrary = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom<DocumentName>('actor', 'timeline', 'twoOperations', 'typename') },
    { weight: 1, arbitrary: fc.constantFrom(...(Object.keys(DOCUMENTS) as DocumentName[])) },
  )
  .chain((name) =>
    fc.record({
      name: fc.constant(name),
      variables: variablesFor[name],
      operationName: mostly<unknown>(
        fc.constantFrom(undefined, name === 'twoOperations' ? 'Two' : name === 'actor' ? 'Actor' : undefined),
        'One',
        'Nope',
        null,
        7,
      ),
      key: mostly<string | undefined>(
        fc.constantFrom(READER_KEY, EDITOR_KEY),
        ADMIN_KEY,
        undefined,
        'not-a-key-of-this-server-0123456789',
      ),
      accept: mostly<string | undefined>(
        fc.constantFrom(
          undefined,
          'application/json',
          'application/graphql-response+json',
          'application/graphql-response+json, application/json;q=0.9',
        ),
        'application/json; callbackSpec=1.0',
        'text/html',
        '*/*',
      ),
      extra: mostly<Record<string, unknown> | undefined>(
        fc.constant(undefined),
        { extensions: {} },
        { extensions: { persistedQuery: { version: 1 } } },
      ),
      batch: mostly<boolean>(fc.constant(false), true),
    }),
  );
type GeneratedRequest = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

const bodyOf = (generated: GeneratedRequest): string => {
  const one = {
    query: DOCUMENTS[generated.name],
    ...(generated.variables === undefined ? {} : { variables: generated.variables }),
    ...(generated.operationName === undefined ? {} : { operationName: generated.operationName }),
    ...generated.extra,
  };
  return JSON.stringify(generated.batch ? [one] : one);
};

const send = (server: InProcessServer, generated: GeneratedRequest): Promise<RawAnswer> =>
  rawRequest(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(generated.accept ? { accept: generated.accept } : {}),
      ...(generated.key ? { authorization: `Bearer ${generated.key}` } : {}),
    },
    body: bodyOf(generated),
  });

/** What a client reads of an answer: its request id is its own, its date the clock's. */
const READ_HEADERS = ['content-type', 'cache-control', 'vary', 'www-authenticate', 'content-length', 'allow'];
const comparable = (answer: RawAnswer) => ({
  status: answer.status,
  headers: Object.fromEntries(READ_HEADERS.map((name) => [name, answer.headers[name]])),
  body: answer.body.toString('utf8'),
});

/**
 * What the lane answers: a POST of one valid query, no extensions, an Accept Apollo answers in plain JSON (the
 * subscription callback's media type is Apollo's to answer).
 */
const laneMayAnswer = (generated: GeneratedRequest, answer: RawAnswer): boolean =>
  !generated.batch &&
  generated.extra === undefined &&
  generated.accept !== 'application/json; callbackSpec=1.0' &&
  answer.status === 200 &&
  !answer.body.toString('utf8').includes('"errors"') &&
  ['actor', 'timeline', 'twoOperations', 'typename'].includes(generated.name);

describe("the known queries' lane", () => {
  it('answers every generated request as Apollo does, and answers the plain queries itself', async () => {
    // Apollo validates each document once, on either server: the lane learns the texts from it.
    for (const query of Object.values(DOCUMENTS)) {
      for (const server of [withLane, apolloOnly]) {
        await rawRequest(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
          body: JSON.stringify({ query, operationName: query.includes('query One') ? 'One' : undefined }),
        });
      }
    }
    let answeredByLane = 0;
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (generated) => {
        const before = await laneAnswers(withLane);
        const [ours, apollos] = [await send(withLane, generated), await send(apolloOnly, generated)];
        expect(comparable(ours)).toEqual(comparable(apollos));
        // Every refusal names its cause: an operation name the document lacks was once an internal error.
        expect(apollos.body.toString('utf8')).not.toContain('INTERNAL_SERVER_ERROR');
        const answered = (await laneAnswers(withLane)) - before;
        expect(answered).toBe(laneMayAnswer(generated, apollos) ? 1 : 0);
        answeredByLane += answered;
      }),
      { numRuns: 300, seed: 18 },
    );
    expect(await laneAnswers(apolloOnly)).toBe(0);
    expect(answeredByLane).toBeGreaterThan(30);
  }, 120_000);

  it("compresses its answers as Apollo's are compressed, and only above 1 kB", async () => {
    const asked = (encoding: string, query: string) =>
      rawRequest(withLane.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'accept-encoding': encoding,
          authorization: `Bearer ${READER_KEY}`,
        },
        body: JSON.stringify({ query, variables: { first: 20 } }),
      });
    const before = await laneAnswers(withLane);
    const plain = await asked('identity', DOCUMENTS.timeline);
    const brotli = await asked('gzip, br', DOCUMENTS.timeline);
    const gzip = await asked('gzip', DOCUMENTS.timeline);
    const small = await asked('gzip, br', DOCUMENTS.typename);
    expect((await laneAnswers(withLane)) - before).toBe(4);
    expect(plain.body.length).toBeGreaterThan(1_024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(brotliDecompressSync(brotli.body)).toEqual(plain.body);
    expect(gunzipSync(gzip.body)).toEqual(plain.body);
    for (const answer of [plain, brotli, gzip, small]) {
      expect(answer.headers.vary).toBe('Origin, Accept, Accept-Encoding');
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    }
  });
});
