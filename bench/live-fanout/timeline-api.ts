import { BenchVoid } from '../support/lifecycle.js';
import { EDITOR_KEY, MEASURED_PREFIX, REQUEST_TIMEOUT_MS } from './settings.js';

/** What the live fan-out bench asks the timeline over HTTP: the cast, the writes, and the log read back. */

export const SUBSCRIPTION = 'subscription { timelineChanges { cursor change development { id title occurredAt } } }';
const RECORD = 'mutation($input: RecordDevelopmentInput!) { recordDevelopment(input: $input) { id recordedAt } }';
const ACTORS = ['bench-state-a', 'bench-state-b', 'bench-state-c'];
const TOPIC = 'bench-topic';
const LOG_PAGE = 200;
const BASE_OCCURRED = Date.parse('2024-01-01T00:00:00Z');

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * A GraphQL request as the editor. An answer that is an error (not 200, GraphQL errors, a rate limit's 429) voids
 * the run (BenchVoid); no answer at all (a timeout, a refused connection) is a plain error, which under load the
 * caller may count as overload.
 */
const graphql = async (url: string, query: string, variables: Record<string, unknown>): Promise<GraphQLBody> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR_KEY}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let body: GraphQLBody | null = null;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    // Not JSON: reported as the text below.
  }
  if (!response.ok || body === null || (body.errors?.length ?? 0) > 0) {
    throw new BenchVoid(`the timeline answered HTTP ${response.status}: ${JSON.stringify(body?.errors ?? text)}`);
  }
  return body;
};

const developmentInput = (id: string, seq: number) => ({
  id,
  kind: 'STATEMENT',
  title: `Bench development ${seq}`.padEnd(48, '.'),
  occurredAt: new Date(BASE_OCCURRED + seq * 60_000).toISOString(),
  precision: 'INSTANT',
  participants: [{ actorId: ACTORS[seq % ACTORS.length]!, role: 'SOURCE' }],
  topicIds: [TOPIC],
  sources: [{ publisher: 'Bench Wire' }],
});

/** Records a development; resolves with its recordedAt, the server's wall-clock stamp (ms) taken in the append. */
export const record = async (url: string, id: string, seq: number): Promise<number> => {
  const body = await graphql(url, RECORD, { input: developmentInput(id, seq) });
  const recordedAt = Date.parse(
    String((body.data?.recordDevelopment as { recordedAt?: unknown } | undefined)?.recordedAt),
  );
  if (Number.isNaN(recordedAt)) {
    throw new BenchVoid(`recordDevelopment answered without a recordedAt: ${JSON.stringify(body)}`);
  }
  return recordedAt;
};

const LOG_QUERY = `query($after: String) {
  eventLog(after: $after, first: ${LOG_PAGE}, types: ["DevelopmentRecorded"]) {
    edges { node { data recordedAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface LogPage {
  readonly eventLog: {
    readonly edges: { readonly node: { readonly data: { readonly id?: string }; readonly recordedAt: string } }[];
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  };
}

/** The measured writes the log holds: sequence number -> recordedAt (ms). */
export const appendedInLog = async (url: string, writes: number): Promise<Map<number, number>> => {
  const found = new Map<number, number>();
  let after: string | null = null;
  // Bounded: the log holds the warm-ups and at most `writes` measured developments.
  for (let page = 0; page < Math.ceil(writes / LOG_PAGE) + 20; page += 1) {
    const body = await graphql(url, LOG_QUERY, { after });
    const { edges, pageInfo } = (body.data as unknown as LogPage).eventLog;
    for (const { node } of edges) {
      const id = node.data.id;
      if (id?.startsWith(MEASURED_PREFIX)) {
        found.set(Number(id.slice(MEASURED_PREFIX.length)), Date.parse(node.recordedAt));
      }
    }
    if (!pageInfo.hasNextPage || pageInfo.endCursor === null) break;
    after = pageInfo.endCursor;
  }
  return found;
};

/** The actors and the topic every bench development names. */
export const seedEntities = async (url: string): Promise<void> => {
  for (const id of ACTORS) {
    await graphql(url, 'mutation($input: RegisterActorInput!) { registerActor(input: $input) { id } }', {
      input: { id, name: `Bench state ${id.slice(-1).toUpperCase()}`, kind: 'STATE' },
    });
  }
  await graphql(url, 'mutation($input: OpenTopicInput!) { openTopic(input: $input) { id } }', {
    input: { id: TOPIC, title: 'Bench topic', openedAt: '2020-01-01T00:00:00Z' },
  });
};
