import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { collect, wsClient } from '../support/live-client.js';
import {
  DEVELOPMENT_EVENT_TYPES,
  developmentInput,
  errorCodes,
  headCursor,
  openTopic,
  readLog,
  recordDevelopment,
  registerActor,
  runPool,
  strictlyIncreasing,
} from '../support/live-fixtures.js';
import { watchLiveListeners } from '../support/live-listeners.js';
import { openRawGraphQLWs, type RawGraphQLWs, type RawMessage } from '../support/raw-graphql-ws.js';

const BUFFER = 10;
const WRITES = 500;
/** The stuck subscriber asks for the summary this many times over: big messages fill the kernel's buffers fast. */
const COPIES = 12;

interface Change {
  readonly cursor: string;
  readonly phase: 'REPLAY' | 'LIVE';
  readonly change: string;
  readonly development: { id: string };
}

const LIGHT = `
  subscription($after: String) {
    timelineChanges(after: $after) { cursor phase change development { id } }
  }
`;
const HEAVY = `
  subscription($after: String) {
    timelineChanges(after: $after) {
      cursor phase change
      development { id title ${Array.from({ length: COPIES }, (_, i) => `s${i}: summary`).join(' ')} }
    }
  }
`;

let server: InProcessServer;
const clients: Client[] = [];
let stuck: RawGraphQLWs | undefined;

beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_SUBSCRIBER_BUFFER: String(BUFFER) });
  await registerActor(server.url, 'bp-alice');
  await registerActor(server.url, 'bp-boris');
  await openTopic(server.url, 'bp-topic');
});

afterAll(async () => {
  await Promise.all(clients.map((made) => made.dispose()));
  await stuck?.close();
  await server?.close();
});

const dataOf = (messages: readonly RawMessage[], id: string) =>
  messages.filter((message) => message.id === id && message.type === 'next');

describe('a subscriber that stops reading', () => {
  it('is closed with SUBSCRIBER_TOO_SLOW, the others get everything, and it resumes from its last cursor', async () => {
    const url = server.url;
    const listeners = watchLiveListeners(server);
    const start = await headCursor(url);

    const mark = listeners.attachments();
    stuck = await openRawGraphQLWs(url);
    stuck.subscribe('stuck', HEAVY, { after: start });
    const normalClient = wsClient(url);
    clients.push(normalClient);
    const normal = collect<{ timelineChanges: Change }>(normalClient, LIGHT, { after: start });
    // Both replayed nothing and are live.
    await listeners.attachedSince(mark, 2);
    stuck.stopReading();

    await runPool(WRITES, 4, async (index) => {
      await recordDevelopment(
        url,
        developmentInput(`bp-${index}`, {
          actors: ['bp-alice', 'bp-boris'],
          topics: ['bp-topic'],
          title: `Long development ${index} ${randomBytes(150).toString('hex')}`,
          summary: randomBytes(2_000).toString('hex'),
        }),
      );
    });
    const log = await readLog(url, { after: start, types: DEVELOPMENT_EVENT_TYPES });
    expect(log.length).toBe(WRITES);
    const allCursors = log.map((entry) => entry.position);

    // The subscriber that reads got every change, once, in order, although the other one was stuck.
    await normal.until((items) => items.length >= WRITES, 20_000);
    expect(normal.errors).toEqual([]);
    expect(normal.items.map((item) => item.timelineChanges.cursor)).toEqual(allCursors);

    // The stuck one reads again: what it got, then the error, then the end.
    stuck.resumeReading();
    await stuck.until(
      (messages) => messages.some((message) => message.id === 'stuck' && message.type !== 'next'),
      20_000,
    );
    const mine = stuck.messages.filter((message) => message.id === 'stuck');
    const results = dataOf(mine, 'stuck').map(
      (message) => message.payload as { data?: { timelineChanges: Change } | null; errors?: unknown[] },
    );
    const received = results.flatMap((result) => (result.data?.timelineChanges ? [result.data.timelineChanges] : []));
    console.log(`backpressure: the stuck subscriber got ${received.length} of ${WRITES} changes before it was closed`);

    expect(mine.at(-1)!.type, 'it ends with complete').toBe('complete');
    const failure = mine.at(-2)!;
    expect(failure.type).toBe('next');
    expect(errorCodes((failure.payload as { errors?: unknown[] }).errors ?? [])).toEqual(['SUBSCRIBER_TOO_SLOW']);
    expect(dataOf(mine, 'stuck').length).toBe(received.length + 1);
    expect(received.length, 'it was closed before the end').toBeLessThan(WRITES);
    expect(received.map((change) => change.cursor)).toEqual(allCursors.slice(0, received.length));
    expect(stuck.closed(), 'the socket itself stays open').toBeNull();

    // Resubscribing with the last cursor it received gives exactly the rest.
    const last = received.at(-1)?.cursor ?? start;
    const resumed = collect<{ timelineChanges: Change }>(normalClient, LIGHT, { after: last });
    const rest = allCursors.slice(received.length);
    await resumed.until((items) => items.length >= rest.length, 20_000);
    const resumedCursors = resumed.items.map((item) => item.timelineChanges.cursor);
    expect(resumedCursors).toEqual(rest);
    expect(strictlyIncreasing([...received.map((change) => change.cursor), ...resumedCursors])).toBe(true);
    expect(resumed.items.every((item) => item.timelineChanges.phase === 'REPLAY')).toBe(true);
    expect(resumed.errors).toEqual([]);
  }, 60_000);
});
