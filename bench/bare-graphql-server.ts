/**
 * The bare graphql-js baseline of bench/graphql-throughput.ts: a plain node:http server that parses the body, looks
 * the query text up in a document cache (parsed and validated once) and runs graphql-js `execute` on the schema and
 * resolvers of the build (dist/), with a context made as the server makes it, over its own copy of the server's
 * seeded data dir. No guards, no Apollo, no express: what the server's answers cost at least.
 *
 *   node --import tsx bench/bare-graphql-server.ts   (PORT, HOST, TIMELINE_DATA_DIR from the environment)
 *
 * It exits when its stdin ends, so that it goes with the bench even when the bench is killed, and on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, validate, execute, type DocumentNode, type GraphQLSchema } from 'graphql';
import 'reflect-metadata';
import type * as schemaModule from '../src/graphql/schema.js';
import type * as loadersModule from '../src/graphql/loaders.js';
import type * as keysModule from '../src/auth/api-keys.js';
import type * as commandsModule from '../src/application/commands/index.js';
import type * as projectorModule from '../src/projections/projector.js';
import type * as cachedModule from '../src/read-store/cached-reader.js';
import type * as readStoreModule from '../src/read-store/sqlite/sqlite-read-store.js';
import type * as catalogModule from '../src/store/catalog-store.js';
import type * as eventStoreModule from '../src/store/sqlite/sqlite-event-store.js';

type Dist = {
  schema: typeof schemaModule;
  loaders: typeof loadersModule;
  keys: typeof keysModule;
  commands: typeof commandsModule;
  projector: typeof projectorModule;
  cached: typeof cachedModule;
  readStore: typeof readStoreModule;
  catalog: typeof catalogModule;
  eventStore: typeof eventStoreModule;
};

// The issue asks for the schema object and resolvers of the build, the code the server runs: dist/, not src/.
const fromDist = async (): Promise<Dist> => {
  const at = (file: string) => import(pathToFileURL(path.resolve(import.meta.dirname, '../dist/src', file)).href);
  return {
    schema: await at('graphql/schema.js'),
    loaders: await at('graphql/loaders.js'),
    keys: await at('auth/api-keys.js'),
    commands: await at('application/commands/index.js'),
    projector: await at('projections/projector.js'),
    cached: await at('read-store/cached-reader.js'),
    readStore: await at('read-store/sqlite/sqlite-read-store.js'),
    catalog: await at('store/catalog-store.js'),
    eventStore: await at('store/sqlite/sqlite-event-store.js'),
  };
};

/** The services as src/app.ts wires them for an embedded store (no Redis), on the default cache size. */
const openServices = async (dist: Dist, dataDir: string) => {
  const store = dist.catalog.withEventCatalog(
    dist.eventStore.openSqliteEventStore({ file: path.join(dataDir, 'timeline.db') }),
  );
  const writer = dist.readStore.openSqliteReadStore({ file: path.join(dataDir, 'read-models.db') });
  const reads = dist.cached.createCachedReader(writer, 256 * 1024 * 1024);
  const projector = await dist.projector.startProjector({ log: store, reads, writer });
  await projector.catchUp(60_000);
  return { store, projector, reads: projector.reads, commands: dist.commands.createCommandBus({ store }) };
};

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const answer = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};

const main = async () => {
  const dist = await fromDist();
  const schema: GraphQLSchema = await dist.schema.timelineSchema();
  const services = await openServices(dist, process.env.TIMELINE_DATA_DIR!);
  const keyRing = dist.keys.createKeyRing([], false);
  const documents = new Map<string, DocumentNode>();
  const documentOf = (query: string): DocumentNode => {
    let document = documents.get(query);
    if (document === undefined) {
      document = parse(query);
      const errors = validate(schema, document);
      if (errors.length > 0) throw new Error(errors[0]!.message);
      documents.set(query, document);
    }
    return document;
  };
  const server = createServer((request, response) => {
    if (request.url === '/readyz') return answer(response, 200, { ready: true });
    void readBody(request)
      .then(async (text) => {
        const { query, variables } = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
        const contextValue = {
          ...services,
          live: { bufferLimit: 1000, openSubscriptions: () => 0 },
          principal: keyRing.identify(request.headers.authorization),
          keyRing,
          serverRole: 'all',
          correlationId: 'bare',
          now: new Date(),
          loaders: dist.loaders.createLoaders(services.reads),
        };
        const result = await execute({ schema, document: documentOf(query), variableValues: variables, contextValue });
        answer(response, 200, result);
      })
      .catch((error: unknown) => answer(response, 400, { errors: [{ message: (error as Error).message }] }));
  });
  server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
  process.stdin.resume();
  process.stdin.once('end', () => process.exit(0));
  // An exit, not a kill: a CPU profile (node --cpu-prof) is written only then.
  process.once('SIGTERM', () => process.exit(0));
};

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
