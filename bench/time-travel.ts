/**
 * Time-travel bench: how fast histories go in through the command handlers, how fast the read model is rebuilt
 * from the log, what it costs in memory, and how fast the real server answers as-of actor queries at a large
 * size, each beside a baseline measured in the same run.
 *
 *   npx tsx bench/time-travel.ts [--developments 1000000] [--seed 1] [--queries 500] [--brute-force 5]
 *   npm run bench:time-travel -- --developments 20000          (smoke)
 *
 * Phases (each prints plain progress lines to stderr; the table goes to stdout at the end):
 * 1. append: bench/history-generator.ts writes the history into a fresh temp data dir through createCommandBus.
 *    Baseline: the very rows that run wrote, read back and inserted with raw better-sqlite3 into a fresh file of
 *    the same schema (migrations/sqlite/001-event-log.sql, WAL, synchronous=NORMAL, the store's cache_size), one prepared INSERT,
 *    transactions of 1,000 rows; only the insert transactions are timed.
 * 2. rebuild: rebuildReadModel(store) over the log, in this process. Baseline: better-sqlite3 iterating
 *    SELECT * FROM events with JSON.parse of data and metadata (safe integers on, as the store reads).
 * 3. memory: this process's RSS and heap used right after the rebuild (after a GC, the model still alive), and
 *    the server's RSS (VmRSS, VmHWM) once it has rebuilt at start and after the queries.
 * 4. as-of queries over HTTP: the real server (src/main.ts through tsx, as test/support/server-process.ts starts
 *    it; `--server-entry build` runs dist/src/main.js, what `npm start` runs, built beforehand) as a child process
 *    on the generated data dir, TIMELINE_SEED=false, loopback only; its start time (spawn to "serving", and the
 *    rebuild time it logs). Then --queries actor queries for actors drawn by activity (the generator's Zipf law),
 *    as many drawn uniformly, both with a random asOf in the history's valid time and a random knownAt between the
 *    first and last recordedAt, and as many by activity with knownAt at the last recordedAt (the latest
 *    knowledge, what a query without knownAt asks); one at a time, after a warm-up. Baselines, on the whole log
 *    read into memory once: a plain full fold (one pass over the log per query, the two time filters, world
 *    order, no index; written here) for the first --brute-force queries of each draw, and the reference fold of
 *    test/support/reference-fold.ts (referenceActor) for the first --reference of the first two draws. Both
 *    answers are compared with the server's; the speed-up is the fold's time over the HTTP time of the same
 *    queries. Then one deep page of `timeline` with an actorIds filter: page 50 of 100 (an actor with about 100
 *    pages of 100 developments, or a smaller page size when no actor has that many).
 *
 * Everything is bounded: a watchdog (--timeout-minutes), per-request timeouts, a start timeout for the server;
 * the server is stopped (SIGTERM, then SIGKILL) and temp dirs removed on exit, error or signal (--keep keeps the
 * data dir). `--data-dir DIR` reuses a history generated before with the same options (the append is not measured
 * then). `--server-cpu-prof DIR` writes a V8 CPU profile of the server into DIR.
 *
 * The brute-force fold holds the whole log in memory, so at a million developments this process needs more than
 * Node's default heap: it runs itself again with --max-old-space-size when the limit is lower than that.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import type { TimelineEvent } from '../events/index.js';
import { rebuildReadModel } from '../src/projections/rebuild.js';
import { withEventCatalog } from '../src/store/catalog-store.js';
import { CACHE_SIZE_KIB } from '../src/store/sqlite/open-database.js';
import { DATABASE_FILE, openSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { readWholeLog, referenceActor } from '../test/support/reference-fold.js';
import type { EventRow } from '../src/store/sqlite/event-row.js';
import { createCast, createRandom, historyOptions, writeHistory, type HistoryOptions } from './history-generator.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const HOST = '127.0.0.1';
const SCHEMA_FILE = path.join(ROOT, 'migrations/sqlite/001-event-log.sql');
const REEXEC_MARK = 'TIME_TRAVEL_BENCH_CHILD';
/** Heap this process asks for when it runs itself again (the brute force holds the whole log). */
const BIG_HEAP_MB = 16_384;
const RAW_BATCH = 1_000;
const WARM_UP_QUERIES = 30;
const REQUEST_TIMEOUT_MS = 120_000;
const PAGE_TARGET = 50;
const PAGES_WANTED = 100;
const PAGE_SIZE = 100;
const GOAL_SIZE = 1_000_000;
/** The most a measured phase after the first waits for a quiet machine. */
const PHASE_QUIET_WAIT_S = 20;

// ---------------------------------------------------------------- options

interface Options {
  readonly developments: number;
  readonly seed: number;
  readonly queries: number;
  readonly bruteForce: number;
  readonly reference: number;
  readonly dataDir: string | null;
  readonly keep: boolean;
  readonly timeoutMinutes: number;
  readonly serverStartSeconds: number;
  readonly serverCpuProf: string | null;
  readonly serverEntry: 'sources' | 'build';
  readonly quietWaitS: number;
}

const USAGE = `usage: npx tsx bench/time-travel.ts [--developments 1000000] [--seed 1] [--queries 500] [--brute-force 10]
       [--reference 2]
       [--data-dir DIR] [--keep] [--timeout-minutes 90] [--server-start-seconds 900] [--server-cpu-prof DIR]
       [--quiet-wait 60] [--server-entry sources|build]
  --queries      actor queries per draw (by activity; uniform; by activity at the latest knownAt), after
                 ${WARM_UP_QUERIES} warm-up queries
  --brute-force  how many of each draw's queries a plain full fold of the whole log (in memory) answers too
  --reference    how many of those the reference fold of test/support/reference-fold.ts answers as well (it
                 clones every development it folds: tens of seconds per query at 200,000 developments)
  --data-dir     reuse the history in DIR (generated with the same --developments/--seed); append not measured
  --keep         keep the generated data dir (its path is printed)
  --server-entry sources (default): node --import tsx src/main.ts; build: node dist/src/main.js (npm run build first)
  --quiet-wait   wait up to this many seconds for other processes to leave the machine mostly idle before
                 starting (0: do not wait); the CPU other processes used is reported per phase either way`;

const integerOption = (raw: string | undefined, name: string, fallback: number, min: number, max: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
};

const SERVER_ENTRIES = { sources: ['--import', 'tsx', 'src/main.ts'], build: ['dist/src/main.js'] } as const;

const serverEntryOption = (raw: string | undefined): Options['serverEntry'] => {
  if (raw === undefined || raw === 'sources') return 'sources';
  if (raw !== 'build') throw new Error(`--server-entry must be sources or build, got ${JSON.stringify(raw)}`);
  if (!existsSync(path.join(ROOT, SERVER_ENTRIES.build[0]))) {
    throw new Error(`--server-entry build needs ${SERVER_ENTRIES.build[0]}: run npm run build first`);
  }
  return 'build';
};

const readOptions = (): Options => {
  const { values } = parseArgs({
    options: {
      developments: { type: 'string' },
      seed: { type: 'string' },
      queries: { type: 'string' },
      'brute-force': { type: 'string' },
      reference: { type: 'string' },
      'data-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'timeout-minutes': { type: 'string' },
      'server-start-seconds': { type: 'string' },
      'server-cpu-prof': { type: 'string' },
      'server-entry': { type: 'string' },
      'quiet-wait': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    developments: integerOption(values.developments, 'developments', GOAL_SIZE, 1, 50_000_000),
    seed: integerOption(values.seed, 'seed', 1, 0, 2 ** 32 - 1),
    queries: integerOption(values.queries, 'queries', 500, 1, 1_000_000),
    bruteForce: integerOption(values['brute-force'], 'brute-force', 10, 0, 1_000),
    reference: integerOption(values.reference, 'reference', 2, 0, 1_000),
    dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : null,
    keep: values.keep === true,
    timeoutMinutes: integerOption(values['timeout-minutes'], 'timeout-minutes', 90, 1, 24 * 60),
    serverStartSeconds: integerOption(values['server-start-seconds'], 'server-start-seconds', 900, 10, 24 * 3600),
    serverCpuProf: values['server-cpu-prof'] ? path.resolve(values['server-cpu-prof']) : null,
    serverEntry: serverEntryOption(values['server-entry']),
    quietWaitS: integerOption(values['quiet-wait'], 'quiet-wait', 60, 0, 3600),
  };
};

// ---------------------------------------------------------------- children, cleanup, watchdog

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

const killEverything = (): void => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
};

const installCleanup = (): void => {
  process.on('exit', killEverything);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping child processes`);
      killEverything();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error('bench failed:', error);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error('bench failed (unhandled rejection):', error);
    process.exit(1);
  });
};

const benchStarted = performance.now();
const progress = (text: string): void =>
  console.error(`  [${((performance.now() - benchStarted) / 1000).toFixed(1).padStart(7)} s] ${text}`);

/** Runs this very script again with a bigger heap (and --expose-gc), passing on its flags, arguments and exit code. */
const runWithBigHeap = (): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, `--max-old-space-size=${BIG_HEAP_MB}`, '--expose-gc', ...process.argv.slice(1)],
      { stdio: 'inherit', env: { ...process.env, [REEXEC_MARK]: '1' } },
    );
    children.add(child);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        child.kill(signal);
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
    }
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const fullGc = (): void => {
  collectGarbage();
  collectGarbage();
};

// ---------------------------------------------------------------- formatting

const MB = 1024 * 1024;
const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits = 1): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number): string => `${int(bytes / MB)} MB`;
const ms = (value: number): string => (value < 10 ? `${fixed(value, 2)} ms` : `${int(value)} ms`);
const seconds = (milliseconds: number): string => `${fixed(milliseconds / 1000)} s`;
const percent = (ratio: number): string => `${fixed(ratio * 100, ratio < 0.1 ? 2 : 1)}%`;

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const stats = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
  };
};

// ---------------------------------------------------------------- other processes' CPU

/** Linux clock ticks per second (USER_HZ), which /proc reports CPU time in. */
const CLOCK_TICKS = 100;
const SAMPLE_MS = 1_000;
/** Below this much CPU (in cores) used by other processes, the machine counts as quiet enough to measure. */
const QUIET_CORES = 0.25;

/** Busy ticks of the whole machine (all cores): user..steal minus idle and iowait. */
const machineBusyTicks = (): number => {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return fields.reduce((sum, value) => sum + value, 0) - fields[3]! - fields[4]!;
};

interface ProcessCpu {
  readonly ppid: number;
  /** utime + stime so far, in clock ticks. */
  readonly ticks: number;
}

/** Every process's parent and CPU ticks, from /proc. */
const processTable = (): Map<number, ProcessCpu> => {
  const table = new Map<number, ProcessCpu>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
};

/** The CPU ticks of this process and all its descendants (the server, its esbuild service), by pid. */
const ourTicks = (): Map<number, number> => {
  const table = processTable();
  const ours = new Map<number, number>();
  const isOurs = (pid: number): boolean => {
    for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
      if (current === process.pid) return true;
      current = table.get(current)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, { ticks }] of table) if (isOurs(pid)) ours.set(pid, ticks);
  return ours;
};

interface CpuSnapshot {
  readonly at: number;
  readonly busy: number;
  /** CPU ticks this process and its descendants used so far, the ones that ended included. */
  readonly ours: number;
}

/**
 * Measures how much CPU processes other than this one and its descendants use: the machine's busy ticks minus
 * ours, between two snapshots (exact for a phase), and every second in the background (for the busiest second).
 * A descendant that ends keeps counting as ours with the ticks it had at the last snapshot that saw it.
 */
const createCpuWatch = () => {
  const lastSeen = new Map<number, number>();
  let endedTicks = 0;
  const snapshot = (): CpuSnapshot => {
    const live = ourTicks();
    for (const [pid, ticks] of lastSeen) {
      if (!live.has(pid)) {
        endedTicks += ticks;
        lastSeen.delete(pid);
      }
    }
    let ours = endedTicks;
    for (const [pid, ticks] of live) {
      lastSeen.set(pid, ticks);
      ours += ticks;
    }
    return { busy: machineBusyTicks(), ours, at: performance.now() };
  };
  /** Cores other processes kept busy between two snapshots. */
  const othersCores = (from: CpuSnapshot, to: CpuSnapshot): number => {
    const seconds = Math.max(0.001, (to.at - from.at) / 1000);
    return Math.max(0, (to.busy - from.busy - (to.ours - from.ours)) / CLOCK_TICKS / seconds);
  };
  const seconds: number[] = [];
  let previous = snapshot();
  let timer: NodeJS.Timeout | undefined;
  return {
    snapshot,
    othersCores,
    start: () => {
      previous = snapshot();
      timer = setInterval(() => {
        const now = snapshot();
        seconds.push(othersCores(previous, now));
        previous = now;
      }, SAMPLE_MS);
      timer.unref();
    },
    stop: () => clearInterval(timer),
    /** The busiest second seen by the background sampling (it only runs while the event loop turns). */
    busiestSecond: (): number | null => (seconds.length === 0 ? null : Math.max(...seconds)),
  };
};

/** Waits (at most `seconds`) until other processes use less than QUIET_CORES for two seconds; what it saw. */
const waitForQuiet = async (watch: ReturnType<typeof createCpuWatch>, seconds: number): Promise<string> => {
  const deadline = performance.now() + seconds * 1000;
  let quietFor = 0;
  let last = 0;
  let before = watch.snapshot();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const now = watch.snapshot();
    last = watch.othersCores(before, now);
    before = now;
    quietFor = last < QUIET_CORES ? quietFor + 1 : 0;
    if (quietFor >= 2) return `quiet (other processes at ${fixed(last, 2)} cores)`;
    if (performance.now() > deadline) {
      return `not quiet after ${seconds} s (other processes at ${fixed(last, 2)} cores); measured anyway`;
    }
  }
};

// ---------------------------------------------------------------- the code under test

/** A hash of the sources the server runs (src, events, migrations), and git's word on them: what was measured. */
const codeFingerprint = (): string => {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile())
        hash.update(path.relative(ROOT, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  for (const dir of ['src', 'events', 'migrations']) walk(path.join(ROOT, dir));
  let git = 'no git';
  try {
    const run = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const head = run('rev-parse', '--short', 'HEAD').trim();
    const changed = run('status', '--porcelain', '--', 'src', 'events', 'migrations')
      .split('\n')
      .filter(Boolean).length;
    git = `HEAD ${head}, ${changed} paths changed or new under src/events/migrations`;
  } catch {
    // Not a git checkout: the hash says enough.
  }
  return `${hash.digest('hex').slice(0, 12)} (${git})`;
};

// ---------------------------------------------------------------- phase 1: append

interface AppendFigures {
  readonly developments: number;
  readonly commands: number;
  readonly events: number;
  readonly elapsedMs: number;
}

const generate = async (dataDir: string, history: HistoryOptions): Promise<AppendFigures> => {
  const every = Math.max(1, Math.round(history.developments / 20));
  let reported = 0;
  progress(`append: generating ${int(history.developments)} developments through the command handlers`);
  const written = await writeHistory({
    ...history,
    dataDir,
    onProgress: ({ developments, commands, elapsedMs }) => {
      if (developments - reported < every && developments < history.developments) return;
      reported = developments;
      progress(
        `append: ${int(developments)}/${int(history.developments)} developments, ${int(commands)} commands, ` +
          `${int(developments / (elapsedMs / 1000))} developments/s`,
      );
    },
  });
  return {
    developments: written.developments,
    commands: written.commands,
    events: written.eventsAppended,
    elapsedMs: written.elapsedMs,
  };
};

type RawRow = EventRow;

/** The rows of the log inserted again with raw better-sqlite3; only the insert transactions are timed. */
const rawInsert = (sourceFile: string, targetFile: string): { rows: number; elapsedMs: number } => {
  const source = new Database(sourceFile, { readonly: true });
  source.defaultSafeIntegers(true);
  const target = new Database(targetFile);
  try {
    target.pragma('journal_mode = WAL');
    target.pragma('synchronous = NORMAL');
    target.pragma(`cache_size = ${CACHE_SIZE_KIB}`);
    target.defaultSafeIntegers(true);
    target.exec(readFileSync(SCHEMA_FILE, 'utf8'));
    const page = source.prepare<[bigint, number], RawRow>(
      'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
    );
    const insert = target.prepare(
      `INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertAll = target.transaction((rows: readonly RawRow[]) => {
      for (const row of rows) {
        insert.run(
          row.event_id,
          row.stream_id,
          row.revision,
          row.type,
          row.schema_version,
          row.data,
          row.metadata,
          row.recorded_at,
        );
      }
    });
    let after = 0n;
    let rows = 0;
    let elapsedMs = 0;
    for (;;) {
      const batch = page.all(after, RAW_BATCH);
      if (batch.length === 0) break;
      const started = performance.now();
      insertAll(batch);
      elapsedMs += performance.now() - started;
      rows += batch.length;
      after = batch.at(-1)!.position;
    }
    return { rows, elapsedMs };
  } finally {
    source.close();
    target.close();
  }
};

// ---------------------------------------------------------------- phase 2 and 3: rebuild, memory

interface RebuildFigures {
  readonly events: number;
  readonly elapsedMs: number;
  readonly rssBefore: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly developments: number;
}

const rebuild = async (file: string): Promise<RebuildFigures> => {
  fullGc();
  const rssBefore = process.memoryUsage().rss;
  const store = withEventCatalog(openSqliteEventStore({ file }));
  try {
    const started = performance.now();
    const model = await rebuildReadModel(store);
    const elapsedMs = performance.now() - started;
    fullGc();
    const memory = process.memoryUsage();
    let developments = 0;
    for (const _id of model.developmentIds()) developments++;
    return {
      events: Number(model.checkpoint?.commit ?? 0n),
      elapsedMs,
      rssBefore,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      developments,
    };
  } finally {
    await store.close();
  }
};

/** The baseline of the rebuild: every row read and its two JSON columns parsed, nothing else. */
const rawRead = (file: string): { rows: number; elapsedMs: number } => {
  const db = new Database(file, { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    const select = db.prepare<[], RawRow>('SELECT * FROM events');
    const started = performance.now();
    let rows = 0;
    let keys = 0;
    for (const row of select.iterate()) {
      const data = JSON.parse(row.data) as object;
      const metadata = JSON.parse(row.metadata) as object;
      keys += Object.keys(data).length + Object.keys(metadata).length;
      rows++;
    }
    const elapsedMs = performance.now() - started;
    if (keys === 0 && rows > 0) throw new Error('the log parsed to nothing');
    return { rows, elapsedMs };
  } finally {
    db.close();
  }
};

interface LogFacts {
  readonly firstRecordedAt: number;
  readonly lastRecordedAt: number;
  readonly events: number;
  /** How many live (not retracted) developments each actor takes part in, as the log stands. */
  readonly participations: Map<string, number>;
  readonly fileBytes: number;
}

const logFacts = (file: string): LogFacts => {
  const db = new Database(file, { readonly: true });
  try {
    const span = db
      .prepare<[], { first: number; last: number; events: number }>(
        'SELECT min(recorded_at) AS first, max(recorded_at) AS last, count(*) AS events FROM events',
      )
      .get()!;
    const participations = new Map<string, number>();
    const counts = db
      .prepare<[], { actor: string; developments: number }>(
        `SELECT p.value ->> 'actorId' AS actor, count(DISTINCT e.stream_id) AS developments
         FROM events e, json_each(e.data, '$.participants') p
         WHERE e.type = 'DevelopmentRecorded'
           AND e.stream_id NOT IN (SELECT stream_id FROM events WHERE type = 'DevelopmentRetracted')
         GROUP BY actor`,
      )
      .all();
    for (const { actor, developments } of counts) participations.set(actor, developments);
    const fileBytes = [file, `${file}-wal`].reduce(
      (sum, name) => sum + (existsSync(name) ? statSync(name).size : 0),
      0,
    );
    return {
      firstRecordedAt: span.first,
      lastRecordedAt: span.last,
      events: span.events,
      participations,
      fileBytes,
    };
  } finally {
    db.close();
  }
};

// ---------------------------------------------------------------- phase 4: the server

interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly startMs: number;
  readonly rebuiltMs: number | null;
  readonly output: () => string;
  stop(): Promise<void>;
}

interface LogLine {
  readonly msg?: string;
  readonly url?: string;
  readonly ms?: number;
}

const startServer = async (dataDir: string, options: Options): Promise<RunningServer> => {
  const nodeArgs = options.serverCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.serverCpuProf}`] : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, ...SERVER_ENTRIES[options.serverEntry]], {
    cwd: ROOT,
    env: {
      ...process.env,
      [REEXEC_MARK]: '',
      NODE_OPTIONS: '',
      PORT: '0',
      HOST,
      TIMELINE_DATA_DIR: dataDir,
      TIMELINE_SEED: 'false',
      TIMELINE_EDITOR_KEYS: `bench:${randomBytes(16).toString('hex')}`,
      TIMELINE_READER_KEYS: '',
      REDIS_URL: '',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  let pending = '';
  let rebuiltMs: number | null = null;
  const remember = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stderr!.on('data', remember);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`the server did not start within ${options.serverStartSeconds} s:\n${output.slice(-4000)}`)),
      options.serverStartSeconds * 1000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      remember(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let parsed: LogLine;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          continue;
        }
        if (parsed.msg === 'read models rebuilt' && typeof parsed.ms === 'number') rebuiltMs = parsed.ms;
        if (parsed.msg === 'diplomatic-timeline is serving' && parsed.url) {
          clearTimeout(timer);
          resolve(parsed.url);
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before serving:\n${output.slice(-4000)}`));
    });
  });
  const startMs = performance.now() - started;
  return {
    child,
    url,
    startMs,
    rebuiltMs,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
  };
};

/** VmRSS and VmHWM (peak) of a process, in bytes. */
const residentOf = (pid: number): { rss: number; peak: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
};

interface GraphQLAnswer<T> {
  readonly data?: T;
  readonly errors?: readonly { message: string; extensions?: { code?: string } }[];
}

interface Posted<T> {
  readonly body: GraphQLAnswer<T>;
  readonly elapsedMs: number;
  readonly status: number;
}

const post = async <T>(url: string, query: string, variables: Record<string, unknown>): Promise<Posted<T>> => {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json()) as GraphQLAnswer<T>;
  return { body, elapsedMs: performance.now() - started, status: response.status };
};

const ACTOR_QUERY = `query AsOf($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
  actor(id: $id, asOf: $asOf, knownAt: $knownAt) {
    id
    roles { title }
    positions { stance topic { id } }
    relations { other { id } developmentCount tone }
    developmentCount
    lastActiveAt
  }
}`;

interface ActorAnswer {
  readonly actor: {
    readonly id: string;
    readonly roles: { title: string }[];
    readonly positions: { stance: string; topic: { id: string } }[];
    readonly relations: { other: { id: string }; developmentCount: number; tone: number | null }[];
    readonly developmentCount: number;
    readonly lastActiveAt: string | null;
  } | null;
}

const TIMELINE_QUERY = `query Page($filter: TimelineFilter, $knownAt: DateTime, $first: Int, $after: String) {
  timeline(filter: $filter, knownAt: $knownAt, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id occurredAt title participants { role actor { id } } } }
  }
}`;

interface TimelineAnswer {
  readonly timeline: {
    readonly totalCount: number;
    readonly pageInfo: { hasNextPage: boolean; endCursor: string | null };
    readonly edges: { node: { id: string } }[];
  };
}

/**
 * How the queries pick their actor and time point: by activity (the generator's Zipf law) or uniformly over the
 * actors, with random asOf and knownAt; and by activity with knownAt at the log's last recordedAt (what every
 * query without knownAt asks: the latest knowledge, where the read model may keep snapshots).
 */
const DRAWS = ['by activity', 'uniform', 'by activity, knownAt = last recordedAt'] as const;
type Draw = (typeof DRAWS)[number];
/** The reference fold only runs for the draws the goal names (it takes minutes a query at a million). */
const REFERENCE_DRAWS: readonly Draw[] = ['by activity', 'uniform'];

interface AsOfQuery {
  readonly draw: Draw;
  readonly id: string;
  readonly asOf: Date;
  readonly knownAt: Date;
}

interface QueryResult {
  readonly query: AsOfQuery;
  readonly elapsedMs: number;
  readonly answer: ActorAnswer['actor'];
  readonly error: string | null;
}

const planQueries = (history: HistoryOptions, facts: LogFacts, count: number, seed: number): AsOfQuery[] => {
  const cast = createCast(history);
  const random = createRandom(seed ^ 0x5eed);
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  const point = () => ({
    asOf: new Date(Math.floor(random.between(from, to))),
    knownAt: new Date(Math.floor(random.between(facts.firstRecordedAt, facts.lastRecordedAt + 1))),
  });
  const queries: AsOfQuery[] = [];
  for (let i = 0; i < count; i++) {
    const id = cast.actors[cast.actorsByRank[cast.actorZipf.draw(random)]!]!.id;
    queries.push({ draw: 'by activity', id, ...point() });
  }
  for (let i = 0; i < count; i++) {
    queries.push({ draw: 'uniform', id: cast.actors[random.int(cast.actors.length)]!.id, ...point() });
  }
  for (let i = 0; i < count; i++) {
    const id = cast.actors[cast.actorsByRank[cast.actorZipf.draw(random)]!]!.id;
    const asOf = new Date(Math.floor(random.between(from, to)));
    queries.push({ draw: 'by activity, knownAt = last recordedAt', id, asOf, knownAt: new Date(facts.lastRecordedAt) });
  }
  return queries;
};

const askActor = async (url: string, query: AsOfQuery): Promise<QueryResult> => {
  const { body, elapsedMs, status } = await post<ActorAnswer>(url, ACTOR_QUERY, {
    id: query.id,
    asOf: query.asOf.toISOString(),
    knownAt: query.knownAt.toISOString(),
  });
  const error = body.errors?.length ? `${status} ${body.errors[0]!.message}` : null;
  return { query, elapsedMs, answer: body.data?.actor ?? null, error };
};

interface PagingFigures {
  readonly actorId: string;
  readonly developments: number;
  readonly pageSize: number;
  readonly totalCount: number;
  readonly pages: number;
  readonly pageMs: number;
  readonly earlierPagesMs: number[];
  readonly error: string | null;
}

/** Walks the actor's timeline page by page up to page 50, timing each; page 50 is the figure. */
const deepPage = async (url: string, facts: LogFacts): Promise<PagingFigures> => {
  const wanted = PAGES_WANTED * PAGE_SIZE;
  const ranked = [...facts.participations.entries()].sort((a, b) => b[1] - a[1]);
  const [actorId, developments] = ranked.reduce((best, entry) =>
    Math.abs(entry[1] - wanted) < Math.abs(best[1] - wanted) ? entry : best,
  );
  const pageSize = developments >= wanted ? PAGE_SIZE : Math.max(1, Math.floor(developments / PAGES_WANTED));
  const knownAt = new Date(facts.lastRecordedAt).toISOString();
  const earlierPagesMs: number[] = [];
  let after: string | null = null;
  for (let page = 1; ; page++) {
    const answer: Posted<TimelineAnswer> = await post<TimelineAnswer>(url, TIMELINE_QUERY, {
      filter: { actorIds: [actorId] },
      knownAt,
      first: pageSize,
      after,
    });
    const { body, elapsedMs, status } = answer;
    const timeline = body.data?.timeline;
    const error = body.errors?.length ? `${status} ${body.errors[0]!.message}` : null;
    if (error || !timeline) {
      return { actorId, developments, pageSize, totalCount: 0, pages: page, pageMs: elapsedMs, earlierPagesMs, error };
    }
    const pages = Math.ceil(timeline.totalCount / pageSize);
    if (page === PAGE_TARGET || !timeline.pageInfo.hasNextPage) {
      return {
        actorId,
        developments,
        pageSize,
        totalCount: timeline.totalCount,
        pages,
        pageMs: elapsedMs,
        earlierPagesMs,
        error: page === PAGE_TARGET ? null : `the timeline has only ${page} pages of ${pageSize}`,
      };
    }
    earlierPagesMs.push(elapsedMs);
    after = timeline.pageInfo.endCursor;
  }
};

// ---------------------------------------------------------------- brute force

/** What the comparison reads of a fold's answer; ReferenceActor has it too. */
interface FoldedActor {
  readonly registered: boolean;
  readonly positions: readonly { readonly topicId: string; readonly stance: string }[];
  readonly relations: readonly {
    readonly otherId: string;
    readonly developmentCount: number;
    readonly tone: number | null;
  }[];
  readonly developmentCount: number;
  readonly lastActiveAt: string | null;
}

interface PlainDevelopment {
  content: Record<string, unknown> & {
    readonly occurredAt: string;
    readonly participants: readonly { readonly actorId: string; readonly role: string }[];
    readonly positions: readonly { readonly actorId: string; readonly topicId: string; readonly stance: string }[];
    readonly tone?: number;
  };
  readonly recordIndex: number;
  retracted: boolean;
}

/**
 * The plain full fold: one pass over the whole log for every query, as the design states the semantics (events
 * recorded by knownAt; each development's version then, not retracted, occurredAt <= asOf; world order), with no
 * index and no snapshot, but without the reference fold's deep copies.
 */
const plainActorFold = (log: readonly TimelineEvent[], id: string, asOf: Date, knownAt: Date): FoldedActor => {
  const knownAtMs = knownAt.getTime();
  const asOfMs = asOf.getTime();
  let registered = false;
  const developments = new Map<string, PlainDevelopment>();
  for (let index = 0; index < log.length; index++) {
    const event = log[index]!;
    if (event.recordedAt.getTime() > knownAtMs) continue;
    switch (event.type) {
      case 'ActorRegistered':
        if (event.data.id === id) registered = true;
        break;
      case 'DevelopmentRecorded':
        developments.set(event.data.id, {
          content: event.data as unknown as PlainDevelopment['content'],
          recordIndex: index,
          retracted: false,
        });
        break;
      case 'DevelopmentCorrected': {
        const development = developments.get(event.data.id)!;
        const content: Record<string, unknown> = { ...development.content };
        for (const [field, value] of Object.entries(event.data.patch)) {
          if (value === null) delete content[field];
          else if (value !== undefined) content[field] = value;
        }
        development.content = content as PlainDevelopment['content'];
        break;
      }
      case 'DevelopmentRetracted':
        developments.get(event.data.id)!.retracted = true;
        break;
      default:
        break;
    }
  }
  const named: { development: PlainDevelopment; occurredMs: number }[] = [];
  for (const development of developments.values()) {
    if (development.retracted) continue;
    const occurredMs = Date.parse(development.content.occurredAt);
    if (occurredMs > asOfMs) continue;
    const { participants, positions } = development.content;
    if (participants.some((p) => p.actorId === id) || positions.some((p) => p.actorId === id)) {
      named.push({ development, occurredMs });
    }
  }
  named.sort((a, b) => a.occurredMs - b.occurredMs || a.development.recordIndex - b.development.recordIndex);
  const positions = new Map<string, string>();
  const relations = new Map<string, { count: number; toneSum: number; toneCount: number }>();
  let developmentCount = 0;
  let lastActiveAt: string | null = null;
  for (const { development } of named) {
    const { participants, tone, occurredAt } = development.content;
    for (const position of development.content.positions) {
      if (position.actorId === id) positions.set(position.topicId, position.stance);
    }
    const mine = participants.filter((p) => p.actorId === id).map((p) => p.role);
    if (mine.length === 0) continue;
    developmentCount++;
    lastActiveAt = occurredAt;
    const across = new Set<string>();
    for (const other of participants) {
      if (other.actorId === id) continue;
      if (
        (mine.includes('SOURCE') && other.role === 'TARGET') ||
        (mine.includes('TARGET') && other.role === 'SOURCE')
      ) {
        across.add(other.actorId);
      }
    }
    for (const otherId of across) {
      const relation = relations.get(otherId) ?? { count: 0, toneSum: 0, toneCount: 0 };
      relation.count++;
      if (tone !== undefined) {
        relation.toneSum += tone;
        relation.toneCount++;
      }
      relations.set(otherId, relation);
    }
  }
  return {
    registered,
    positions: [...positions].map(([topicId, stance]) => ({ topicId, stance })),
    relations: [...relations].map(([otherId, relation]) => ({
      otherId,
      developmentCount: relation.count,
      tone: relation.toneCount === 0 ? null : relation.toneSum / relation.toneCount,
    })),
    developmentCount,
    lastActiveAt,
  };
};

interface FoldTiming {
  readonly result: QueryResult;
  readonly elapsedMs: number;
  readonly mismatch: string | null;
}

interface BruteForceFigures {
  readonly loadMs: number;
  readonly logEvents: number;
  readonly plain: FoldTiming[];
  readonly reference: FoldTiming[];
}

const sameAnswer = (served: ActorAnswer['actor'], reference: FoldedActor): string | null => {
  if (!reference.registered) return served === null ? null : 'the server knows an actor the fold does not';
  if (served === null) return 'the server answered null';
  if (served.developmentCount !== reference.developmentCount) {
    return `developmentCount ${served.developmentCount} vs ${reference.developmentCount}`;
  }
  const lastActive = served.lastActiveAt === null ? null : Date.parse(served.lastActiveAt);
  const referenceLast = reference.lastActiveAt === null ? null : Date.parse(reference.lastActiveAt);
  if (lastActive !== referenceLast) return `lastActiveAt ${served.lastActiveAt} vs ${reference.lastActiveAt}`;
  const positions = served.positions.map((p) => `${p.topic.id}=${p.stance}`).sort();
  const referencePositions = reference.positions.map((p) => `${p.topicId}=${p.stance}`).sort();
  if (positions.join() !== referencePositions.join()) {
    return `positions ${positions.join(' ')} vs ${referencePositions.join(' ')}`;
  }
  const relation = (otherId: string, count: number, tone: number | null) =>
    `${otherId}:${count}:${tone === null ? '-' : tone.toFixed(6)}`;
  const relations = served.relations.map((r) => relation(r.other.id, r.developmentCount, r.tone)).sort();
  const referenceRelations = reference.relations.map((r) => relation(r.otherId, r.developmentCount, r.tone)).sort();
  if (relations.join() !== referenceRelations.join()) {
    const missing = referenceRelations.filter((r) => !relations.includes(r)).slice(0, 3);
    const extra = relations.filter((r) => !referenceRelations.includes(r)).slice(0, 3);
    return `relations differ (${relations.length} vs ${referenceRelations.length}; fold only: ${missing.join(' ')}; server only: ${extra.join(' ')})`;
  }
  return null;
};

const bruteForce = async (
  file: string,
  subset: readonly QueryResult[],
  referenceCount: number,
): Promise<BruteForceFigures> => {
  const store = withEventCatalog(openSqliteEventStore({ file }));
  let log: TimelineEvent[];
  const loadStarted = performance.now();
  try {
    log = await readWholeLog(store, 1_000);
  } finally {
    await store.close();
  }
  const loadMs = performance.now() - loadStarted;
  progress(`brute force: whole log in memory (${int(log.length)} events) in ${seconds(loadMs)}`);
  const timeFold = (name: string, result: QueryResult, fold: () => FoldedActor): FoldTiming => {
    const started = performance.now();
    const folded = fold();
    const elapsedMs = performance.now() - started;
    const mismatch = result.error ?? sameAnswer(result.answer, folded);
    progress(
      `brute force: ${name} ${result.query.id} (${result.query.draw}) in ${ms(elapsedMs)} vs ${ms(result.elapsedMs)} ` +
        `over HTTP${mismatch ? `: MISMATCH ${mismatch}` : ', same answer'}`,
    );
    return { result, elapsedMs, mismatch };
  };
  const plain = subset.map((result) =>
    timeFold('plain fold', result, () => plainActorFold(log, result.query.id, result.query.asOf, result.query.knownAt)),
  );
  const draws = new Map<Draw, number>();
  const reference: FoldTiming[] = [];
  for (const result of subset) {
    const count = draws.get(result.query.draw) ?? 0;
    if (count >= referenceCount || !REFERENCE_DRAWS.includes(result.query.draw)) continue;
    draws.set(result.query.draw, count + 1);
    const { id, asOf, knownAt } = result.query;
    reference.push(timeFold('reference fold', result, () => referenceActor(log, id, { asOf, knownAt })));
  }
  return { loadMs, logEvents: log.length, plain, reference };
};

// ---------------------------------------------------------------- the run

interface Row {
  readonly figure: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly goal: string;
  readonly verdict: string;
}

const printTable = (rows: readonly Row[]): void => {
  const header: Row = {
    figure: 'figure',
    measured: 'measured',
    baseline: 'baseline (same run)',
    ratio: 'ratio',
    goal: 'goal',
    verdict: 'verdict',
  };
  const columns = Object.keys(header) as (keyof Row)[];
  const widths = columns.map((column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row: Row) => `| ${columns.map((column, i) => row[column].padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
};

const run = async (options: Options): Promise<void> => {
  const history = historyOptions({ developments: options.developments, seed: options.seed });
  const wall: { name: string; elapsedMs: number; othersCores: number }[] = [];
  const watch = createCpuWatch();
  let quiet = 'no wait for a quiet machine';
  if (options.quietWaitS > 0) {
    progress(`machine: waiting up to ${options.quietWaitS} s for other processes to go quiet`);
    quiet = `before the run: ${await waitForQuiet(watch, options.quietWaitS)}`;
    progress(`machine: ${quiet}`);
  }
  watch.start();
  const runStarted = watch.snapshot();
  const codeAtStart = codeFingerprint();
  let codeAtServerStart: string | null = null;
  progress(`code under test: ${codeAtStart}`);
  /** Before a measured phase: a short wait for the other processes to calm down (what they did is reported). */
  const settle = async (): Promise<void> => {
    if (options.quietWaitS > 0) await waitForQuiet(watch, Math.min(PHASE_QUIET_WAIT_S, options.quietWaitS));
  };
  const timed = async <T>(name: string, body: () => Promise<T> | T): Promise<T> => {
    const started = watch.snapshot();
    try {
      return await body();
    } finally {
      const ended = watch.snapshot();
      wall.push({ name, elapsedMs: ended.at - started.at, othersCores: watch.othersCores(started, ended) });
    }
  };

  // 1. append
  let dataDir = options.dataDir;
  let append: AppendFigures | null = null;
  const scratch = mkdtempSync(path.join(tmpdir(), 'timeline-time-travel-'));
  tempDirs.add(scratch);
  if (dataDir !== null && existsSync(path.join(dataDir, DATABASE_FILE))) {
    progress(`append: reusing the history in ${dataDir} (the append is not measured)`);
  } else {
    dataDir ??= path.join(scratch, 'data');
    const target = dataDir;
    if (options.keep) {
      tempDirs.delete(scratch);
      progress(`append: the data dir stays after the run: ${target}`);
    }
    append = await timed('append through the command handlers', () => generate(target, history));
    progress(`append: ${int(append.developments)} developments in ${seconds(append.elapsedMs)}`);
  }
  const file = path.join(dataDir, DATABASE_FILE);

  // 2-3. rebuild and memory, then the raw read baseline
  progress('rebuild: rebuildReadModel over the log');
  await settle();
  const rebuilt = await timed('rebuild (rebuildReadModel)', () => rebuild(file));
  progress(`rebuild: ${int(rebuilt.events)} events in ${seconds(rebuilt.elapsedMs)}; RSS ${mb(rebuilt.rss)}`);
  await settle();
  const read = await timed('raw read + JSON.parse', () => rawRead(file));
  progress(`raw read: ${int(read.rows)} rows in ${seconds(read.elapsedMs)}`);
  const facts = await timed('log facts (recordedAt span, participations)', () => logFacts(file));
  await settle();
  const inserted = append
    ? await timed('raw insert baseline', () => rawInsert(file, path.join(scratch, 'raw-insert.db')))
    : null;
  if (inserted) progress(`raw insert: ${int(inserted.rows)} rows in ${seconds(inserted.elapsedMs)}`);
  fullGc();

  // 4. the server and the queries
  progress('server: starting src/main.ts on the generated data dir');
  let server: RunningServer | null = null;
  let serverError: string | null = null;
  let serverAfterStart: { rss: number; peak: number } | null = null;
  let serverAfterQueries: { rss: number; peak: number } | null = null;
  const results: QueryResult[] = [];
  let paging: PagingFigures | null = null;
  try {
    await settle();
    codeAtServerStart = codeFingerprint();
    server = await timed('server start (spawn to serving)', () => startServer(dataDir, options));
    serverAfterStart = residentOf(server.child.pid!);
    progress(`server: serving ${server.url} after ${seconds(server.startMs)}; RSS ${mb(serverAfterStart.rss)}`);
    const planned = planQueries(history, facts, options.queries, options.seed);
    const url = server.url;
    await settle();
    await timed('as-of queries over HTTP', async () => {
      const warm = createRandom(options.seed + 7);
      for (let i = 0; i < WARM_UP_QUERIES; i++) await askActor(url, planned[warm.int(planned.length)]!);
      let done = 0;
      for (const query of planned) {
        results.push(await askActor(url, query));
        done++;
        if (done % Math.max(1, Math.round(planned.length / 10)) === 0) progress(`queries: ${done}/${planned.length}`);
      }
    });
    progress('timeline: paging to page 50');
    paging = await timed('timeline deep page', () => deepPage(url, facts));
    serverAfterQueries = residentOf(server.child.pid!);
  } catch (error) {
    serverError = error instanceof Error ? error.message : String(error);
    progress(`server phase failed: ${serverError.split('\n')[0]}`);
  } finally {
    await server?.stop();
  }

  // the brute-force baseline for the first queries of each draw
  const subset = DRAWS.flatMap((draw) =>
    results.filter((result) => result.query.draw === draw).slice(0, options.bruteForce),
  );
  if (subset.length > 0) await settle();
  const brute =
    subset.length > 0 ? await timed('brute-force folds', () => bruteForce(file, subset, options.reference)) : null;

  // the table
  const developments = append?.developments ?? rebuilt.developments;
  const atGoalSize = developments >= GOAL_SIZE;
  const sizeNote = atGoalSize ? '' : ` (at ${int(developments)}; goal is at ${int(GOAL_SIZE)})`;
  const verdict = (met: boolean | null, scaled = false): string =>
    met === null ? 'not measured' : `${met ? 'met' : 'NOT met'}${scaled ? sizeNote : ''}`;
  const rows: Row[] = [];

  if (append && inserted) {
    const appendRate = append.developments / (append.elapsedMs / 1000);
    const rawEventsRate = inserted.rows / (inserted.elapsedMs / 1000);
    const rawDevelopmentRate = append.developments / (inserted.elapsedMs / 1000);
    rows.push({
      figure: 'append through command handlers',
      measured: `${int(appendRate)} developments/s (${int(append.commands / (append.elapsedMs / 1000))} commands/s, ${int(append.events / (append.elapsedMs / 1000))} events/s)`,
      baseline: `raw better-sqlite3 INSERT of the same rows: ${int(rawEventsRate)} events/s = ${int(rawDevelopmentRate)} developments/s`,
      ratio: percent(appendRate / rawDevelopmentRate),
      goal: '>= 50% of raw insert',
      verdict: verdict(appendRate >= 0.5 * rawDevelopmentRate),
    });
  } else {
    rows.push({
      figure: 'append through command handlers',
      measured: 'not measured (reused data dir)',
      baseline: '-',
      ratio: '-',
      goal: '>= 50% of raw insert',
      verdict: verdict(null),
    });
  }
  const rebuildRate = rebuilt.events / (rebuilt.elapsedMs / 1000);
  const readRate = read.rows / (read.elapsedMs / 1000);
  rows.push({
    figure: 'rebuild (rebuildReadModel)',
    measured: `${int(rebuildRate)} events/s (${int(rebuilt.events)} events in ${seconds(rebuilt.elapsedMs)})`,
    baseline: `raw SELECT * + JSON.parse(data, metadata): ${int(readRate)} events/s (${seconds(read.elapsedMs)})`,
    ratio: percent(rebuildRate / readRate),
    goal: '>= 50% of raw read+parse',
    verdict: verdict(rebuildRate >= 0.5 * readRate),
  });
  rows.push({
    figure: 'memory after rebuild (bench process)',
    measured: `RSS ${mb(rebuilt.rss)}, heap used ${mb(rebuilt.heapUsed)} (after GC, model alive)`,
    baseline: `RSS before the rebuild: ${mb(rebuilt.rssBefore)}`,
    ratio: '-',
    goal: '<= 2 GB resident at 1M',
    verdict: verdict(rebuilt.rss <= 2 * 1024 * MB, true),
  });
  rows.push({
    figure: 'server start (spawn to serving)',
    measured: server
      ? `${seconds(server.startMs)} (read models rebuilt in ${server.rebuiltMs === null ? '?' : seconds(server.rebuiltMs)})`
      : `failed: ${serverError?.split('\n')[0] ?? '?'}`,
    baseline: `in-process rebuild: ${seconds(rebuilt.elapsedMs)}`,
    ratio: '-',
    goal: '-',
    verdict: '-',
  });
  if (serverAfterStart) {
    const peak = Math.max(serverAfterStart.peak, serverAfterQueries?.peak ?? 0);
    rows.push({
      figure: 'server resident memory',
      measured: `RSS ${mb(serverAfterStart.rss)} after start, ${serverAfterQueries ? mb(serverAfterQueries.rss) : '?'} after the queries; peak ${mb(peak)}`,
      baseline: '-',
      ratio: '-',
      goal: '<= 2 GB resident at 1M',
      verdict: verdict(peak <= 2 * 1024 * MB, true),
    });
  }

  const draws: readonly Draw[] = DRAWS;
  for (const draw of draws) {
    const ofDraw = results.filter((result) => result.query.draw === draw);
    if (ofDraw.length === 0) {
      rows.push({
        figure: `as-of actor query, ${draw}`,
        measured: 'not measured',
        baseline: '-',
        ratio: '-',
        goal: 'p99 <= 10 ms over HTTP',
        verdict: verdict(null),
      });
      continue;
    }
    const latency = stats(ofDraw.map((result) => result.elapsedMs));
    const errors = ofDraw.filter((result) => result.error !== null);
    const nulls = ofDraw.filter((result) => result.error === null && result.answer === null).length;
    const sizes = stats(ofDraw.map((result) => result.answer?.developmentCount ?? 0));
    rows.push({
      figure: `as-of actor query, ${draw} (n=${latency.count})`,
      measured: `p50 ${ms(latency.p50)}, p90 ${ms(latency.p90)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)}`,
      baseline: `answers: developmentCount p50 ${int(sizes.p50)}, max ${int(sizes.max)}; ${nulls} null; ${errors.length} errors`,
      ratio: '-',
      goal: 'p99 <= 10 ms over HTTP',
      verdict: verdict(latency.p99 <= 10 && errors.length === 0, true),
    });
  }
  if (brute) {
    const folds: [string, FoldTiming[]][] = [
      ['plain full fold', brute.plain],
      ['reference fold', brute.reference],
    ];
    for (const [fold, timings] of folds) {
      for (const draw of draws) {
        const ofDraw = timings.filter((entry) => entry.result.query.draw === draw);
        if (ofDraw.length === 0) continue;
        const foldMs = ofDraw.reduce((sum, entry) => sum + entry.elapsedMs, 0);
        const httpMs = ofDraw.reduce((sum, entry) => sum + entry.result.elapsedMs, 0);
        const ratios = ofDraw.map((entry) => entry.elapsedMs / entry.result.elapsedMs).sort((a, b) => a - b);
        const mismatches = ofDraw.filter((entry) => entry.mismatch !== null).length;
        rows.push({
          figure: `speed-up vs ${fold}, ${draw} (n=${ofDraw.length})`,
          measured: `HTTP mean ${ms(httpMs / ofDraw.length)} per query`,
          baseline: `${fold} mean ${ms(foldMs / ofDraw.length)} per query (whole log loaded once in ${seconds(brute.loadMs)}); ${mismatches} answers differ`,
          ratio: `${int(foldMs / httpMs)}x (per query: min ${fixed(ratios[0]!)}x, median ${fixed(percentile(ratios, 50))}x)`,
          goal: '>= 100x faster than the full fold',
          verdict: verdict(foldMs / httpMs >= 100 && mismatches === 0, true),
        });
      }
    }
  }
  if (paging) {
    const earlier = stats(paging.earlierPagesMs);
    rows.push({
      figure: `timeline, actorIds filter, page ${PAGE_TARGET} of ${paging.pages}`,
      measured: paging.error ? `${ms(paging.pageMs)} (${paging.error})` : ms(paging.pageMs),
      baseline: `pages 1-${paging.earlierPagesMs.length}: mean ${ms(earlier.mean)}, p99 ${ms(earlier.p99)}; ${paging.actorId}, first: ${paging.pageSize}, totalCount ${int(paging.totalCount)}`,
      ratio: '-',
      goal: '-',
      verdict: '-',
    });
  }

  const total = performance.now() - benchStarted;
  watch.stop();
  const runEnded = watch.snapshot();
  console.log('');
  console.log(
    `time-travel bench: ${int(developments)} developments (seed ${options.seed}; ${int(history.actors)} actors, ` +
      `${int(history.topics)} topics, ${int(history.meetings)} meeting ids), ${int(facts.events)} events, ` +
      `log ${mb(facts.fileBytes)}; node ${process.version}, ${availableParallelism()} cores, ${int(totalmem() / 1024 ** 3)} GiB`,
  );
  const busiest = watch.busiestSecond();
  console.log(
    `  other processes on this machine kept ${fixed(watch.othersCores(runStarted, runEnded), 2)} of ` +
      `${availableParallelism()} cores busy on average during the run` +
      (busiest === null ? '' : ` (busiest sampled second ${fixed(busiest, 2)})`) +
      `; ${quiet}`,
  );
  console.log(
    `  server: node ${SERVER_ENTRIES[options.serverEntry].join(' ')}; code under test (sha256 of src/, events/, migrations/): ${codeAtStart}` +
      (codeAtServerStart !== null && codeAtServerStart !== codeAtStart
        ? `; CHANGED before the server started: ${codeAtServerStart}`
        : ''),
  );
  if (append) {
    console.log(
      `  append wrote ${int(append.commands)} commands (${int(append.events)} events) in ${seconds(append.elapsedMs)}`,
    );
  }
  console.log('');
  printTable(rows);
  console.log('');
  console.log(
    `wall times (and the cores other processes on the machine kept busy meanwhile): ${wall
      .map(({ name, elapsedMs, othersCores }) => `${name} ${seconds(elapsedMs)} (others ${fixed(othersCores, 2)})`)
      .join('; ')}; total ${seconds(total)}`,
  );
  if (serverError) console.log(`server phase failed: ${serverError}`);
  const failures = results.filter((result) => result.error !== null);
  if (failures.length > 0) console.log(`first query error: ${failures[0]!.error}`);
  const mismatch = [...(brute?.plain ?? []), ...(brute?.reference ?? [])].find((entry) => entry.mismatch !== null);
  if (mismatch) {
    const { query } = mismatch.result;
    console.log(
      `first answer that differs from the fold: actor ${query.id} asOf ${query.asOf.toISOString()} knownAt ${query.knownAt.toISOString()}: ${mismatch.mismatch}`,
    );
  }
  if (options.keep && append) console.log(`data dir kept: ${dataDir}`);
};

// ---------------------------------------------------------------- main

const main = async (): Promise<void> => {
  installCleanup();
  const options = readOptions();
  if (process.env[REEXEC_MARK] !== '1' && v8.getHeapStatistics().heap_size_limit < (BIG_HEAP_MB / 2) * MB) {
    process.exitCode = await runWithBigHeap();
    return;
  }
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${options.timeoutMinutes} minutes; stopping`);
    killEverything();
    process.exit(1);
  }, options.timeoutMinutes * 60_000);
  watchdog.unref();
  await run(options);
};

await main();
