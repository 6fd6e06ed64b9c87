import type { DevelopmentState } from '../../src/domain/development.js';
import { latestState } from '../../src/time-travel/known-state.js';
import { afterAll, beforeAll, describe, expect, it, beforeEach } from 'vitest';
import { secretDigest } from '../../src/config/environment.js';
import { graphql } from '../support/graphql-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { wsClient } from '../support/live-client.js';

/**
 * Every role against every operation, on a real server: each query, each mutation, each subscription and each admin
 * operation, for no key, a wrong key, a reader, an editor and an admin key. Keys are configured by their hash
 * (admin) and by their secret (the others); the log names the key that wrote each event, never the key itself.
 */

const SECRETS = {
  admin: 'matrix-admin-secret-000001',
  editor: 'matrix-editor-secret-00001',
  reader: 'matrix-reader-secret-00001',
  invalid: 'matrix-not-a-key-anybody-has',
} as const;
type Who = 'anonymous' | keyof typeof SECRETS;
const WHO: readonly Who[] = ['anonymous', 'invalid', 'reader', 'editor', 'admin'];
const keyOf = (who: Who) => (who === 'anonymous' ? undefined : SECRETS[who]);

type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';

const expectedFor = (access: 'read' | 'write' | 'admin', who: Who, readersRequired: boolean): Outcome => {
  if (who === 'invalid') return 'UNAUTHENTICATED';
  if (access === 'admin') return who === 'admin' ? 'ok' : who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
  if (access === 'write') {
    if (who === 'editor' || who === 'admin') return 'ok';
    return who === 'reader' ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  }
  return who === 'anonymous' && readersRequired ? 'UNAUTHENTICATED' : 'ok';
};

const READS: readonly [string, string][] = [
  ['actor', '{ actor(id: "base-actor") { id } }'],
  ['actors', '{ actors(first: 2) { totalCount } }'],
  ['topic', '{ topic(id: "base-topic") { id } }'],
  ['topics', '{ topics(first: 2) { totalCount } }'],
  ['meeting', '{ meeting(id: "no-such-meeting") { id } }'],
  ['meetings', '{ meetings(first: 2) { totalCount } }'],
  ['development', '{ development(id: "base-development") { id } }'],
  ['timeline', '{ timeline(first: 2) { totalCount } }'],
  ['eventLog', '{ eventLog(first: 2) { edges { cursor } } }'],
];

const ADMIN: readonly [string, string][] = [
  ['apiKeys', '{ apiKeys { name role } }'],
  ['serverStatus', '{ serverStatus { role checkpoint logHead caughtUp leading liveSubscriptions } }'],
  ['an admin field beside a read', '{ timeline(first: 1) { totalCount } serverStatus { role } }'],
  ['an admin field in a fragment', 'query { ...status } fragment status on Query { apiKeys { name } }'],
];

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

/** Each mutation with an input that succeeds whenever it is allowed to run. */
const WRITES: readonly [string, () => [string, Record<string, unknown>]][] = [
  [
    'registerActor',
    () => [
      'mutation($i: RegisterActorInput!) { registerActor(input: $i) { id } }',
      { id: unique('a'), name: 'A', kind: 'PERSON' },
    ],
  ],
  [
    'assignRole',
    () => [
      'mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }',
      { actorId: 'base-actor', title: unique('Envoy'), since: '2020-01-01T00:00:00Z' },
    ],
  ],
  [
    'openTopic',
    () => [
      'mutation($i: OpenTopicInput!) { openTopic(input: $i) { id } }',
      { id: unique('t'), title: 'T', openedAt: '2020-01-01T00:00:00Z' },
    ],
  ],
  [
    'changeTopicStatus',
    () => [
      'mutation($i: ChangeTopicStatusInput!) { changeTopicStatus(input: $i) { id } }',
      {
        topicId: 'base-topic',
        status: 'ACTIVE',
        at: `2021-01-${String(1 + (counter++ % 28)).padStart(2, '0')}T00:00:00Z`,
      },
    ],
  ],
  [
    'recordDevelopment',
    () => ['mutation($i: RecordDevelopmentInput!) { recordDevelopment(input: $i) { id } }', development(unique('d'))],
  ],
  [
    'correctDevelopment',
    () => [
      'mutation($i: CorrectDevelopmentInput!) { correctDevelopment(input: $i) { id } }',
      { id: 'base-development', expectedRevision: revision, reason: 'fix', patch: { title: unique('Corrected') } },
    ],
  ],
  [
    'verifyDevelopment',
    () => [
      'mutation($i: VerifyDevelopmentInput!) { verifyDevelopment(input: $i) { id } }',
      { id: 'base-development', status: 'CONFIRMED', summary: unique('checked') },
    ],
  ],
  [
    'retractDevelopment',
    () => [
      'mutation($i: RetractDevelopmentInput!) { retractDevelopment(input: $i) { id } }',
      { id: fresh.shift()!, expectedRevision: 0, reason: 'wrong' },
    ],
  ],
];

const development = (id: string) => ({
  id,
  kind: 'STATEMENT',
  title: `Development ${id}`,
  occurredAt: '2025-01-01T00:00:00Z',
  participants: [{ actorId: 'base-actor', role: 'SOURCE' }],
  topicIds: ['base-topic'],
  sources: [{ publisher: 'Wire' }],
});

let server: InProcessServer;
/** The base development's revision, read before each mutation test: a correction must name it. */
let revision = 0;
const fresh: string[] = [];

const codeOf = (response: { errors?: { extensions?: { code?: string } }[] }): Outcome =>
  response.errors?.length ? (response.errors[0]!.extensions?.code as Outcome) : 'ok';

const variants = [
  { name: 'reader keys configured (reads need a key)', readersRequired: true },
  { name: 'no reader keys (reads are public)', readersRequired: false },
] as const;

describe.each(variants)('access with $name', ({ readersRequired }) => {
  beforeAll(async () => {
    server = await startInProcessServer({
      TIMELINE_ADMIN_KEYS: `ops:sha256:${secretDigest(SECRETS.admin)}`,
      TIMELINE_EDITOR_KEYS: `alice:${SECRETS.editor}`,
      TIMELINE_READER_KEYS: readersRequired ? `dashboard:${SECRETS.reader}` : '',
    });
    const setup = async (query: string, input: Record<string, unknown>) => {
      const response = await graphql(server.url, query, { i: input }, SECRETS.editor);
      expect(response.errors).toBeUndefined();
    };
    await setup('mutation($i: RegisterActorInput!) { registerActor(input: $i) { id } }', {
      id: 'base-actor',
      name: 'Base',
      kind: 'STATE',
    });
    await setup('mutation($i: OpenTopicInput!) { openTopic(input: $i) { id } }', {
      id: 'base-topic',
      title: 'Base',
      openedAt: '2019-01-01T00:00:00Z',
    });
    await setup(
      'mutation($i: RecordDevelopmentInput!) { recordDevelopment(input: $i) { id } }',
      development('base-development'),
    );
    for (let n = 0; n < 10; n++) {
      const id = `to-retract-${n}`;
      fresh.push(id);
      await setup('mutation($i: RecordDevelopmentInput!) { recordDevelopment(input: $i) { id } }', development(id));
    }
  });
  beforeEach(async () => {
    revision =
      (await latestState<DevelopmentState>(server.timeline.services.reads, 'development', 'base-development'))
        ?.revision ?? 0;
  });
  afterAll(async () => {
    await server.close();
    fresh.length = 0;
  });

  // A reader key is only known to the server that configures reader keys.
  const who = (name: Who): Who => (name === 'reader' && !readersRequired ? 'invalid' : name);

  for (const [name, query] of READS) {
    it.each(WHO)(`query ${name} as %s`, async (name_) => {
      const response = await graphql(server.url, query, {}, keyOf(name_));
      expect(codeOf(response)).toBe(expectedFor('read', who(name_), readersRequired));
    });
  }

  for (const [name, query] of ADMIN) {
    it.each(WHO)(`admin ${name} as %s`, async (name_) => {
      const response = await graphql(server.url, query, {}, keyOf(name_));
      expect(codeOf(response)).toBe(expectedFor('admin', who(name_), readersRequired));
      if (codeOf(response) !== 'ok') expect(response.data ?? null).toBeNull();
    });
  }

  for (const [name, make] of WRITES) {
    it.each(WHO)(`mutation ${name} as %s`, async (name_) => {
      const [query, input] = make();
      const before = await server.timeline.services.store.headPosition();
      const response = await graphql(server.url, query, { i: input }, keyOf(name_));
      const expected = expectedFor('write', who(name_), readersRequired);
      expect(codeOf(response)).toBe(expected);
      const after = await server.timeline.services.store.headPosition();
      if (expected === 'ok') {
        // The event names the key that wrote it.
        const [event] = await server.timeline.services.store.readAll({ after: before, maxCount: 1 });
        expect(event!.metadata.keyName).toBe(name_ === 'admin' ? 'ops' : 'alice');
      } else {
        if (name === 'retractDevelopment') fresh.unshift(input.id as string);
        expect(after).toEqual(before);
      }
    });
  }

  it.each(WHO)('subscription timelineChanges as %s', async (name_) => {
    const client = wsClient(server.url, keyOf(name_));
    try {
      const outcome = await new Promise<Outcome>((resolve) => {
        const stop = client.subscribe(
          { query: 'subscription { timelineChanges(after: null) { cursor } }' },
          {
            next: () => undefined,
            error: (error) => resolve(codeOf({ errors: Array.isArray(error) ? error : [error as never] })),
            complete: () => resolve('ok'),
          },
        );
        // A live feed that is let in stays quiet: no refusal within the time is a yes.
        setTimeout(() => {
          stop();
          resolve('ok');
        }, 300);
      });
      expect(outcome).toBe(expectedFor('read', who(name_), readersRequired));
    } finally {
      await client.dispose();
    }
  });

  it('lists keys by name and role only, and the log holds no secret', async () => {
    const response = await graphql<{ apiKeys: { name: string; role: string }[] }>(
      server.url,
      '{ apiKeys { name role } }',
      {},
      SECRETS.admin,
    );
    expect(response.data?.apiKeys).toEqual([
      { name: 'ops', role: 'ADMIN' },
      { name: 'alice', role: 'EDITOR' },
      ...(readersRequired ? [{ name: 'dashboard', role: 'READER' }] : []),
    ]);
    const log = JSON.stringify(
      await server.timeline.services.store.readAll({ after: null, maxCount: 10_000 }),
      (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    );
    for (const secret of Object.values(SECRETS)) expect(log).not.toContain(secret);
    expect(log).not.toContain(secretDigest(SECRETS.admin));
  });
});
