import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { collect, wsClient, type Collected } from '../support/live-client.js';
import {
  assignRole,
  changeTopicStatus,
  correctDevelopment,
  DEVELOPMENT_EVENT_TYPES,
  developmentInput,
  errorCodes,
  headCursor,
  openTopic,
  pause,
  readLog,
  recordDevelopment,
  registerActor,
  retractDevelopment,
  runPool,
  strictlyIncreasing,
  verifyDevelopment,
  waitUntil,
  type LogEntry,
} from '../support/live-fixtures.js';
import { watchLiveListeners, type ListenerWatch } from '../support/live-listeners.js';

interface Change {
  readonly cursor: string;
  readonly phase: 'REPLAY' | 'LIVE';
  readonly change: 'RECORDED' | 'CORRECTED' | 'VERIFIED' | 'RETRACTED';
  readonly development: { id: string; title: string; status: string; revision: number };
}

const CHANGES = `
  subscription($filter: TimelineFilter, $after: String, $since: DateTime) {
    timelineChanges(filter: $filter, after: $after, since: $since) {
      cursor
      phase
      change
      development { id title status revision }
    }
  }
`;

const CHANGE_OF: Record<string, Change['change']> = {
  DevelopmentRecorded: 'RECORDED',
  DevelopmentCorrected: 'CORRECTED',
  DevelopmentVerified: 'VERIFIED',
  DevelopmentRetracted: 'RETRACTED',
};

let server: InProcessServer;
let listeners: ListenerWatch;
const clients: Client[] = [];

const client = (): Client => {
  const made = wsClient(server.url);
  clients.push(made);
  return made;
};

const subscribeChanges = (variables: Record<string, unknown>, on: Client = client()) =>
  collect<{ timelineChanges: Change }>(on, CHANGES, variables);

const changesOf = (collected: Collected<{ timelineChanges: Change }>): Change[] =>
  collected.items.map((item) => item.timelineChanges);

/** What a feed must deliver for these log entries: one change per development event, in log order. */
const expectedFrom = (entries: readonly LogEntry[]) =>
  entries.map((entry) => ({ cursor: entry.position, id: entry.data.id, change: CHANGE_OF[entry.type] }));

const deliveredOf = (changes: readonly Change[]) =>
  changes.map((change) => ({ cursor: change.cursor, id: change.development.id, change: change.change }));

/** REPLAY* then LIVE*: once live, a feed never goes back to replaying. */
const phasesAreOrdered = (changes: readonly Change[]): boolean => {
  const firstLive = changes.findIndex((change) => change.phase === 'LIVE');
  return firstLive === -1 || changes.slice(firstLive).every((change) => change.phase === 'LIVE');
};

/** Waits until the feed delivered the change at `cursor` (or one past it). */
const reached = (collected: Collected<{ timelineChanges: Change }>, cursor: string, timeoutMs = 20_000) =>
  collected.until((items) => (items.at(-1)?.timelineChanges.cursor ?? '') >= cursor, timeoutMs);

beforeAll(async () => {
  server = await startInProcessServer();
  listeners = watchLiveListeners(server);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((made) => made.dispose()));
});

afterAll(async () => {
  await server?.close();
});

describe('timelineChanges: catch-up from a cursor', () => {
  it('delivers every change after the cursor exactly once, in log order, while 1,000 writes race the hand-over', async () => {
    const url = server.url;
    await registerActor(url, 'cu-alice');
    await registerActor(url, 'cu-boris');
    await openTopic(url, 'cu-talks');
    const write = (id: string) =>
      recordDevelopment(url, developmentInput(id, { actors: ['cu-alice', 'cu-boris'], topics: ['cu-talks'] }));
    for (let i = 0; i < 5; i++) await write(`cu-before-${i}`);

    // The cursor of a change a first subscription received.
    const first = subscribeChanges({ filter: { topicIds: ['cu-talks'] }, after: null, since: '2000-01-01T00:00:00Z' });
    await first.until((items) => items.length === 5);
    const cursor = changesOf(first).at(2)!.cursor;
    first.unsubscribe();

    // Subscribers join at different moments of the write storm: some replay most of it, some little.
    const TOTAL = 1_000;
    const joinAfter = new Set([1, 150, 500, 850]);
    let written = 0;
    const feeds = [subscribeChanges({ after: cursor })];
    await runPool(TOTAL, 12, async (index) => {
      await write(`cu-storm-${index}`);
      written++;
      if (joinAfter.has(written)) feeds.push(subscribeChanges({ after: cursor }));
    });
    expect(written).toBe(TOTAL);

    const log = await readLog(url, { after: cursor, types: DEVELOPMENT_EVENT_TYPES });
    expect(log.length).toBe(2 + TOTAL);
    const last = log.at(-1)!.position;
    await Promise.all(feeds.map((feed) => reached(feed, last)));

    for (const [index, feed] of feeds.entries()) {
      const changes = changesOf(feed);
      expect(feed.errors, `feed ${index}`).toEqual([]);
      expect(strictlyIncreasing(changes.map((change) => change.cursor)), `feed ${index} in log order`).toBe(true);
      expect(phasesAreOrdered(changes), `feed ${index}: REPLAY* then LIVE*`).toBe(true);
      expect(deliveredOf(changes), `feed ${index} equals the log after the cursor`).toEqual(expectedFrom(log));
    }
    const phases = feeds.map((feed) => changesOf(feed).filter((change) => change.phase === 'REPLAY').length);
    console.log(`catch-up: ${feeds.length} feeds, replayed ${phases.join('/')} of ${log.length} changes`);
    // At least one feed replayed part of the storm and went live during it.
    expect(phases.some((replayed) => replayed > 0 && replayed < log.length)).toBe(true);
  }, 60_000);

  it('resumes after a forced disconnect with the last cursor received: no gap and no duplicate', async () => {
    const url = server.url;
    await registerActor(url, 'rs-alice');
    await openTopic(url, 'rs-topic');
    const start = await headCursor(url);
    const write = (id: string) =>
      recordDevelopment(url, developmentInput(id, { actors: ['rs-alice'], topics: ['rs-topic'] }));

    const firstClient = client();
    const before = subscribeChanges({ after: start }, firstClient);
    let written = 0;
    const storm = runPool(300, 8, async (index) => {
      await write(`rs-${index}`);
      written++;
    });
    // Cut the socket while the writes go on, once the first client got a good part of them.
    await before.until((items) => items.length >= 60);
    firstClient.terminate();
    const received = changesOf(before);
    expect(written, 'writes were still going on at the cut').toBeLessThan(300);

    const after = subscribeChanges({ after: received.at(-1)!.cursor });
    await storm;
    const log = await readLog(url, { after: start, types: DEVELOPMENT_EVENT_TYPES });
    expect(log.length).toBe(300);
    await reached(after, log.at(-1)!.position);

    const resumed = changesOf(after);
    const union = [...received, ...resumed];
    expect(strictlyIncreasing(union.map((change) => change.cursor)), 'no duplicate, in order').toBe(true);
    expect(deliveredOf(union), 'no gap').toEqual(expectedFrom(log));
    expect(phasesAreOrdered(resumed)).toBe(true);
  }, 30_000);
});

describe('timelineChanges: since', () => {
  it('replays from the first change recorded at or after the given time', async () => {
    const url = server.url;
    await registerActor(url, 'sn-alice');
    await openTopic(url, 'sn-topic');
    const write = (id: string) =>
      recordDevelopment(url, developmentInput(id, { actors: ['sn-alice'], topics: ['sn-topic'] }));
    const filter = { topicIds: ['sn-topic'] };

    // Times taken between writes, with a few ms either side so that no write shares the millisecond.
    const marks: Date[] = [];
    for (const batch of ['a', 'b', 'c']) {
      await pause(15);
      marks.push(new Date());
      await pause(15);
      for (let i = 0; i < 3; i++) await write(`sn-${batch}${i}`);
    }
    const ids = (changes: readonly Change[]) => changes.map((change) => change.development.id);
    const all = ['sn-a0', 'sn-a1', 'sn-a2', 'sn-b0', 'sn-b1', 'sn-b2', 'sn-c0', 'sn-c1', 'sn-c2'];

    const mark = listeners.attachments();
    const fromStart = subscribeChanges({ filter, since: marks[0]!.toISOString() });
    const fromB = subscribeChanges({ filter, since: marks[1]!.toISOString() });
    const fromC = subscribeChanges({ filter, since: marks[2]!.toISOString() });
    const future = new Date(Date.now() + 60_000).toISOString();
    const fromFuture = subscribeChanges({ filter, since: future });
    await fromStart.until((items) => items.length === 9);
    await fromB.until((items) => items.length === 6);
    await fromC.until((items) => items.length === 3);

    expect(ids(changesOf(fromStart))).toEqual(all);
    expect(ids(changesOf(fromB))).toEqual(all.slice(3));
    expect(ids(changesOf(fromC))).toEqual(all.slice(6));
    for (const feed of [fromStart, fromB, fromC]) {
      expect(changesOf(feed).every((change) => change.phase === 'REPLAY')).toBe(true);
    }

    // Then they go on live, and a `since` still to come is live from the first write after it was asked.
    await listeners.attachedSince(mark, 4);
    await write('sn-d0');
    for (const [feed, count] of [
      [fromStart, 10],
      [fromB, 7],
      [fromC, 4],
      [fromFuture, 1],
    ] as const) {
      await feed.until((items) => items.length === count);
      expect(changesOf(feed).at(-1)).toMatchObject({ phase: 'LIVE', development: { id: 'sn-d0' } });
    }
  });
});

describe('timelineChanges: filters', () => {
  interface FilterCase {
    readonly name: string;
    /** The filter, given the ids this case made. */
    readonly filter: (ids: CaseIds) => Record<string, unknown>;
    /** A development that matches the filter. */
    readonly matching: (ids: CaseIds) => Parameters<typeof developmentInput>[1];
    /** One that does not. */
    readonly other: (ids: CaseIds) => Parameters<typeof developmentInput>[1];
    /** A correction that takes a matching development out of the filter. */
    readonly moveOut: (ids: CaseIds) => Record<string, unknown>;
    /** A correction that brings the other development into it. */
    readonly moveIn: (ids: CaseIds) => Record<string, unknown>;
  }
  interface CaseIds {
    readonly a: string;
    readonly b: string;
    readonly t: string;
    readonly u: string;
    readonly word: string;
  }

  const cases: FilterCase[] = [
    {
      name: 'actorIds',
      filter: ({ a }) => ({ actorIds: [a] }),
      matching: ({ a, t }) => ({ actors: [a], topics: [t] }),
      other: ({ b, t }) => ({ actors: [b], topics: [t] }),
      moveOut: ({ b }) => ({ participants: [{ actorId: b, role: 'SOURCE' }] }),
      moveIn: ({ a, b }) => ({
        participants: [
          { actorId: b, role: 'SOURCE' },
          { actorId: a, role: 'TARGET' },
        ],
      }),
    },
    {
      name: 'topicIds',
      filter: ({ t }) => ({ topicIds: [t] }),
      matching: ({ a, t }) => ({ actors: [a], topics: [t] }),
      other: ({ a, u }) => ({ actors: [a], topics: [u] }),
      moveOut: ({ u }) => ({ topicIds: [u] }),
      moveIn: ({ t, u }) => ({ topicIds: [u, t] }),
    },
    {
      name: 'kinds',
      filter: () => ({ kinds: ['THREATEN'] }),
      matching: ({ a, t }) => ({ actors: [a], topics: [t], kind: 'THREATEN' }),
      other: ({ a, t }) => ({ actors: [a], topics: [t], kind: 'APPEAL' }),
      moveOut: () => ({ kind: 'STATEMENT' }),
      moveIn: () => ({ kind: 'THREATEN' }),
    },
    {
      name: 'text',
      filter: ({ word }) => ({ text: word.toUpperCase() }),
      matching: ({ a, t, word }) => ({ actors: [a], topics: [t], summary: `Talks about the ${word} question` }),
      other: ({ a, t }) => ({ actors: [a], topics: [t], title: 'Something else entirely' }),
      moveOut: () => ({ summary: null, quotes: [{ text: 'nothing to see' }] }),
      moveIn: ({ word }) => ({ quotes: [{ text: `we said ${word} in a quote` }] }),
    },
    {
      name: 'from-to',
      filter: () => ({ from: '2025-06-01T00:00:00.000Z', to: '2025-06-30T23:59:59.999Z' }),
      matching: ({ a, t }) => ({ actors: [a], topics: [t], occurredAt: '2025-06-15T00:00:00.000Z' }),
      other: ({ a, t }) => ({ actors: [a], topics: [t], occurredAt: '2025-01-15T00:00:00.000Z' }),
      moveOut: () => ({ occurredAt: '2025-07-01T00:00:00.000Z' }),
      moveIn: () => ({ occurredAt: '2025-06-30T00:00:00.000Z' }),
    },
  ];

  it.each(cases)('$name: only what matches, in replay and live, and corrections that move out of it', async (c) => {
    const url = server.url;
    const prefix = `flt-${c.name.toLowerCase()}`;
    const ids: CaseIds = {
      a: `${prefix}-a`,
      b: `${prefix}-b`,
      t: `${prefix}-t`,
      u: `${prefix}-u`,
      word: `${c.name.toLowerCase()}zebra`,
    };
    await registerActor(url, ids.a);
    await registerActor(url, ids.b);
    await openTopic(url, ids.t);
    await openTopic(url, ids.u);
    const start = await headCursor(url);
    const filter = c.filter(ids);
    const dev = (name: string) => `${prefix}-${name}`;

    // Written before the subscription: replayed.
    await recordDevelopment(url, developmentInput(dev('m1'), c.matching(ids)));
    await recordDevelopment(url, developmentInput(dev('never'), c.other(ids)));
    await recordDevelopment(url, developmentInput(dev('m2'), c.matching(ids)));
    await recordDevelopment(url, developmentInput(dev('n2'), c.other(ids)));

    const mark = listeners.attachments();
    const feed = subscribeChanges({ filter, after: start });
    await feed.until((items) => items.length === 2);
    await listeners.attachedSince(mark);
    // Live from here: out of the filter, into it, and changes on either side of it afterwards.
    await correctDevelopment(url, dev('m2'), 0, c.moveOut(ids));
    await correctDevelopment(url, dev('n2'), 0, c.moveIn(ids));
    await verifyDevelopment(url, dev('never'));
    await verifyDevelopment(url, dev('m2'));
    await verifyDevelopment(url, dev('n2'));
    await verifyDevelopment(url, dev('m1'));
    const end = await headCursor(url);
    await reached(feed, end!);

    const expected = [
      { id: dev('m1'), change: 'RECORDED', phase: 'REPLAY' },
      { id: dev('m2'), change: 'RECORDED', phase: 'REPLAY' },
      { id: dev('m2'), change: 'CORRECTED', phase: 'LIVE' },
      { id: dev('n2'), change: 'CORRECTED', phase: 'LIVE' },
      { id: dev('n2'), change: 'VERIFIED', phase: 'LIVE' },
      { id: dev('m1'), change: 'VERIFIED', phase: 'LIVE' },
    ];
    const summary = (changes: readonly Change[]) =>
      changes.map((change) => ({ id: change.development.id, change: change.change, phase: change.phase }));
    expect(summary(changesOf(feed))).toEqual(expected);
    expect(feed.errors).toEqual([]);

    // A replay judges each change on the versions around it, not on today's: the same feed, all REPLAY.
    const later = subscribeChanges({ filter, after: start });
    await reached(later, end!);
    expect(summary(changesOf(later))).toEqual(expected.map((change) => ({ ...change, phase: 'REPLAY' })));
    expect(changesOf(later).map((change) => change.cursor)).toEqual(changesOf(feed).map((change) => change.cursor));
  });
});

describe('timelineChanges: change kinds', () => {
  it('delivers RECORDED, CORRECTED, VERIFIED and RETRACTED with the development as of now', async () => {
    const url = server.url;
    await registerActor(url, 'ck-alice');
    await openTopic(url, 'ck-topic');
    const start = await headCursor(url);
    const filter = { topicIds: ['ck-topic'] };
    const mark = listeners.attachments();
    const live = subscribeChanges({ filter, after: start });
    await listeners.attachedSince(mark);

    const steps: [() => Promise<unknown>, Partial<Change>][] = [
      [
        () =>
          recordDevelopment(
            url,
            developmentInput('ck-dev', { actors: ['ck-alice'], topics: ['ck-topic'], title: 'v0' }),
          ),
        { change: 'RECORDED', development: { id: 'ck-dev', title: 'v0', status: 'REPORTED', revision: 0 } },
      ],
      [
        () => correctDevelopment(url, 'ck-dev', 0, { title: 'v1' }),
        { change: 'CORRECTED', development: { id: 'ck-dev', title: 'v1', status: 'REPORTED', revision: 1 } },
      ],
      [
        () => verifyDevelopment(url, 'ck-dev', 'CONFIRMED'),
        { change: 'VERIFIED', development: { id: 'ck-dev', title: 'v1', status: 'CONFIRMED', revision: 2 } },
      ],
      [
        () => retractDevelopment(url, 'ck-dev', 2),
        { change: 'RETRACTED', development: { id: 'ck-dev', title: 'v1', status: 'RETRACTED', revision: 3 } },
      ],
    ];
    // One step at a time, each waiting for its change: every change shows the development right after it.
    for (const [index, [step, expected]] of steps.entries()) {
      await step();
      await live.until((items) => items.length === index + 1);
      expect(changesOf(live)[index]).toMatchObject(expected);
    }
    expect(live.errors).toEqual([]);

    // Replayed later, every change is served as of now: the development as it stands, retracted at revision 3.
    const replay = subscribeChanges({ filter, after: start });
    await replay.until((items) => items.length === 4);
    expect(changesOf(replay).map((change) => [change.change, change.phase])).toEqual([
      ['RECORDED', 'REPLAY'],
      ['CORRECTED', 'REPLAY'],
      ['VERIFIED', 'REPLAY'],
      ['RETRACTED', 'REPLAY'],
    ]);
    for (const change of changesOf(replay)) {
      expect(change.development).toEqual({ id: 'ck-dev', title: 'v1', status: 'RETRACTED', revision: 3 });
    }
    expect(changesOf(replay).map((change) => change.cursor)).toEqual(changesOf(live).map((change) => change.cursor));
  });
});

describe('timelineChanges: a cursor that is not one', () => {
  it('refuses after: "nonsense" with BAD_USER_INPUT', async () => {
    const feed = subscribeChanges({ after: 'nonsense' });
    await waitUntil(() => feed.errors.length > 0 || feed.completed, 'the refusal');
    expect(errorCodes(feed.errors)).toContain('BAD_USER_INPUT');
    expect(feed.items).toEqual([]);
  });

  it.each([
    ['an empty cursor', ''],
    ['a cursor past the end of the log', 'ffffffffffffffffffffffffffffffff'],
  ])('refuses %s with BAD_USER_INPUT', async (_what, after) => {
    const feed = subscribeChanges({ after });
    await waitUntil(() => feed.errors.length > 0 || feed.completed, 'the refusal');
    expect(errorCodes(feed.errors)).toContain('BAD_USER_INPUT');
    expect(feed.items).toEqual([]);
  });
});

describe('actorChanged and topicChanged', () => {
  const ACTOR = `
    subscription($id: ID!) {
      actorChanged(id: $id) { id name roles { title } developmentCount }
    }
  `;
  const TOPIC = `
    subscription($id: ID!) {
      topicChanged(id: $id) { id title status developmentCount subtopics { id } }
    }
  `;
  interface ActorTick {
    actorChanged: { id: string; name: string; roles: { title: string }[]; developmentCount: number };
  }
  interface TopicTick {
    topicChanged: { id: string; title: string; status: string; developmentCount: number; subtopics: { id: string }[] };
  }

  it('actorChanged ticks with the new state after each change touching the actor, and for nothing else', async () => {
    const url = server.url;
    await registerActor(url, 'ac-other');
    await openTopic(url, 'ac-topic');
    const mark = listeners.attachments();
    const ticks = collect<ActorTick>(client(), ACTOR, { id: 'ac-me' });
    await listeners.attachedSince(mark);
    const states = () => ticks.items.map((tick) => tick.actorChanged);
    const next = async (count: number) => {
      await ticks.until((items) => items.length === count);
      return states()[count - 1]!;
    };

    await registerActor(url, 'ac-me', 'Me');
    expect(await next(1)).toEqual({ id: 'ac-me', name: 'Me', roles: [], developmentCount: 0 });

    await assignRole(url, 'ac-me', 'Envoy');
    expect(await next(2)).toMatchObject({ roles: [{ title: 'Envoy' }], developmentCount: 0 });

    await recordDevelopment(url, developmentInput('ac-dev-1', { actors: ['ac-other', 'ac-me'], topics: ['ac-topic'] }));
    expect(await next(3)).toMatchObject({ developmentCount: 1 });

    // Changes that do not touch the actor: no tick. The next one that does comes next, and alone.
    await registerActor(url, 'ac-stranger');
    await assignRole(url, 'ac-other', 'Minister');
    await recordDevelopment(url, developmentInput('ac-dev-2', { actors: ['ac-other'], topics: ['ac-topic'] }));
    await changeTopicStatus(url, 'ac-topic', 'ACTIVE');
    await verifyDevelopment(url, 'ac-dev-2');

    // A correction that takes the actor out touches it too.
    await correctDevelopment(url, 'ac-dev-1', 0, { participants: [{ actorId: 'ac-other', role: 'SOURCE' }] });
    expect(await next(4)).toMatchObject({ developmentCount: 0 });
    await verifyDevelopment(url, 'ac-dev-1');
    await assignRole(url, 'ac-me', 'Ambassador');
    expect(await next(5)).toMatchObject({ roles: expect.arrayContaining([{ title: 'Ambassador' }]) });
    expect(ticks.items).toHaveLength(5);
    expect(ticks.errors).toEqual([]);
  });

  it('topicChanged ticks with the new state after each change touching the topic, and for nothing else', async () => {
    const url = server.url;
    await registerActor(url, 'tc-actor');
    await openTopic(url, 'tc-other');
    const mark = listeners.attachments();
    const ticks = collect<TopicTick>(client(), TOPIC, { id: 'tc-me' });
    await listeners.attachedSince(mark);
    const states = () => ticks.items.map((tick) => tick.topicChanged);
    const next = async (count: number) => {
      await ticks.until((items) => items.length === count);
      return states()[count - 1]!;
    };

    await openTopic(url, 'tc-me', { title: 'Mine' });
    expect(await next(1)).toEqual({
      id: 'tc-me',
      title: 'Mine',
      status: 'EMERGING',
      developmentCount: 0,
      subtopics: [],
    });

    await changeTopicStatus(url, 'tc-me', 'ACTIVE');
    expect(await next(2)).toMatchObject({ status: 'ACTIVE' });

    await recordDevelopment(url, developmentInput('tc-dev-1', { actors: ['tc-actor'], topics: ['tc-me'] }));
    expect(await next(3)).toMatchObject({ developmentCount: 1 });

    // Unrelated: no tick.
    await changeTopicStatus(url, 'tc-other', 'STALLED');
    await recordDevelopment(url, developmentInput('tc-dev-2', { actors: ['tc-actor'], topics: ['tc-other'] }));
    await registerActor(url, 'tc-stranger');
    await verifyDevelopment(url, 'tc-dev-2');

    await verifyDevelopment(url, 'tc-dev-1');
    expect(await next(4)).toMatchObject({ developmentCount: 1 });
    await correctDevelopment(url, 'tc-dev-1', 1, { topicIds: ['tc-other'] });
    expect(await next(5)).toMatchObject({ developmentCount: 0 });
    await changeTopicStatus(url, 'tc-me', 'STALLED', '2024-07-01T00:00:00.000Z');
    expect(await next(6)).toMatchObject({ status: 'STALLED' });
    expect(ticks.items).toHaveLength(6);
    expect(ticks.errors).toEqual([]);
  });

  it('topicChanged ticks when a subtopic opens under the topic (its subtopics change)', async () => {
    const url = server.url;
    await openTopic(url, 'sub-parent');
    const mark = listeners.attachments();
    const ticks = collect<TopicTick>(client(), TOPIC, { id: 'sub-parent' });
    await listeners.attachedSince(mark);

    await openTopic(url, 'sub-child', { parentId: 'sub-parent' });
    // A change that certainly touches the parent, so that the wait ends either way.
    await changeTopicStatus(url, 'sub-parent', 'ACTIVE');
    await ticks.until((items) => items.some((tick) => tick.topicChanged.status === 'ACTIVE'));
    expect(ticks.items.map((tick) => tick.topicChanged)).toEqual([
      expect.objectContaining({ status: 'EMERGING', subtopics: [{ id: 'sub-child' }] }),
      expect.objectContaining({ status: 'ACTIVE', subtopics: [{ id: 'sub-child' }] }),
    ]);
  });
});

describe('leaving a subscription', () => {
  beforeAll(async () => {
    await registerActor(server.url, 'lv-quiet');
    await registerActor(server.url, 'lv-busy');
    await openTopic(server.url, 'lv-topic');
  });

  // A subscriber that went away must stop costing the server: its listener on the projector (which runs its
  // filter on every event applied) goes when the client does, not when the next matching change happens to come.
  it.each([
    ['actorChanged', 'subscription { actorChanged(id: "lv-quiet") { id } }'],
    ['timelineChanges', 'subscription { timelineChanges(filter: { actorIds: ["lv-quiet"] }) { cursor } }'],
  ])('%s detaches from the projector once its client is gone, even if nothing more matches', async (name, query) => {
    const url = server.url;
    const mark = listeners.attachments();
    const leaving = wsClient(server.url);
    const feed = collect(leaving, query);
    await listeners.attachedSince(mark);
    expect(listeners.stillAttached(mark)).toEqual([true]);

    feed.unsubscribe();
    await leaving.dispose();
    // Life goes on elsewhere; none of it concerns the subscription that left.
    for (let i = 0; i < 3; i++) {
      await recordDevelopment(url, developmentInput(`lv-${name}-${i}`, { actors: ['lv-busy'], topics: ['lv-topic'] }));
    }
    await waitUntil(
      () => listeners.stillAttached(mark)[0] === false,
      'the listener of the subscription that left to detach',
      3_000,
    );
  });
});
