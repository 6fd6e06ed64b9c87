import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITOR_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { mutate, pause, registerActor } from '../support/live-fixtures.js';
import { rawRequest } from '../support/raw-http.js';

/**
 * What a browser or a CDN sees of an answer on a real server with the seed timeline: Cache-Control (a year as
 * immutable for a GET about a past knownAt, revalidation with 304 for one about now, never stored for mutations
 * and errors), and gzip or brotli, for answers and for GraphiQL's page and assets.
 */

const A_YEAR = 'max-age=31536000, immutable';
let server: InProcessServer;
let withReaderKeys: InProcessServer;
/** For each server, an instant its log has recorded events after: what was known then can no longer change. */
const pastKnownAt = new Map<InProcessServer, string>();

const lastRecordedAt = async (url: string): Promise<string> => {
  const { eventLog } = await mutate<{ eventLog: { edges: { node: { recordedAt: string } }[] } }>(
    url,
    '{ eventLog(first: 500) { edges { node { recordedAt } } } }',
  );
  return eventLog.edges.at(-1)!.node.recordedAt;
};

beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_SEED: 'true' });
  withReaderKeys = await startInProcessServer({
    TIMELINE_SEED: 'true',
    TIMELINE_READER_KEYS: 'dash:reader-key-for-caching-0001',
  });
  for (const running of [server, withReaderKeys]) {
    pastKnownAt.set(running, await lastRecordedAt(running.url));
    // One more event, recorded later: the seed's last instant is now in the past of the log.
    await pause(5);
    await registerActor(running.url, 'late-actor', 'Late', EDITOR_KEY);
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  await withReaderKeys?.close();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A persisted query over GET, as Apollo Client's persisted-queries link sends it: the hash alone, and, the first
 * time the server does not know it, the hash with the query. The `apollo-require-preflight` header passes Apollo's
 * CSRF prevention.
 */
const persistedGet = async (url: string, query: string, headers: Record<string, string> = {}) => {
  const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });
  const sent = { 'apollo-require-preflight': '1', ...headers };
  const byHash = `${url}?extensions=${encodeURIComponent(extensions)}`;
  let answer = await rawRequest(byHash, { headers: sent });
  if (answer.body.toString().includes('PERSISTED_QUERY_NOT_FOUND')) {
    expect(answer.headers['cache-control']).toBe('no-store');
    // Registered by its first run (an invalid query is not: it is refused again by hash).
    answer = await rawRequest(`${byHash}&query=${encodeURIComponent(query)}`, { headers: sent });
    if (answer.status === 200) answer = await rawRequest(byHash, { headers: sent });
  }
  return answer;
};

const pastTimeline = (on = server) =>
  `{ timeline(knownAt: "${pastKnownAt.get(on)}", first: 500) { totalCount edges { node { id title kind occurredAt status } } } }`;

describe('Cache-Control', () => {
  it('keeps a GET about a past knownAt for a year as immutable, in any cache when reads are public', async () => {
    const answer = await persistedGet(server.url, pastTimeline());
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe(`public, ${A_YEAR}`);
    expect(answer.headers.etag).toBeDefined();
    const { data } = JSON.parse(answer.body.toString()) as { data: { timeline: { totalCount: number } } };
    expect(data.timeline.totalCount).toBeGreaterThan(20);
    // An actor at a fixed asOf and knownAt, too.
    const actor = await persistedGet(
      server.url,
      `{ actor(id: "donald-trump", asOf: "2025-10-20T00:00:00Z", knownAt: "${pastKnownAt.get(server)}") { name positions { stance } } }`,
    );
    expect(actor.headers['cache-control']).toBe(`public, ${A_YEAR}`);
  });

  it('keeps it only in the client’s own cache when reads need a key', async () => {
    const answer = await persistedGet(withReaderKeys.url, pastTimeline(withReaderKeys), {
      authorization: 'Bearer reader-key-for-caching-0001',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe(`private, ${A_YEAR}`);
  });

  it('revalidates an answer about now: its ETag gets a 304 until the answer changes', async () => {
    const query = '{ actors(first: 500) { totalCount } }';
    const first = await persistedGet(server.url, query);
    expect(first.headers['cache-control']).toBe('no-cache');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const unchanged = await persistedGet(server.url, query, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body.length).toBe(0);
    await registerActor(server.url, 'newer-actor', 'Newer', EDITOR_KEY);
    const changed = await persistedGet(server.url, query, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('never stores mutations, errors, batches, or an answer about a knownAt not yet past', async () => {
    const future = await persistedGet(server.url, '{ timeline(knownAt: "2999-01-01T00:00:00Z") { totalCount } }');
    expect(future.headers['cache-control']).toBe('no-cache');
    // The instant of the log's last event is not past: another event may still be recorded at that same instant.
    const last = await lastRecordedAt(server.url);
    const atTheEnd = await persistedGet(server.url, `{ timeline(knownAt: "${last}") { totalCount } }`);
    expect(atTheEnd.headers['cache-control']).toBe('no-cache');
    const post = await rawRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: pastTimeline() }),
    });
    expect(post.headers['cache-control']).toBe('no-cache');
    const mutation = await rawRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR_KEY}` },
      body: JSON.stringify({
        query: 'mutation { registerActor(input: { id: "m-actor", name: "M", kind: PERSON }) { id } }',
      }),
    });
    expect(mutation.status, mutation.body.toString()).toBe(200);
    expect(mutation.headers['cache-control']).toBe('no-store');
    const invalid = await persistedGet(server.url, `{ timeline(knownAt: "${pastKnownAt.get(server)}") { nope } }`);
    expect(invalid.headers['cache-control']).toBe('no-store');
    const batch = await rawRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(batch.status).toBe(400);
    expect(batch.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(batch.body.toString())).toEqual({
      errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});

describe('compression', () => {
  it('sends answers in brotli or gzip, as accepted, and varies on it', async () => {
    const plain = await persistedGet(server.url, pastTimeline());
    const brotli = await persistedGet(server.url, pastTimeline(), { 'accept-encoding': 'br, gzip' });
    const gzip = await persistedGet(server.url, pastTimeline(), { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(brotliDecompressSync(brotli.body)).toEqual(plain.body);
    expect(gunzipSync(gzip.body)).toEqual(plain.body);
    expect(brotli.body.length).toBeLessThan(plain.body.length / 2);
    expect(brotli.headers.vary).toMatch(/Accept-Encoding/);
    expect(brotli.headers.vary).toMatch(/Accept\b/);
    expect(brotli.headers['cache-control']).toBe(`public, ${A_YEAR}`);
  });

  it('serves GraphiQL as a small page and assets named by their content, kept for good and compressed', async () => {
    const page = await rawRequest(server.url, { headers: { accept: 'text/html', 'accept-encoding': 'br' } });
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    const html =
      page.headers['content-encoding'] === 'br' ? brotliDecompressSync(page.body).toString() : page.body.toString();
    const assets = [...html.matchAll(/(?:src|href)="(graphiql-assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    let total = 0;
    for (const asset of assets) {
      const url = new URL(asset, server.url).href;
      const answer = await rawRequest(url, { headers: { 'accept-encoding': 'br' } });
      expect(answer.status).toBe(200);
      expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      if (answer.body.length > 1024) expect(answer.headers['content-encoding']).toBe('br');
      total += answer.body.length;
    }
    // The whole of GraphiQL (about 9 MB as it is) goes over the wire in about 2 MB, once.
    expect(total).toBeLessThan(3_000_000);
    expect((await rawRequest(new URL('graphiql-assets/nope.0000000000000000.js', server.url).href)).status).toBe(404);
  });
});
