import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | null = null;

/**
 * prom-client's default metrics (CPU, memory, heap, event-loop lag, GC, handles), in a registry of their own made
 * once per process. They describe the process, not a server, and their collectors (a GC observer, an event-loop
 * monitor) are never stopped: made per server, every server a test starts would leave a set running.
 */
export const processMetrics = (): Registry => {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
};
