import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import { createTimelineMetrics, type TimelineMetrics } from '../observability/metrics.js';
import { addMetricsRoute } from '../observability/metrics-route.js';
import { addHealthRoutes, type HealthSources } from './health-routes.js';
import type { RunningHttpServer } from './http-server.js';

export interface HealthServerOptions {
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  /** What /metrics shows (the projection lag, the process); absent: a registry of this server's own. */
  readonly metrics?: TimelineMetrics;
}

/** A projector-only process serves no API, only its health and metrics, for an orchestrator and Prometheus. */
export const startHealthServer = async (
  sources: HealthSources,
  { port, host, logger, metrics = createTimelineMetrics() }: HealthServerOptions,
): Promise<RunningHttpServer> => {
  const app = express();
  app.disable('x-powered-by');
  addHealthRoutes(app, sources);
  metrics.watchReadModel(sources);
  addMetricsRoute(app, metrics, logger);
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
