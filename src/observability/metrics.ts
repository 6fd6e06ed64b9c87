import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LogPosition } from '../../events/index.js';
import type { Projector } from '../projections/projector.js';
import type { CachedReader } from '../read-store/cached-reader.js';
import type { EventStore } from '../store/event-store.js';
import { errorCodeLabel, operationNameLabels, operationTypeLabel } from './operation-labels.js';
import { processMetrics } from './process-metrics.js';
import { withTimeout } from './with-timeout.js';

/** How long a scrape waits for the log's head before it reports the lag as unknown (NaN). */
const HEAD_TIMEOUT_MS = 2_000;

interface FinishedOperation {
  /** query, mutation or subscription; undefined when the request was refused before GraphQL read it. */
  readonly type: string | undefined;
  readonly name: string | null | undefined;
  readonly seconds: number;
}

interface ReadModelSources {
  readonly store: Pick<EventStore, 'headPosition'>;
  readonly projector: Pick<Projector, 'checkpoint'> & { readonly reads?: Pick<CachedReader, 'stats' | 'bytesByKind'> };
}

/**
 * One server's metrics, in a registry of its own rather than prom-client's global one, so that several servers in
 * one process (tests) count apart. Counters and the histogram are recorded as things happen; the gauges are read
 * from their sources when Prometheus scrapes.
 */
export interface TimelineMetrics {
  readonly contentType: string;
  /** Prometheus text: this server's metrics, then the process's. */
  scrape(): Promise<string>;
  operationFinished(operation: FinishedOperation): void;
  /** A response (or a refused subscription) went out with these error codes; each counts once per response. */
  rejected(codes: Iterable<unknown>): void;
  appended(command: string, events: number): void;
  /** A query document was compiled for execution (src/server/compiled-execution.ts). */
  documentCompiled(): void;
  /** A query was answered by the known queries' lane (src/server/graphql-endpoint/known-queries.ts). */
  knownQueryAnswered(): void;
  /** A document sent over graphql-ws was parsed and validated (src/server/prepared-documents.ts). */
  documentPrepared(): void;
  /**
   * Reads the projection lag from the log's head and the read model's checkpoint at each scrape, and the read
   * cache's size and hits when the projector reads through one.
   */
  watchReadModel(sources: ReadModelSources): void;
  /** Reads the number of open subscriptions at each scrape (servers that take subscriptions). */
  watchSubscriptions(open: () => number): void;
}

/** Positions are compared by commit: on the embedded store that is the event's sequence number in the log. */
const lagOf = (head: LogPosition | null, checkpoint: LogPosition | null): number => {
  if (head === null) return 0;
  const behind = head.commit - (checkpoint?.commit ?? 0n);
  return behind > 0n ? Number(behind) : 0;
};

/**
 * The read models' cache in the heap: what it holds against TIMELINE_CACHE_MB (a cache always full and a low hit
 * ratio ask for more), and its hits and misses, counted by the reader and carried over at each scrape.
 */
const watchReadCache = (reads: Pick<CachedReader, 'stats' | 'bytesByKind'>, registers: Registry[]): void => {
  const stats = () => reads.stats;
  new Gauge({
    name: 'timeline_read_cache_bytes',
    help: 'Estimated heap bytes the read-model cache holds (lru-cache sized by record kind)',
    registers,
    collect() {
      this.set(stats().bytes);
    },
  });
  // What fills the cache: at 1M developments, snapshot texts read once held 114 MB of 127 before they were kept only
  // from their second read (cached-reader.ts).
  new Gauge({
    name: 'timeline_read_cache_kind_bytes',
    help: 'Estimated heap bytes the read-model cache holds, by kind of record',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const [kind, bytes] of Object.entries(reads.bytesByKind())) this.set({ kind }, bytes);
    },
  });
  new Gauge({
    name: 'timeline_read_cache_limit_bytes',
    help: 'The bound of the read-model cache: TIMELINE_CACHE_MB',
    registers,
    collect() {
      this.set(stats().maxBytes);
    },
  });
  const carried = { hits: 0, misses: 0 };
  for (const outcome of ['hits', 'misses'] as const) {
    new Counter({
      name: `timeline_read_cache_${outcome}_total`,
      help:
        outcome === 'hits'
          ? 'Read-model records answered from the heap'
          : 'Read-model records read from the store (SQLite or Redis) because the heap did not hold them',
      registers,
      collect() {
        const now = stats()[outcome];
        this.inc(now - carried[outcome]);
        carried[outcome] = now;
      },
    });
  }
};

export const createTimelineMetrics = (): TimelineMetrics => {
  const registry = new Registry();
  const registers = [registry];
  const operationName = operationNameLabels();

  const duration = new Histogram({
    name: 'timeline_http_request_duration_seconds',
    help:
      'Time from a request reaching /graphql to its response, by operation type (unknown when refused before ' +
      'GraphQL read it) and operation name (anonymous unless a plain name of up to 64 characters; other past 200)',
    labelNames: ['operation_type', 'operation_name'],
    registers,
  });
  const rejections = new Counter({
    name: 'timeline_requests_rejected_total',
    help:
      'Responses carrying GraphQL errors, by extensions.code (RATE_LIMITED, UNAUTHENTICATED, FORBIDDEN, ' +
      'QUERY_TOO_COMPLEX, BAD_USER_INPUT, …), refusals before GraphQL and refused subscriptions included; a ' +
      'response counts once per distinct code',
    labelNames: ['code'],
    registers,
  });
  const appends = new Counter({
    name: 'timeline_events_appended_total',
    help: 'Events this process appended to the log, by command (an idempotent repeat appends none)',
    labelNames: ['command'],
    registers,
  });
  const compiled = new Counter({
    name: 'timeline_graphql_documents_compiled_total',
    help:
      'Query documents compiled for execution, each on its second use; one that keeps climbing means clients send ' +
      'ever new documents (variables belong in variables)',
    registers,
  });
  const knownQueryAnswers = new Counter({
    name: 'timeline_graphql_known_query_answers_total',
    help:
      "Queries answered by the known queries' lane, without Apollo Server's per-request pipeline: a POST of a query " +
      'Apollo has already validated, answered without an error; every other operation is answered by Apollo',
    registers,
  });
  const prepared = new Counter({
    name: 'timeline_subscription_documents_prepared_total',
    help:
      'Documents sent over graphql-ws (subscriptions, and queries and mutations on the socket) parsed and ' +
      'validated, once per distinct text while the cache of 1,000 holds it; one that climbs with every subscription ' +
      'means clients send ever new documents (variables belong in variables)',
    registers,
  });

  return {
    contentType: registry.contentType,
    scrape: async () => `${await registry.metrics()}\n${await processMetrics().metrics()}`,
    operationFinished: ({ type, name, seconds }) =>
      duration.observe({ operation_type: operationTypeLabel(type), operation_name: operationName(name) }, seconds),
    rejected: (codes) => {
      for (const code of new Set([...codes].map(errorCodeLabel))) rejections.inc({ code });
    },
    appended: (command, events) => {
      if (events > 0) appends.inc({ command }, events);
    },
    documentCompiled: () => compiled.inc(),
    knownQueryAnswered: () => knownQueryAnswers.inc(),
    documentPrepared: () => prepared.inc(),
    watchReadModel: ({ store, projector }) => {
      new Gauge({
        name: 'timeline_projection_lag_events',
        help:
          "How far the read model is behind the log's head, read at each scrape: the head's commit position " +
          "minus the read model's checkpoint. On the embedded store that is a count of events; on KurrentDB a " +
          'distance in its log (0 means caught up all the same). NaN when the log did not answer within 2 s',
        registers,
        async collect() {
          try {
            const head = await withTimeout(store.headPosition(), HEAD_TIMEOUT_MS);
            this.set(lagOf(head, projector.checkpoint));
          } catch {
            this.set(Number.NaN);
          }
        },
      });
      const reads = projector.reads;
      if (reads) watchReadCache(reads, registers);
    },
    watchSubscriptions: (open) => {
      new Gauge({
        name: 'timeline_live_subscriptions',
        help: 'GraphQL subscriptions open on this process',
        registers,
        collect() {
          this.set(open());
        },
      });
    },
  };
};
