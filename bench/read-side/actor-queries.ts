import { performance } from 'node:perf_hooks';
import type { ReferenceActor } from '../../test/support/reference-fold.js';
import type { Cast } from '../history/cast.js';
import type { Random } from '../history/random.js';
import { BenchVoid } from '../support/lifecycle.js';

/**
 * The as-of actor query of the read-side bench, how its actors and time points are drawn, how it is asked over
 * HTTP (any error voids the run), and how its answers are compared: with the reference fold, or between servers.
 */

export const ACTOR_QUERY = `query AsOf($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
  actor(id: $id, asOf: $asOf, knownAt: $knownAt) {
    id
    roles { title }
    positions { stance topic { id } }
    relations { other { id } developmentCount tone }
    developmentCount
    lastActiveAt
  }
}`;

export interface ServedActor {
  readonly id: string;
  readonly roles: readonly { readonly title: string }[];
  readonly positions: readonly { readonly stance: string; readonly topic: { readonly id: string } }[];
  readonly relations: readonly {
    readonly other: { readonly id: string };
    readonly developmentCount: number;
    readonly tone: number | null;
  }[];
  readonly developmentCount: number;
  readonly lastActiveAt: string | null;
}

/**
 * By activity: actors drawn with the generator's Zipf law, random asOf in the valid-time span and random knownAt
 * between the first and last recordedAt; uniform: the same but any actor alike; latest: by activity, knownAt the
 * last recordedAt (what a query without knownAt asks).
 */
export const DRAWS = ['by activity', 'uniform', 'by activity, knownAt = last'] as const;
export type Draw = (typeof DRAWS)[number];

export interface AsOfQuery {
  readonly draw: Draw;
  readonly id: string;
  readonly asOf: Date;
  readonly knownAt: Date;
}

export interface QuerySpan {
  readonly validFromMs: number;
  readonly validToMs: number;
  readonly firstRecordedMs: number;
  readonly lastRecordedMs: number;
}

/** `count` queries of each draw, in draw order. */
export const planQueries = (cast: Cast, span: QuerySpan, count: number, random: Random): AsOfQuery[] => {
  const byActivity = () => cast.actors[cast.actorsByRank[cast.actorZipf.draw(random)]!]!.id;
  const uniform = () => cast.actors[random.int(cast.actors.length)]!.id;
  const asOf = () => new Date(Math.floor(random.between(span.validFromMs, span.validToMs)));
  const knownAt = () => new Date(Math.floor(random.between(span.firstRecordedMs, span.lastRecordedMs + 1)));
  const queries: AsOfQuery[] = [];
  for (let i = 0; i < count; i++)
    queries.push({ draw: 'by activity', id: byActivity(), asOf: asOf(), knownAt: knownAt() });
  for (let i = 0; i < count; i++) queries.push({ draw: 'uniform', id: uniform(), asOf: asOf(), knownAt: knownAt() });
  for (let i = 0; i < count; i++) {
    const id = byActivity();
    queries.push({ draw: 'by activity, knownAt = last', id, asOf: asOf(), knownAt: new Date(span.lastRecordedMs) });
  }
  return queries;
};

export const describeQuery = (query: AsOfQuery): string =>
  `${query.id} asOf ${query.asOf.toISOString()} knownAt ${query.knownAt.toISOString()} (${query.draw})`;

interface GraphQLBody {
  readonly data?: { readonly actor?: ServedActor | null } | null;
  readonly errors?: readonly { readonly message: string; readonly extensions?: { readonly code?: string } }[];
}

export interface Asked {
  readonly query: AsOfQuery;
  /** From just before the request to the whole body read. */
  readonly elapsedMs: number;
  readonly answer: ServedActor | null;
}

/** Asks one query; anything but a 200 with data and no errors (a timeout included) voids the run. */
const askActor = async (
  server: string,
  url: string,
  secret: string,
  query: AsOfQuery,
  timeoutMs: number,
): Promise<Asked> => {
  const what = `${server}: query ${describeQuery(query)}`;
  const started = performance.now();
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({
        query: ACTOR_QUERY,
        variables: { id: query.id, asOf: query.asOf.toISOString(), knownAt: query.knownAt.toISOString() },
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const cause = (error as Error).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `${String(error)}${cause === undefined ? '' : ` (${String(cause)})`}`;
    throw new BenchVoid(`${what}: ${reason}`, { cause: error });
  }
  const elapsedMs = performance.now() - started;
  let body: GraphQLBody;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    throw new BenchVoid(`${what}: HTTP ${status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (status !== 200) throw new BenchVoid(`${what}: HTTP ${status} ${text.slice(0, 500)}`);
  if (body.errors?.length) {
    const first = body.errors[0]!;
    throw new BenchVoid(`${what}: GraphQL error ${first.extensions?.code ?? ''} ${first.message}`.replace(/\s+/g, ' '));
  }
  if (!body.data || body.data.actor === undefined)
    throw new BenchVoid(`${what}: no data.actor in ${text.slice(0, 300)}`);
  return { query, elapsedMs, answer: body.data.actor };
};

/** Warms up with `warmUp` (untimed), then asks `queries` one at a time. */
export const askAll = async (
  server: string,
  url: string,
  secret: string,
  warmUp: readonly AsOfQuery[],
  queries: readonly AsOfQuery[],
  timeoutMs: number,
  report: (text: string) => void,
): Promise<Asked[]> => {
  for (const query of warmUp) await askActor(server, url, secret, query, timeoutMs);
  const asked: Asked[] = [];
  const every = Math.max(1, Math.round(queries.length / 6));
  for (const query of queries) {
    asked.push(await askActor(server, url, secret, query, timeoutMs));
    if (asked.length % every === 0 || asked.length === queries.length) {
      report(`${server}: ${asked.length}/${queries.length} queries`);
    }
  }
  return asked;
};

// ---------------------------------------------------------------- comparisons

const toneText = (tone: number | null): string => (tone === null ? '-' : tone.toFixed(6));

const showDiff = (name: string, served: readonly string[], expected: readonly string[]): string | null => {
  if (served.join('\n') === expected.join('\n')) return null;
  const missing = expected.filter((item) => !served.includes(item)).slice(0, 3);
  const extra = served.filter((item) => !expected.includes(item)).slice(0, 3);
  return `${name} differ (${served.length} vs ${expected.length}; expected only: ${missing.join(' ') || '-'}; served only: ${extra.join(' ') || '-'})`;
};

/** What differs between a served answer and the reference fold's (the fields the reference gives), or null. */
export const differenceFromReference = (served: ServedActor | null, reference: ReferenceActor): string | null => {
  if (!reference.registered) return served === null ? null : 'the server knows an actor the reference does not';
  if (served === null) return 'the server answered null for a registered actor';
  if (served.developmentCount !== reference.developmentCount) {
    return `developmentCount ${served.developmentCount} vs ${reference.developmentCount}`;
  }
  const lastServed = served.lastActiveAt === null ? null : Date.parse(served.lastActiveAt);
  const lastReference = reference.lastActiveAt === null ? null : Date.parse(reference.lastActiveAt);
  if (lastServed !== lastReference) return `lastActiveAt ${served.lastActiveAt} vs ${reference.lastActiveAt}`;
  const positions = showDiff(
    'positions',
    served.positions.map((p) => `${p.topic.id}=${p.stance}`).sort(),
    reference.positions.map((p) => `${p.topicId}=${p.stance}`).sort(),
  );
  if (positions) return positions;
  return showDiff(
    'relations',
    served.relations.map((r) => `${r.other.id}:${r.developmentCount}:${toneText(r.tone)}`).sort(),
    reference.relations.map((r) => `${r.otherId}:${r.developmentCount}:${toneText(r.tone)}`).sort(),
  );
};

/** Every field of an answer, lists sorted: two servers over the same log must give the same. */
export const canonicalAnswer = (answer: ServedActor | null): string =>
  answer === null
    ? 'null'
    : JSON.stringify({
        id: answer.id,
        roles: answer.roles.map((role) => role.title).sort(),
        positions: answer.positions.map((p) => `${p.topic.id}=${p.stance}`).sort(),
        relations: answer.relations.map((r) => `${r.other.id}:${r.developmentCount}:${toneText(r.tone)}`).sort(),
        developmentCount: answer.developmentCount,
        lastActiveAt: answer.lastActiveAt === null ? null : Date.parse(answer.lastActiveAt),
      });
