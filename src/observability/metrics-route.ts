import type { Express } from 'express';
import type { Logger } from 'pino';
import type { TimelineMetrics } from './metrics.js';

/**
 * GET /metrics in Prometheus' text format, on the port of the API (or of a projector's health endpoints). It asks
 * for no key, as scrapers do not send one: keep it from the public side at the load balancer, as /healthz.
 */
export const addMetricsRoute = (app: Express, metrics: TimelineMetrics, logger: Logger): void => {
  app.get('/metrics', async (_request, response) => {
    try {
      const text = await metrics.scrape();
      response.status(200).type(metrics.contentType).send(text);
    } catch (error) {
      logger.warn({ err: error }, 'metrics scrape failed');
      response.status(500).type('text/plain').send('metrics unavailable\n');
    }
  });
};
