import type { Figures } from './load.js';
import type { Query, Refusal } from './requests.js';
import { decimal, int, markdownTable } from '../support/stats.js';

/** The throughput bench's tables: medians of the rounds, the server beside its bare baseline, and the #18 goals. */

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const medianFigures = (rounds: readonly Figures[]): Figures => ({
  requestsPerSecond: median(rounds.map((figures) => figures.requestsPerSecond)),
  p99Ms: median(rounds.map((figures) => figures.p99Ms)),
  cpuMicrosPerRequest: median(rounds.map((figures) => figures.cpuMicrosPerRequest)),
});

/** The tolerance on p99: the baseline's plus 2 ms. */
const P99_SLACK_MS = 2;

export interface QueryResult {
  readonly query: Query;
  readonly server: Figures;
  readonly bare: Figures;
}

const goalsOf = ({ query, server, bare }: QueryResult): string => {
  const ratio = server.requestsPerSecond / bare.requestsPerSecond;
  const throughput =
    query.goal === null
      ? `${decimal(ratio, 2)}x, no goal`
      : `${decimal(ratio, 2)}x ≥ ${query.goal}x: ${ratio >= query.goal ? 'met' : 'not met'}`;
  const p99 = server.p99Ms <= bare.p99Ms + P99_SLACK_MS ? 'met' : 'not met';
  return `${throughput}; p99 ≤ baseline + ${P99_SLACK_MS} ms: ${p99}`;
};

export const queryTable = (results: readonly QueryResult[]): string =>
  markdownTable(
    ['query', 'server req/s', 'bare req/s', 'server p99', 'bare p99', 'server CPU/req', 'bare CPU/req', 'goal (#18)'],
    results.map((result) => [
      result.query.name,
      int(result.server.requestsPerSecond),
      int(result.bare.requestsPerSecond),
      `${decimal(result.server.p99Ms, 0)} ms`,
      `${decimal(result.bare.p99Ms, 0)} ms`,
      `${int(result.server.cpuMicrosPerRequest)} µs`,
      `${int(result.bare.cpuMicrosPerRequest)} µs`,
      goalsOf(result),
    ]),
  );

export const refusalTable = (results: readonly { refusal: Refusal; server: Figures }[]): string =>
  markdownTable(
    ['refused on the server', 'req/s', 'p99', 'CPU/req'],
    results.map(({ refusal, server }) => [
      refusal.name,
      int(server.requestsPerSecond),
      `${decimal(server.p99Ms, 0)} ms`,
      `${int(server.cpuMicrosPerRequest)} µs`,
    ]),
  );

export interface VariantResult {
  readonly query: Query;
  /** The server first, then each variant. */
  readonly servers: readonly { readonly name: string; readonly figures: Figures }[];
  readonly bare: Figures;
}

/** Each way of serving a query beside the bare baseline: req/s (its ratio to bare's) and CPU per request. */
export const variantTable = (results: readonly VariantResult[]): string =>
  markdownTable(
    ['query', ...results[0]!.servers.map(({ name }) => name), 'bare graphql-js'],
    results.map(({ query, servers, bare }) => [
      query.name,
      ...servers.map(({ figures }) => {
        const ratio = decimal(figures.requestsPerSecond / bare.requestsPerSecond, 2);
        return `${int(figures.requestsPerSecond)} req/s (${ratio}x), ${int(figures.cpuMicrosPerRequest)} µs`;
      }),
      `${int(bare.requestsPerSecond)} req/s, ${int(bare.cpuMicrosPerRequest)} µs`,
    ]),
  );
