import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../events/envelope.js';
import { StoreUnavailableError } from '../../src/store/event-store.js';
import { openKurrentDbEventStore } from '../../src/store/kurrentdb/kurrentdb-event-store.js';
import { closedPort, silentPort } from '../support/unanswering-ports.js';
import { describeEventStoreConformance } from './event-store.conformance.js';

/**
 * The KurrentDB adapter. The conformance suite needs a server (KURRENTDB_URL, e.g.
 * kurrentdb://127.0.0.1:2113?tls=false, as docker-compose.yml runs one); without it the suite shows as skipped.
 * What needs no server runs always: every call is bounded by our own timeout.
 */

const url = process.env.KURRENTDB_URL;

describeEventStoreConformance(
  'KurrentDB',
  async () => {
    const store = openKurrentDbEventStore({ url: url! });
    return { store, dispose: () => store.close() };
  },
  { skip: !url },
);

const event = (): NewEvent => ({
  id: randomUUID(),
  type: 'ConformanceEventHappened',
  data: { note: 'x' },
  metadata: { keyName: 'kurrentdb-test', correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1 },
});

describe('KurrentDB adapter without a server', () => {
  let cleanup: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  it('gives up on a port that accepts and never answers, within its own timeout, as StoreUnavailableError', async () => {
    const { port, close } = await silentPort();
    cleanup.push(close);
    const store = openKurrentDbEventStore({ url: `kurrentdb://127.0.0.1:${port}?tls=false`, callTimeoutMs: 300 });
    cleanup.push(() => store.close());

    for (const call of [
      () => store.appendToStream('test-stream', [event()]),
      () => store.readStream('test-stream'),
      () => store.readAll({ maxCount: 10 }),
      () => store.headPosition(),
    ]) {
      const started = performance.now();
      const error = await call().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(3_000);
    }
  });

  it('reports a port where nothing listens as StoreUnavailableError', async () => {
    const port = await closedPort();
    const store = openKurrentDbEventStore({ url: `kurrentdb://127.0.0.1:${port}?tls=false`, callTimeoutMs: 2_000 });
    cleanup.push(() => store.close());
    await expect(store.readStream('test-stream')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
