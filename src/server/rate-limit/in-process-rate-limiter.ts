import { decisionFor, RATE_WINDOW_MS, type RateLimiter } from './rate-limiter.js';

/** For a process alone (no REDIS_URL): the counts live here, and die with the process. */
export const createInProcessRateLimiter = (windowMs = RATE_WINDOW_MS, now = () => Date.now()): RateLimiter => {
  const windows = new Map<string, { startedAt: number; count: number }>();
  let sweptAt = now();
  return {
    take: async (client, limit) => {
      const at = now();
      // Forget windows that are over, now and then, so that a stream of one-off addresses cannot grow the map.
      if (at - sweptAt > windowMs) {
        for (const [key, window] of windows) if (at - window.startedAt >= windowMs) windows.delete(key);
        sweptAt = at;
      }
      let window = windows.get(client);
      if (!window || at - window.startedAt >= windowMs) windows.set(client, (window = { startedAt: at, count: 0 }));
      window.count += 1;
      return decisionFor(window.count, limit, window.startedAt + windowMs - at);
    },
    close: async () => windows.clear(),
  };
};
