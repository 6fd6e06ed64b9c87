import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';

/** One preloaded GraphiQL tab: an operation, its variables and headers (JSON text, as the editors hold them). */
export interface ExampleTab {
  readonly query: string;
  readonly variables?: string;
  readonly headers?: string;
}

/** The questions of docs/api.md ("Ask it" and "Live updates"), one tab each, in the order GraphiQL shows them. */
export const EXAMPLE_TABS: readonly ExampleTab[] = [
  {
    query: `# The Budapest summit as of 17 October 2025, and
# as of 15 October, when it did not exist (null).
# Run it with ▶ or Ctrl-Enter. Each tab above is
# another example.
query BudapestSummit {
  on17: meeting(
    id: "budapest-summit-2025"
    asOf: "2025-10-17T12:00:00Z"
  ) {
    status
    location
    participants {
      name
    }
  }
  on15: meeting(
    id: "budapest-summit-2025"
    asOf: "2025-10-15T12:00:00Z"
  ) {
    status
  }
}
`,
  },
  {
    query: `# Putin's positions: his latest stance on each
# topic, and since when.
query PutinPositions {
  actor(id: "vladimir-putin") {
    name
    positions {
      topic {
        id
      }
      stance
      since
    }
  }
}
`,
  },
  {
    query: `# Trump's October 2025, in date order.
query TrumpOctober {
  timeline(
    filter: {
      actorIds: ["donald-trump"]
      from: "2025-10-01T00:00:00Z"
      to: "2025-10-31T23:59:59Z"
    }
    order: ASC
  ) {
    totalCount
    edges {
      node {
        occurredAt
        kind
        title
        status
      }
    }
  }
}
`,
  },
  {
    query: `# Changes to the timeline, over graphql-ws on this
# URL. With \`since\` (a recorded time) the log is
# replayed from there (phase REPLAY), then it goes
# on live (LIVE). The pane shows the latest change.
# Resubscribe with \`after: "<the last cursor>"\`
# to get exactly what you missed. With reader keys,
# put yours in Headers: it is sent in
# connection_init as \`authorization\`.
subscription TimelineChanges($since: DateTime) {
  timelineChanges(since: $since) {
    cursor
    phase
    change
    development {
      id
      title
      occurredAt
      status
      revision
    }
  }
}
`,
    variables: JSON.stringify({ since: '2025-01-01T00:00:00Z' }, null, 2),
  },
  {
    query: `# Record a development. This writes to the log, so
# it needs an editor key: put the key the server
# printed at its first start in Headers. Without
# one the answer is UNAUTHENTICATED and nothing is
# written. Sent again, it returns the stored
# development and appends nothing (the id makes it
# idempotent). Change it later with
# correctDevelopment, passing the revision as
# expectedRevision.
mutation RecordDevelopment($input: RecordDevelopmentInput!) {
  recordDevelopment(input: $input) {
    id
    revision
    status
  }
}
`,
    variables: JSON.stringify(
      {
        input: {
          id: 'trump-budapest-two-weeks-2025-10-18',
          kind: 'STATEMENT',
          precision: 'DAY',
          title: 'Trump says the Budapest summit could happen within two weeks',
          occurredAt: '2025-10-18T00:00:00Z',
          participants: [{ actorId: 'donald-trump', role: 'SOURCE' }],
          topicIds: ['peace-talks'],
          sources: [{ publisher: 'Reuters' }],
        },
      },
      null,
      2,
    ),
    headers: JSON.stringify({ Authorization: 'Bearer <the editor key>' }, null, 2),
  },
];

/**
 * GraphiQL's fetcher, in the browser: queries and mutations are POSTed as JSON to this page's own URL (a POST with
 * `content-type: application/json` passes Apollo's CSRF prevention); subscriptions go over graphql-ws to the same
 * URL with ws(s)://. Yoga's own fetcher sends the headers editor's headers over HTTP only, so this one also puts
 * its `Authorization` into connection_init as `authorization`, where the WebSocket server looks for the key (one
 * socket per key: a new key closes the old socket and opens another).
 */
export const GRAPHIQL_FETCHER = String.raw`
(function () {
  var httpUrl = location.origin + location.pathname;
  var wsUrl = httpUrl.replace(/^http/, 'ws');
  var socket = null;

  function authorizationOf(headers) {
    for (var name in headers || {}) if (name.toLowerCase() === 'authorization') return String(headers[name]);
    return undefined;
  }

  function clientFor(authorization) {
    if (socket && socket.authorization === authorization) return socket.client;
    if (socket) socket.client.dispose();
    var client = graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      retryAttempts: 0,
      connectionParams: authorization === undefined ? {} : { authorization: authorization },
    });
    socket = { authorization: authorization, client: client };
    return client;
  }

  // The operations of a document, read from the text GraphiQL sends: its documentAST and operationName can be a
  // keystroke or a tab switch behind that text. Strings and comments are blanked; the definitions are the names
  // and braces at the top level.
  function operationsIn(query) {
    var text = query.replace(/"""[\s\S]*?"""|"(?:[^"\\\n\r]|\\.)*"|#[^\n\r]*/g, ' ');
    var token = /[{}()]|[@$]?[_A-Za-z][_0-9A-Za-z]*/g;
    var operations = [];
    var braces = 0;
    var parens = 0;
    var pending = null;
    var match;
    while ((match = token.exec(text))) {
      var word = match[0];
      if (word === '(') parens++;
      else if (word === ')') parens--;
      else if (parens > 0) continue;
      else if (word === '{') {
        if (braces === 0) {
          if (pending === null) operations.push({ type: 'query', name: undefined });
          else if (pending.type !== 'fragment') operations.push(pending);
          pending = null;
        }
        braces++;
      } else if (word === '}') braces--;
      else if (braces > 0 || word[0] === '@' || word[0] === '$') continue;
      else if (pending === null) pending = { type: word, name: undefined, named: false };
      else if (!pending.named) {
        pending.name = word;
        pending.named = true;
      }
    }
    return operations;
  }

  function operationOf(params) {
    var operations = operationsIn(params.query || '');
    var named = operations.filter(function (operation) { return operation.name === params.operationName; });
    if (params.operationName && named.length === 1) return named[0];
    if (operations.length === 1) return operations[0];
    return { type: operations.length > 0 ? operations[0].type : 'query', name: params.operationName };
  }

  function closeReason(event) {
    if (event && typeof event.code === 'number') {
      return 'the WebSocket closed (' + event.code + (event.reason ? ': ' + event.reason : '') + ')';
    }
    return 'the WebSocket connection to ' + wsUrl + ' failed';
  }

  function overWebSocket(params, headers) {
    return {
      subscribe: function (observer) {
        var unsubscribe = clientFor(authorizationOf(headers)).subscribe(params, {
          next: function (result) { observer.next(result); },
          error: function (error) {
            // A refused subscription: GraphQL errors with their extensions.code, shown like any other answer.
            if (Array.isArray(error)) {
              observer.next({ errors: error });
              observer.complete();
            } else {
              observer.error(error instanceof Error ? error : new Error(closeReason(error)));
            }
          },
          complete: function () { observer.complete(); },
        });
        return { unsubscribe: unsubscribe };
      },
    };
  }

  function overHttp(params, headers) {
    var sent = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    for (var name in headers || {}) sent[name] = String(headers[name]);
    return fetch(httpUrl, { method: 'POST', credentials: 'same-origin', headers: sent, body: JSON.stringify(params) })
      .then(function (response) {
        return response.text().then(function (text) {
          try {
            return JSON.parse(text);
          } catch (_) {
            return { errors: [{ message: 'HTTP ' + response.status + ': ' + text.slice(0, 500) }] };
          }
        });
      });
  }

  window.timelineFetcher = function (params, options) {
    var headers = (options && options.headers) || {};
    var operation = operationOf(params);
    var sent = { query: params.query, operationName: operation.name, variables: params.variables };
    return operation.type === 'subscription' ? overWebSocket(sent, headers) : overHttp(sent, headers);
  };
})();
`;

/** JSON inside a <script>: no `<` can end the element early. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const FAVICON =
  "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><circle cx='8' cy='8' r='7' fill='%23e10098'/></svg>";

/** Where the page's assets are served, relative to the page (so a proxy's path prefix carries over). */
export const GRAPHIQL_ASSETS_PATH = 'graphiql-assets';

interface GraphiqlAsset {
  readonly type: 'text/css' | 'text/javascript';
  readonly body: string;
}

export interface GraphiqlBuild {
  /** The page: small, and revalidated; it names its assets by their content. */
  readonly page: string;
  /** By file name (`<part>.<hash of its content>.<js|css>`): kept by a browser for good. */
  readonly assets: ReadonlyMap<string, GraphiqlAsset>;
}

/**
 * GraphiQL (React, Monaco and its workers, the CSS) as @graphql-yoga/render-graphiql bundles it, graphql-ws's
 * browser build and our fetcher, about 9 MB in all, served from this server as files named by their content: a
 * browser fetches them once (compressed) and keeps them, and the page that names them is a few kilobytes.
 * Nothing is fetched from anywhere else.
 */
export const buildGraphiql = async (): Promise<GraphiqlBuild> => {
  const graphiql = await import('@graphql-yoga/render-graphiql/graphiql');
  const require = createRequire(import.meta.url);
  const graphqlWsDir = path.dirname(require.resolve('graphql-ws/package.json'));
  const graphqlWs = await readFile(path.join(graphqlWsDir, 'umd', 'graphql-ws.min.js'), 'utf8');
  const assets = new Map<string, GraphiqlAsset>();
  const add = (part: string, asset: GraphiqlAsset): string => {
    const hash = createHash('sha256').update(asset.body).digest('hex').slice(0, 16);
    const name = `${part}.${hash}.${asset.type === 'text/css' ? 'css' : 'js'}`;
    assets.set(name, asset);
    return `${GRAPHIQL_ASSETS_PATH}/${name}`;
  };
  const css = add('graphiql', { type: 'text/css', body: graphiql.css });
  const workers = {
    editorWorkerService: add('editor-worker', { type: 'text/javascript', body: graphiql.editorWorkerService }),
    json: add('json-worker', { type: 'text/javascript', body: graphiql.jsonWorker }),
    graphql: add('graphql-worker', { type: 'text/javascript', body: graphiql.graphqlWorker }),
  };
  const scripts = [
    add('graphql-ws', { type: 'text/javascript', body: graphqlWs }),
    add('fetcher', { type: 'text/javascript', body: GRAPHIQL_FETCHER }),
    add('graphiql', { type: 'text/javascript', body: `${graphiql.js};` }),
  ];
  const options = {
    title: 'diplomatic-timeline',
    defaultTabs: EXAMPLE_TABS,
    // The headers editor may hold a key: keep it out of localStorage.
    shouldPersistHeaders: false,
  };
  const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>diplomatic-timeline · GraphiQL</title>
    <link rel="icon" href="${FAVICON}" />
    <link rel="stylesheet" href="${css}" />
  </head>
  <body class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script>
      (function () {
        var workers = ${scriptJson(workers)};
        self.MonacoEnvironment = {
          globalAPI: false,
          getWorkerUrl: function (_moduleId, label) {
            return new URL(workers[label], location.href).href;
          },
        };
      })();
    </script>
${scripts.map((src) => `    <script src="${src}"></script>`).join('\n')}
    <script>
      YogaGraphiQL.renderYogaGraphiQL(
        document.getElementById('root'),
        Object.assign(${scriptJson(options)}, { fetcher: window.timelineFetcher }),
      );
    </script>
  </body>
</html>
`;
  return { page, assets };
};

/** Builds on first use and keeps the build; a failed build is tried again on the next request. */
const lazily = <T>(build: () => Promise<T>): (() => Promise<T>) => {
  let built: Promise<T> | undefined;
  return () =>
    (built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
};

/**
 * GraphiQL: the page at GET /graphql from a browser (Accept preferring text/html), through Apollo's landing-page
 * hook (a plugin with renderLandingPage replaces Apollo's implicit default, the Apollo Sandbox loaded from Apollo's
 * CDN), and its assets, to mount at /graphiql-assets. Built on the first such request and kept: a server nobody
 * opens in a browser never loads it.
 */
export const graphiqlExplorer = (): { plugin: ApolloServerPlugin; assets: RequestHandler } => {
  const build = lazily(buildGraphiql);
  const plugin: ApolloServerPlugin = {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: async () => (await build()).page };
        },
      };
    },
  };
  const assets: RequestHandler = (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    build().then(
      ({ assets: built }) => {
        const asset = built.get(request.path.slice(1));
        if (!asset) return next();
        // Named by its content: another content is another name, so the browser never needs to ask again.
        response.type(asset.type).set('Cache-Control', 'public, max-age=31536000, immutable').send(asset.body);
      },
      (error: unknown) => next(error),
    );
  };
  return { plugin, assets };
};
