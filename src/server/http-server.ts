import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/api-keys.js';
import type { AppServices, GraphQLContext, LiveSettings } from '../graphql/context.js';
import { formatError } from '../graphql/format-error.js';
import { gatePlugin } from '../graphql/gate-plugin.js';
import { createLoaders } from '../graphql/loaders.js';
import { DEFAULT_LIMITS, type OperationLimits } from '../graphql/operation-limits.js';
import { timelineSchema } from '../graphql/schema.js';
import { addHealthRoutes } from './health-routes.js';
import { startWebSocketServer } from './websocket-server.js';

export interface HttpServerOptions {
  readonly services: AppServices;
  readonly keys: KeyRing;
  readonly live: LiveSettings;
  readonly limits?: OperationLimits;
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
}

export interface RunningHttpServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql; ws:// on the same path for subscriptions. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Apollo and graphql-ws on one http server and path, plus the health endpoint. */
export const startHttpServer = async (options: HttpServerOptions): Promise<RunningHttpServer> => {
  const { services, keys, live, logger } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const schema = await timelineSchema();
  const app = express();
  const httpServer = createServer(app);

  const contextFor = (authorization: string | undefined, correlationId?: string): GraphQLContext => ({
    ...services,
    live,
    principal: keys.identify(authorization),
    correlationId: correlationId ?? randomUUID(),
    now: new Date(),
    loaders: createLoaders(services.history),
  });

  const ws = startWebSocketServer({ httpServer, schema, keys, limits, contextFor, logger });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: ws.dispose }) },
      gatePlugin(keys.readersRequired, limits),
    ],
    formatError: formatError(logger),
    introspection: true,
  });
  await apollo.start();

  app.disable('x-powered-by');
  addHealthRoutes(app, services);
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(req.headers.authorization, req.header('x-correlation-id')),
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    close: () => apollo.stop(),
  };
};
