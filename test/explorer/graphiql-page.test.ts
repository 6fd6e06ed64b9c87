import { runInNewContext } from 'node:vm';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_TABS,
  GRAPHIQL_FETCHER,
  buildGraphiql,
  GRAPHIQL_ASSETS_PATH,
} from '../../src/explorer/graphiql-page.js';
import { timelineSchema } from '../../src/graphql/schema.js';

// The GraphiQL page without a browser: its examples fit the schema, it loads nothing from elsewhere, and its
// fetcher sends each operation where it belongs, with the key. test/browser/graphiql.browser.test.ts runs it.

interface Sent {
  readonly http: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[];
  readonly clients: { url: string; connectionParams: unknown }[];
  readonly subscribed: Record<string, unknown>[];
}

/** The fetcher, evaluated with a recording fetch and graphql-ws client, as on https://example.org/graphql. */
const loadFetcher = () => {
  const sent: Sent = { http: [], clients: [], subscribed: [] };
  const window: { timelineFetcher?: (params: object, options?: object) => unknown } = {};
  runInNewContext(GRAPHIQL_FETCHER, {
    window,
    location: { origin: 'https://example.org', pathname: '/graphql' },
    fetch: (url: string, init: { headers: Record<string, string>; body: string }) => {
      sent.http.push({ url, headers: init.headers, body: JSON.parse(init.body) as Record<string, unknown> });
      return Promise.resolve({ status: 200, text: () => Promise.resolve('{"data":{}}') });
    },
    graphqlWs: {
      createClient: (options: { url: string; connectionParams: unknown }) => {
        sent.clients.push({ url: options.url, connectionParams: options.connectionParams });
        return {
          subscribe: (payload: Record<string, unknown>) => {
            sent.subscribed.push(payload);
            return () => {};
          },
          dispose: () => {},
        };
      },
    },
  });
  const fetcher = window.timelineFetcher!;
  const subscribe = (params: object, options?: object) =>
    (fetcher(params, options) as { subscribe(observer: object): unknown }).subscribe({
      next: () => {},
      error: () => {},
      complete: () => {},
    });
  return { fetcher, subscribe, sent };
};

describe('the GraphiQL page', () => {
  it('preloads examples that are valid operations of the schema', async () => {
    const schema = await timelineSchema();
    const names = EXAMPLE_TABS.map((tab) => {
      const document = parse(tab.query);
      expect(validate(schema, document)).toEqual([]);
      if (tab.variables) JSON.parse(tab.variables);
      return document.definitions.map((definition) => ('name' in definition ? definition.name?.value : undefined));
    });
    expect(names.flat()).toEqual([
      'BudapestSummit',
      'PutinPositions',
      'TrumpOctober',
      'TimelineChanges',
      'RecordDevelopment',
    ]);
  });

  it('loads only its own assets, named by their content: no script, style or font from another host', async () => {
    const { page, assets } = await buildGraphiql();
    expect(page).toContain('renderYogaGraphiQL');
    expect(page.length).toBeLessThan(20_000);
    const referenced = [...page.matchAll(/(?:src|href)="(?!data:)([^"]+)"/g)].map((match) => match[1]);
    expect(referenced.length).toBeGreaterThanOrEqual(4);
    for (const url of referenced) {
      expect(url).toMatch(new RegExp(`^${GRAPHIQL_ASSETS_PATH}/[a-z-]+\\.[0-9a-f]{16}\\.(js|css)$`));
      expect(assets.has(url!.slice(GRAPHIQL_ASSETS_PATH.length + 1))).toBe(true);
    }
    const all = [page, ...[...assets.values()].map((asset) => asset.body)].join('\n');
    expect(all).toContain('createClient');
    expect(all).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
    expect(all).not.toMatch(/unpkg\.com|jsdelivr|cdnjs|esm\.sh|fonts\.googleapis|apollographql\.com/i);
  });
});

describe("GraphiQL's fetcher", () => {
  it('posts queries and mutations as JSON to the page URL, with the headers editor headers', async () => {
    const { fetcher, sent } = loadFetcher();
    await fetcher(
      { query: 'query A { a } mutation B { b }', operationName: 'B', variables: { x: 1 } },
      { headers: { Authorization: 'Bearer k' } },
    );
    expect(sent.http).toEqual([
      {
        url: 'https://example.org/graphql',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          Authorization: 'Bearer k',
        },
        body: { query: 'query A { a } mutation B { b }', operationName: 'B', variables: { x: 1 } },
      },
    ]);
  });

  it('subscribes over graphql-ws on the same URL, with the Authorization header in connection_init', () => {
    const { subscribe, sent } = loadFetcher();
    const query =
      '# subscription Fake { x }\nsubscription S($since: DateTime) { timelineChanges(since: $since) { cursor } }';
    subscribe(
      { query, operationName: 'S', variables: { since: '2025-01-01T00:00:00Z' } },
      {
        headers: { authorization: 'Bearer reader' },
      },
    );
    expect(sent.http).toEqual([]);
    expect(sent.clients).toEqual([
      { url: 'wss://example.org/graphql', connectionParams: { authorization: 'Bearer reader' } },
    ]);
    expect(sent.subscribed).toEqual([{ query, operationName: 'S', variables: { since: '2025-01-01T00:00:00Z' } }]);

    // The same key keeps its socket; another key gets another one.
    subscribe({ query, operationName: 'S' }, { headers: { authorization: 'Bearer reader' } });
    subscribe({ query, operationName: 'S' }, {});
    expect(sent.clients.map((client) => client.connectionParams)).toEqual([{ authorization: 'Bearer reader' }, {}]);
  });

  it('goes by the text it sends when GraphiQL names an operation of the tab it just left', () => {
    const { fetcher, sent } = loadFetcher();
    const subscription = `subscription TimelineChanges($f: TimelineFilter = {actorIds: ["a"]}) @x(y: "{") {
      timelineChanges(filter: $f) { cursor }
    }
    fragment F on Development { id }`;
    (fetcher({ query: subscription, operationName: 'BudapestSummit' }) as { subscribe(o: object): unknown }).subscribe({
      next: () => {},
      error: () => {},
      complete: () => {},
    });
    expect(sent.subscribed).toEqual([{ query: subscription, operationName: 'TimelineChanges' }]);
    expect(sent.http).toEqual([]);

    void fetcher({ query: '{ a }', operationName: 'TimelineChanges' });
    expect(sent.http.map((request) => request.body)).toEqual([{ query: '{ a }' }]);
  });
});
