import type { Draw } from './actor-queries.js';
import { DRAWS } from './actor-queries.js';
import type { LogFacts, Throughput } from './log-baselines.js';
import { eventsPerSecond } from './log-baselines.js';
import type { Resident } from '../support/proc.js';
import { fixed, int, markdownTable, mb, ms, seconds, type Summary } from '../support/stats.js';

/** The figures of one size of the read-side bench, and the tables they print as. */

export interface DrawFigures {
  /** Over HTTP, one query at a time. */
  readonly http: Summary;
  /** The raw point read of the same actors (SQLite SELECT, or Redis GET). */
  readonly raw: Summary;
  /** Bare graphql-js executing the same document over the same answers in memory (bare-graphql.ts). */
  readonly bare: Summary;
  readonly nulls: number;
  readonly developmentCountP50: number;
}

export interface ServerFigures {
  readonly readyMs: number;
  readonly afterStart: Resident;
  readonly afterQueries: Resident;
  readonly draws: ReadonlyMap<Draw, DrawFigures>;
}

export interface SizeFigures {
  readonly size: number;
  readonly facts: LogFacts;
  /** The generator's options the history was made with (seed, skew, corrections; where they came from). */
  readonly historyNote: string;
  readonly generated: { readonly elapsedMs: number; readonly commands: number } | null;
  readonly raw: Throughput;
  /** Null where the read models were made elsewhere (--read-models). */
  readonly sqliteRebuild: Throughput | null;
  readonly readModelsBytes: number;
  readonly embedded: ServerFigures;
  /** Answers compared with the reference fold (0 above the size where it runs). */
  readonly referenceChecked: number;
  /** Null where the run kept to the embedded store (--stores sqlite). */
  readonly redis: RedisFigures | null;
  /** Wall time of each phase and the cores other processes on the machine kept busy meanwhile. */
  readonly phases: readonly { readonly name: string; readonly elapsedMs: number; readonly othersCores: number }[];
}

interface RedisFigures {
  readonly rebuild: Throughput;
  readonly bytes: number;
  readonly projectorReadyMs: number;
  readonly serve: ServerFigures;
  /** serve's answers compared with the embedded server's (all of them). */
  readonly serveCompared: number;
}

export interface FloorFigures {
  /** A bare node process (the same loader) answering HTTP: spawn to its first 200. */
  readonly readyMs: number;
  readonly resident: Resident;
}

const rate = (throughput: Throughput): string => `${int(eventsPerSecond(throughput))} ev/s`;
const share = (value: number, baseline: number): number => value / baseline;

const rebuildCell = (rebuild: Throughput, raw: Throughput): string =>
  `${rate(rebuild)} (${fixed(share(eventsPerSecond(rebuild), eventsPerSecond(raw)), 2)} of raw ${rate(raw)})`;

const latencyCell = (draw: DrawFigures | undefined): string =>
  draw
    ? `${ms(draw.http.p50)} / ${ms(draw.http.p99)} (raw ${ms(draw.raw.p50)} / ${ms(draw.raw.p99)}; ` +
      `bare graphql-js ${ms(draw.bare.p50)} / ${ms(draw.bare.p99)})`
    : '-';

const bytesPerEvent = (bytes: number, events: number): number => bytes / events;

const SHORT_DRAW: Record<Draw, string> = {
  'by activity': 'activity',
  uniform: 'uniform',
  'by activity, knownAt = last': 'activity, knownAt=last',
};

/** The one table the brief asks for: a row per size, each figure beside its baseline of the same run. */
export const summaryTable = (sizes: readonly SizeFigures[], floor: FloorFigures): string => {
  const header = [
    'developments',
    'events',
    'rebuild SQLite (÷ raw read+parse)',
    'rebuild Redis (÷ raw read+parse)',
    'Redis B/event vs SQLite log B/event',
    'embedded start-to-ready (bare node)',
    ...DRAWS.map((draw) => `embedded p50 / p99, ${SHORT_DRAW[draw]} (raw SELECT; bare graphql-js)`),
    'embedded RSS / peak (bare node)',
    'serve start-to-ready (bare node)',
    ...DRAWS.map((draw) => `serve p50 / p99, ${SHORT_DRAW[draw]} (raw GET; bare graphql-js)`),
    'serve RSS / peak (bare node)',
  ];
  const rows = sizes.map((figures) => {
    const { facts, redis } = figures;
    const logPerEvent = bytesPerEvent(facts.fileBytes, facts.events);
    const redisPerEvent = redis && bytesPerEvent(redis.bytes, redis.rebuild.events);
    const notRun = 'not run';
    return [
      int(figures.size),
      int(facts.events),
      figures.sqliteRebuild ? rebuildCell(figures.sqliteRebuild, figures.raw) : 'not run (--read-models)',
      redis ? rebuildCell(redis.rebuild, figures.raw) : notRun,
      redisPerEvent === null
        ? notRun
        : `${int(redisPerEvent)} B vs ${int(logPerEvent)} B (${fixed(redisPerEvent / logPerEvent, 3)})`,
      `${seconds(figures.embedded.readyMs)} (${seconds(floor.readyMs)})`,
      ...DRAWS.map((draw) => latencyCell(figures.embedded.draws.get(draw))),
      `${mb(figures.embedded.afterQueries.rss)} / ${mb(figures.embedded.afterQueries.peak)} (${mb(floor.resident.rss)})`,
      redis ? `${seconds(redis.serve.readyMs)} (${seconds(floor.readyMs)})` : notRun,
      ...DRAWS.map((draw) => (redis ? latencyCell(redis.serve.draws.get(draw)) : notRun)),
      redis
        ? `${mb(redis.serve.afterQueries.rss)} / ${mb(redis.serve.afterQueries.peak)} (${mb(floor.resident.rss)})`
        : notRun,
    ];
  });
  return markdownTable(header, rows);
};

const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

const MB = 1024 * 1024;

/** What the issue asks of each server: the embedded one a p50 too, `serve` a start to ready. */
interface ServerGoals {
  readonly p99Ms: number;
  readonly p50Ms: number | null;
  readonly readyMs: number | null;
}

const EMBEDDED_GOALS: ServerGoals = { p99Ms: 10, p50Ms: 3, readyMs: null };
const SERVE_GOALS: ServerGoals = { p99Ms: 15, p50Ms: null, readyMs: 3_000 };

/** One server's rows: p99 (and p50) per draw, resident memory, start to ready, and memory against `smallest`'s. */
const serverGoals = (
  size: string,
  server: string,
  served: ServerFigures,
  goals: ServerGoals,
  smallest: { readonly size: number; readonly served: ServerFigures } | null,
): string[][] => {
  const rows: string[][] = [];
  for (const draw of DRAWS) {
    const entry = served.draws.get(draw);
    if (!entry) continue;
    const latency = (name: 'p50' | 'p99', value: number, goalMs: number) =>
      rows.push([
        size,
        `${server} ${name}, ${SHORT_DRAW[draw]}`,
        ms(value),
        `<= ${goalMs} ms`,
        verdict(value <= goalMs),
      ]);
    latency('p99', entry.http.p99, goals.p99Ms);
    if (goals.p50Ms !== null) latency('p50', entry.http.p50, goals.p50Ms);
  }
  const rss = served.afterQueries.rss;
  rows.push([size, `${server} RSS after the queries`, mb(rss), '<= 300 MB', verdict(rss <= 300 * MB)]);
  if (smallest) {
    const ratio = rss / smallest.served.afterQueries.rss;
    rows.push([size, `${server} RSS ÷ at ${int(smallest.size)}`, fixed(ratio, 2), '<= 1.2', verdict(ratio <= 1.2)]);
  }
  if (goals.readyMs !== null) {
    const ready = served.readyMs;
    rows.push([
      size,
      `${server} start to ready`,
      seconds(ready),
      `<= ${seconds(goals.readyMs)}`,
      verdict(ready <= goals.readyMs),
    ]);
  }
  return rows;
};

/** The goals the brief names, per size, and across sizes (resident memory against the smallest size's). */
export const goalsTable = (sizes: readonly SizeFigures[]): string => {
  const rows: string[][] = [];
  const smallest = sizes.reduce<SizeFigures | null>(
    (low, figures) => (low && low.size <= figures.size ? low : figures),
    null,
  );
  for (const figures of sizes) {
    const size = int(figures.size);
    const against = smallest && smallest !== figures ? smallest : null;
    rows.push(
      ...serverGoals(
        size,
        'embedded',
        figures.embedded,
        EMBEDDED_GOALS,
        against && { size: against.size, served: against.embedded },
      ),
    );
    if (figures.redis) {
      const smallestServe = against?.redis ? { size: against.size, served: against.redis.serve } : null;
      rows.push(...serverGoals(size, 'serve', figures.redis.serve, SERVE_GOALS, smallestServe));
    }
    const raw = eventsPerSecond(figures.raw);
    if (figures.sqliteRebuild) {
      const sqlite = share(eventsPerSecond(figures.sqliteRebuild), raw);
      rows.push([size, 'rebuild into SQLite ÷ raw read+parse', fixed(sqlite, 2), '>= 0.5', verdict(sqlite >= 0.5)]);
    }
    if (figures.redis === null) continue;
    const redis = share(eventsPerSecond(figures.redis.rebuild), raw);
    const redisPerEvent = bytesPerEvent(figures.redis.bytes, figures.redis.rebuild.events);
    const logPerEvent = bytesPerEvent(figures.facts.fileBytes, figures.facts.events);
    rows.push(
      [size, 'rebuild into Redis ÷ raw read+parse', fixed(redis, 2), '>= 0.8', verdict(redis >= 0.8)],
      [
        size,
        'Redis bytes/event ÷ SQLite log bytes/event',
        fixed(redisPerEvent / logPerEvent, 3),
        '<= 1',
        verdict(redisPerEvent <= logPerEvent),
      ],
    );
  }
  return markdownTable(['developments', 'figure', 'measured', 'goal', 'verdict'], rows);
};

/** Every query figure: p50/p90/p99/max over HTTP beside the raw point read of the same actors. */
export const latencyTable = (sizes: readonly SizeFigures[]): string => {
  const rows: string[][] = [];
  for (const figures of sizes) {
    const servers: [string, ServerFigures][] = [['embedded (SQLite)', figures.embedded]];
    if (figures.redis) servers.push(['serve (Redis)', figures.redis.serve]);
    for (const [server, served] of servers) {
      for (const draw of DRAWS) {
        const entry = served.draws.get(draw);
        if (!entry) continue;
        const { http, raw, bare } = entry;
        rows.push([
          int(figures.size),
          server,
          draw,
          String(http.count),
          `${ms(http.p50)} / ${ms(http.p90)} / ${ms(http.p99)} / ${ms(http.max)}`,
          `${ms(raw.p50)} / ${ms(raw.p99)} / ${ms(raw.max)}`,
          `${ms(bare.p50)} / ${ms(bare.p99)} / ${ms(bare.max)}`,
          `${int(entry.developmentCountP50)}; ${entry.nulls} null`,
        ]);
      }
    }
  }
  return markdownTable(
    [
      'developments',
      'server',
      'draw',
      'n',
      'HTTP p50 / p90 / p99 / max',
      'raw point read p50 / p99 / max',
      'bare graphql-js on the same answer p50 / p99 / max',
      'developmentCount p50; null answers',
    ],
    rows,
  );
};

/** The other figures of each size, one line each. */
export const detailLines = (figures: SizeFigures): string[] => {
  const { facts, redis } = figures;
  const size = int(figures.size);
  const lines = [
    `${size}: history ${figures.historyNote}`,
    `${size}: log ${int(facts.events)} events (${int(facts.developments)} developments, ${int(facts.corrections)} ` +
      `corrections, ${int(facts.retractions)} retractions), timeline.db ${mb(facts.fileBytes)}; read-models.db ` +
      `${mb(figures.readModelsBytes)} (${int(figures.readModelsBytes / facts.events)} B/event)` +
      (redis ? `; Redis used_memory +${mb(redis.bytes)}` : ''),
    `${size}: raw read+parse ${int(figures.raw.events)} events in ${seconds(figures.raw.elapsedMs)}; rebuild SQLite ` +
      (figures.sqliteRebuild ? seconds(figures.sqliteRebuild.elapsedMs) : 'not run (read models reused)') +
      (redis
        ? `; rebuild Redis ${seconds(redis.rebuild.elapsedMs)}; projector process to ready on the rebuilt read ` +
          `models ${seconds(redis.projectorReadyMs)}`
        : ''),
    `${size}: embedded RSS ${mb(figures.embedded.afterStart.rss)} after start, ` +
      `${mb(figures.embedded.afterQueries.rss)} after the queries (peak ${mb(figures.embedded.afterQueries.peak)})` +
      (redis
        ? `; serve RSS ${mb(redis.serve.afterStart.rss)} after start, ${mb(redis.serve.afterQueries.rss)} after ` +
          `the queries (peak ${mb(redis.serve.afterQueries.peak)})`
        : ''),
    `${size}: answers checked: ${figures.referenceChecked} against the reference fold` +
      `${figures.referenceChecked === 0 ? ' (not run above 100,000 developments)' : ''}` +
      (redis ? `, ${redis.serveCompared} serve answers against the embedded server’s` : ' (Redis not run)') +
      '; all equal',
  ];
  lines.push(
    `${size}: wall time (cores other processes kept busy meanwhile): ${figures.phases
      .map((phase) => `${phase.name} ${seconds(phase.elapsedMs)} (${fixed(phase.othersCores, 2)})`)
      .join('; ')}`,
  );
  if (figures.generated) {
    lines.push(
      `${size}: history written through the command handlers in ${seconds(figures.generated.elapsedMs)} ` +
        `(${int(figures.size / (figures.generated.elapsedMs / 1000))} developments/s, ${int(figures.generated.commands)} commands)`,
    );
  }
  return lines;
};
