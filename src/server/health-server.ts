import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { addHealthRoutes, type HealthSources } from './health-routes.js';
import type { RunningHttpServer } from './http-server.js';

/** A projector-only process serves no API, only its health, for an orchestrator's checks. */
export const startHealthServer = async (
  sources: HealthSources,
  { port, host }: { readonly port: number; readonly host: string },
): Promise<RunningHttpServer> => {
  const app = express();
  app.disable('x-powered-by');
  addHealthRoutes(app, sources);
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${bound}/healthz`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
