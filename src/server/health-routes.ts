import type { Express } from 'express';
import type { RedisHealth } from '../observability/redis-health.js';
import type { Projector } from '../projections/projector.js';
import type { EventStore } from '../store/event-store.js';
import { withTimeout } from '../observability/with-timeout.js';

/** How long /readyz waits for the log's head, or the shared checkpoint, before it says they are not there. */
const READY_TIMEOUT_MS = 2_000;

export interface HealthSources {
  readonly store: EventStore;
  readonly projector: Projector & { readonly leading?: boolean };
  /** With REDIS_URL: Redis answers (the shared read models, the lease, the rate limits and the doorbell need it). */
  readonly redis?: Pick<RedisHealth, 'check'>;
}

/**
 * /healthz: the read models hold everything they can (the log, or the shared checkpoint) and nothing stopped them.
 * /readyz: that, and the log (and Redis, when configured) answers in time. While the store is away the server goes
 * on answering reads from the read models, but says so here, for a load balancer to route writes away.
 */
export const addHealthRoutes = (app: Express, { store, projector, redis }: HealthSources): void => {
  const caughtUp = () => withTimeout(projector.isCaughtUp(), READY_TIMEOUT_MS).catch(() => false);
  const leading = () => (projector.leading === undefined ? {} : { leading: projector.leading });

  app.get('/healthz', async (_request, response) => {
    const ok = await caughtUp();
    const checkpoint = projector.checkpoint;
    response.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'catching-up',
      checkpoint: checkpoint === null ? null : checkpoint.commit.toString(),
      ...leading(),
      ...(projector.failure ? { error: projector.failure.message } : {}),
    });
  });
  app.get('/readyz', async (_request, response) => {
    const [storeState, redisState] = await Promise.all([
      withTimeout(store.headPosition(), READY_TIMEOUT_MS).then(
        () => 'ok' as const,
        (error: unknown) => (error as Error).message,
      ),
      redis?.check(),
    ]);
    // The read models' progress is measured against the log (and Redis): without them it is not known.
    const reachable = storeState === 'ok' && (redisState === undefined || redisState === 'ok');
    const ok = reachable && (await caughtUp());
    const failure = projector.failure?.message;
    const ready = ok && !failure;
    response.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not-ready',
      store: storeState,
      ...(redisState === undefined ? {} : { redis: redisState }),
      readModels: failure ? `failed: ${failure}` : ok ? 'caught-up' : reachable ? 'catching-up' : 'unknown',
      ...leading(),
    });
  });
};
