import { graphql } from './graphql-client.js';
import { EDITOR_KEY } from './in-process-server.js';

/**
 * Writes and reads over the public HTTP API, for the live (subscription) tests: every write is a real mutation
 * sent with fetch, every check against the log reads `eventLog`.
 */

export const DEVELOPMENT_EVENT_TYPES = [
  'DevelopmentRecorded',
  'DevelopmentCorrected',
  'DevelopmentVerified',
  'DevelopmentRetracted',
] as const;

/** Runs a mutation (or query) that must succeed, and hands back its data. */
export const mutate = async <T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  key: string = EDITOR_KEY,
): Promise<T> => {
  const response = await graphql<T>(url, query, variables, key);
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL call failed (${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data;
};

export const registerActor = (url: string, id: string, name = id, key?: string) =>
  mutate(
    url,
    'mutation($input: RegisterActorInput!) { registerActor(input: $input) { id } }',
    { input: { id, name, kind: 'PERSON' } },
    key,
  );

export const openTopic = (url: string, id: string, extra: Record<string, unknown> = {}, key?: string) =>
  mutate(
    url,
    'mutation($input: OpenTopicInput!) { openTopic(input: $input) { id } }',
    { input: { id, title: `Topic ${id}`, openedAt: '2020-01-01T00:00:00.000Z', ...extra } },
    key,
  );

export const changeTopicStatus = (url: string, topicId: string, status: string, at = '2024-06-01T00:00:00.000Z') =>
  mutate(url, 'mutation($input: ChangeTopicStatusInput!) { changeTopicStatus(input: $input) { id status } }', {
    input: { topicId, status, at },
  });

export const assignRole = (url: string, actorId: string, title: string) =>
  mutate(url, 'mutation($input: AssignRoleInput!) { assignRole(input: $input) { id } }', {
    input: { actorId, title, since: '2020-01-01T00:00:00.000Z' },
  });

export interface DevelopmentSketch {
  readonly actors: readonly string[];
  readonly topics: readonly string[];
  readonly kind?: string;
  readonly title?: string;
  readonly summary?: string;
  readonly quotes?: readonly { text: string }[];
  readonly occurredAt?: string;
}

/** A valid RecordDevelopmentInput: the first actor is the SOURCE, the others TARGETs. */
export const developmentInput = (id: string, sketch: DevelopmentSketch): Record<string, unknown> => ({
  id,
  kind: sketch.kind ?? 'STATEMENT',
  title: sketch.title ?? `Development ${id}`,
  ...(sketch.summary === undefined ? {} : { summary: sketch.summary }),
  ...(sketch.quotes === undefined ? {} : { quotes: sketch.quotes }),
  occurredAt: sketch.occurredAt ?? '2025-01-15T12:00:00.000Z',
  precision: 'DAY',
  participants: sketch.actors.map((actorId, index) => ({ actorId, role: index === 0 ? 'SOURCE' : 'TARGET' })),
  topicIds: sketch.topics,
  sources: [{ publisher: 'Live Test Wire' }],
});

export const recordDevelopment = async (url: string, input: Record<string, unknown>, key?: string) =>
  (
    await mutate<{ recordDevelopment: { id: string; revision: number } }>(
      url,
      'mutation($input: RecordDevelopmentInput!) { recordDevelopment(input: $input) { id revision } }',
      { input },
      key,
    )
  ).recordDevelopment;

export const correctDevelopment = async (
  url: string,
  id: string,
  expectedRevision: number,
  patch: Record<string, unknown>,
) =>
  (
    await mutate<{ correctDevelopment: { id: string; revision: number } }>(
      url,
      'mutation($input: CorrectDevelopmentInput!) { correctDevelopment(input: $input) { id revision } }',
      { input: { id, expectedRevision, reason: 'live test correction', patch } },
    )
  ).correctDevelopment;

export const verifyDevelopment = async (url: string, id: string, status = 'CONFIRMED') =>
  (
    await mutate<{ verifyDevelopment: { id: string; revision: number } }>(
      url,
      'mutation($input: VerifyDevelopmentInput!) { verifyDevelopment(input: $input) { id revision } }',
      { input: { id, status, summary: 'checked by the live tests' } },
    )
  ).verifyDevelopment;

export const retractDevelopment = async (url: string, id: string, expectedRevision: number) =>
  (
    await mutate<{ retractDevelopment: { id: string; revision: number } }>(
      url,
      'mutation($input: RetractDevelopmentInput!) { retractDevelopment(input: $input) { id revision } }',
      { input: { id, expectedRevision, reason: 'live test retraction' } },
    )
  ).retractDevelopment;

export interface LogEntry {
  readonly position: string;
  readonly type: string;
  readonly streamId: string;
  readonly data: { id?: string } & Record<string, unknown>;
}

/** The whole log after a position (or from the start), optionally only some event types, in append order. */
export const readLog = async (
  url: string,
  options: { after?: string | null; types?: readonly string[] } = {},
  key: string = EDITOR_KEY,
): Promise<LogEntry[]> => {
  const entries: LogEntry[] = [];
  let after = options.after ?? null;
  for (;;) {
    const { eventLog } = await mutate<{
      eventLog: { edges: { node: LogEntry }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
    }>(
      url,
      `query($after: String, $types: [String!]) {
        eventLog(first: 500, after: $after, types: $types) {
          edges { node { position type streamId data } }
          pageInfo { endCursor hasNextPage }
        }
      }`,
      { after, types: options.types ?? null },
      key,
    );
    entries.push(...eventLog.edges.map((edge) => edge.node));
    if (!eventLog.pageInfo.hasNextPage || eventLog.pageInfo.endCursor === null) return entries;
    after = eventLog.pageInfo.endCursor;
  }
};

/** The position of the last event in the log, or null for an empty log. */
export const headCursor = async (url: string, key?: string): Promise<string | null> => {
  const log = await readLog(url, {}, key);
  return log.at(-1)?.position ?? null;
};

/** Runs `task(0..count-1)` with at most `concurrency` of them in flight; rejects on the first failure. */
export const runPool = async (
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
};

/** Polls `predicate` every few ms until it holds; rejects with `what` (and the detail) after `timeoutMs`. */
export const waitUntil = async (
  predicate: () => boolean,
  what: string,
  timeoutMs = 15_000,
  detail: () => string = () => '',
): Promise<void> => {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The codes of every GraphQL error in what a subscription collected, be they result errors or an error message. */
export const errorCodes = (errors: readonly unknown[]): unknown[] =>
  errors.flatMap((error) => (Array.isArray(error) ? error : [error])).map((error) => codeOf(error));

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'extensions' in error
    ? (error as { extensions?: { code?: unknown } }).extensions?.code
    : undefined;

/** Whether the strings strictly increase (cursors are fixed-width hex: string order is log order). */
export const strictlyIncreasing = (values: readonly string[]): boolean =>
  values.every((value, index) => index === 0 || values[index - 1]! < value);
