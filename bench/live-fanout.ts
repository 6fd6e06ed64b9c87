/**
 * Live fan-out bench: how fast, how completely and at what memory cost the timeline pushes each new development to
 * many `timelineChanges` subscribers, next to a bare `ws` broadcast of messages of the same size.
 *
 *   npx tsx bench/live-fanout.ts [--subscribers 1000] [--rate 50] [--seconds 20] [--fallback-rate 20,5,2]
 *   npx tsx bench/live-fanout.ts --quick            (smoke: 50 subscribers, 3 s)
 *
 * Both servers run as child processes (the real `src/main.ts`, and bench/bare-ws-server.ts), so that their
 * resident memory (VmRSS, VmHWM in /proc/<pid>/status) and CPU time are theirs alone, not the clients'.
 *
 * Timeline: N real graphql-ws clients subscribe to live `timelineChanges`; the bench records developments over HTTP
 * at a steady rate (open loop, at most MAX_IN_FLIGHT at once) and notes, per write, three moments: just before
 * sending, the arrival of the HTTP response, and the append stamp (the development's `recordedAt`, which the server
 * takes in the append transaction and the mutation returns). The table's latency is receipt - append stamp by
 * default (--latency-from): the response turned out to be a poor "append time", since the server answers the writer
 * only after it has fanned the change out, so nearly every change reaches its subscribers before the response
 * reaches the writer (negative latencies). All three are printed. After the run the event log is read back, so that
 * "every change" means every development the log holds, including writes whose request timed out.
 *
 * Baseline: the same N plain `ws` clients on a bare WebSocketServer that broadcasts the same number of messages at
 * the same rate, each shaped like a graphql-ws `next` message of the same size; the server stamps its send moment
 * (performance.timeOrigin + performance.now(): wall clock, sub-ms, agrees across processes on this machine) and
 * latency = receipt - stamp. Receipts are stamped the same way; recordedAt has whole-ms resolution.
 *
 * Every subscriber must get every change exactly once: missing, duplicate and out-of-order deliveries are counted
 * and a delivery problem of the timeline makes the bench fail (exit code 1).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createClient, type Client, type Message } from 'graphql-ws';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from './support/server-child.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const HOST = '127.0.0.1';
const EDITOR_KEY = 'bench-editor-key-0123456789abcdef';
const MEASURED_PREFIX = 'bench-w-';
const WARM_PREFIX = 'bench-warm-';
const SUBSCRIPTION = 'subscription { timelineChanges { cursor change development { id title occurredAt } } }';
const RECORD = 'mutation($input: RecordDevelopmentInput!) { recordDevelopment(input: $input) { id recordedAt } }';
const ACTORS = ['bench-state-a', 'bench-state-b', 'bench-state-c'];
const TOPIC = 'bench-topic';
/** Writes in flight at once; past it the writer waits (each request times out, so the wait is bounded). */
const MAX_IN_FLIGHT = 256;
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_BATCH_TIMEOUT_MS = 30_000;
const DRAIN_IDLE_MS = 10_000;
const DRAIN_MAX_MS = 180_000;
/** Drain, look at the log, drain again while it grew: requests that timed out at the writer may still be appended. */
const DRAIN_ROUNDS = 3;
const LOG_PAGE = 200;
/** Below this much CPU (in cores) used by other processes, the machine counts as quiet enough to measure. */
const QUIET_CORES = 0.25;
/** Above this much CPU (in cores) used by other processes during a measurement, its figures are flagged as noisy. */
const NOISY_CORES = 0.2;

// ---------------------------------------------------------------- options

type LatencyFrom = 'append' | 'response' | 'send';

const LATENCY_REFERENCES: Record<LatencyFrom, string> = {
  append:
    "the append stamp (the development's recordedAt, taken by the server in the append, as the mutation returned it)",
  response: 'the arrival of the recordDevelopment HTTP response at the writer',
  send: 'the moment just before the writer sent recordDevelopment',
};

interface Options {
  readonly latencyFrom: LatencyFrom;
  readonly subscribers: number;
  readonly rate: number;
  readonly seconds: number;
  /** Lower rates to try, in turn, while a run overloads the server. */
  readonly fallbackRates: number[];
  readonly quietWaitS: number;
  readonly serverCpuProf: string | null;
  readonly batch: number;
  readonly baseline: boolean;
}

const USAGE = `usage: npx tsx bench/live-fanout.ts [--subscribers 1000] [--rate 50] [--seconds 20]
       [--fallback-rate 20,5,2] [--batch 50] [--latency-from append|response|send] [--quiet-wait 60]
       [--server-cpu-prof DIR] [--no-baseline] [--quick]
  --fallback-rate  while a run overloads the timeline server, run again at the next of these lower rates
                   (comma-separated; 0: never)
  --quiet-wait     before each server starts, wait up to this many seconds for other processes to leave the
                   machine mostly idle (0: do not wait); the load seen is reported either way
  --server-cpu-prof  write a V8 CPU profile of the timeline server into DIR (node --cpu-prof)
  --batch          subscribers opened at once (connections wait for the batch before them)
  --latency-from   what the timeline's latency in the table counts from (all three are printed below it):
                   append (default): the server's append stamp, recordedAt, returned by the mutation;
                   response: the arrival of the mutation's HTTP response; send: just before sending it
  --quick          smoke run: 50 subscribers for 3 s (explicit --subscribers/--seconds still win)`;

const numberOption = (raw: string | undefined, name: string, fallback: number, min: number, max: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} must be a number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
};

const readOptions = (): Options => {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'fallback-rate': { type: 'string' },
      'quiet-wait': { type: 'string' },
      'server-cpu-prof': { type: 'string' },
      'latency-from': { type: 'string' },
      batch: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const latencyFrom = values['latency-from'] ?? 'append';
  if (!(latencyFrom in LATENCY_REFERENCES)) {
    throw new Error(`--latency-from must be append, response or send, got ${JSON.stringify(latencyFrom)}`);
  }
  const options = {
    latencyFrom: latencyFrom as LatencyFrom,
    subscribers: Math.round(numberOption(values.subscribers, 'subscribers', quick ? 50 : 1000, 1, 10_000)),
    rate: numberOption(values.rate, 'rate', 50, 0.1, 1_000),
    seconds: numberOption(values.seconds, 'seconds', quick ? 3 : 20, 1, 600),
    fallbackRates: (values['fallback-rate'] ?? '20,5,2')
      .split(',')
      .map((raw) => numberOption(raw.trim(), 'fallback-rate', 0, 0, 1_000))
      .filter((fallback) => fallback > 0),
    quietWaitS: numberOption(values['quiet-wait'], 'quiet-wait', 60, 0, 600),
    serverCpuProf: values['server-cpu-prof'] ? path.resolve(values['server-cpu-prof']) : null,
    batch: Math.round(numberOption(values.batch, 'batch', 50, 1, 1_000)),
    baseline: values['no-baseline'] !== true,
  };
  // One slot per (subscriber, write) pair is kept, 9 bytes each.
  if (options.subscribers * Math.round(options.rate * options.seconds) > 20_000_000) {
    throw new Error('subscribers x rate x seconds must stay under 20 million (subscriber, change) pairs');
  }
  return options;
};

// ---------------------------------------------------------------- child processes, cleanup, watchdog

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

const killEverything = () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
};

process.on('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the server processes`);
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

const progress = (text: string) => console.error(`  [${new Date().toISOString().slice(11, 19)}] ${text}`);

/** Wall-clock milliseconds with sub-ms resolution, comparable across processes on this machine. */
const wallNow = () => performance.timeOrigin + performance.now();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Opens `count` connections `batch` at a time, each batch once the one before is up; the milliseconds it took. */
const openInBatches = async (count: number, batch: number, open: (index: number) => Promise<void>) => {
  const started = performance.now();
  for (let first = 0; first < count; first += batch) {
    const opening: Promise<void>[] = [];
    for (let index = first; index < Math.min(count, first + batch); index += 1) opening.push(open(index));
    await Promise.race([Promise.all(opening), sleep(CONNECT_BATCH_TIMEOUT_MS)]);
  }
  return performance.now() - started;
};

/** Polls `done` every few ms; false when `timeoutMs` passed first. */
const waitUntil = async (done: () => boolean, timeoutMs: number, everyMs = 20): Promise<boolean> => {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
};

interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** The last few KB of what it printed, for error reports. */
  readonly output: () => string;
}

const OUTPUT_TAIL = 16_384;

/** Starts `node <args>` in the repository and waits for a line naming its URL. */
const startChild = async (
  name: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Child> => {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    // stdin stays an open pipe: the bare server exits when it closes, i.e. when this process goes away.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  // Read everything it prints for its whole life, or a full pipe would stall it; keep only the tail.
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2 * OUTPUT_TAIL) output = output.slice(-OUTPUT_TAIL);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    let scanned = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output.slice(-OUTPUT_TAIL)}`));
    }, timeoutMs);
    const look = (chunk: Buffer) => {
      scanned = (scanned + chunk.toString()).slice(-OUTPUT_TAIL);
      const match = /"url":"(http:\/\/[^"]+)"/.exec(scanned);
      if (match) {
        cleanup();
        resolve(match[1]!);
      }
    };
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`${name} exited (${code ?? signal}) before it served:\n${output.slice(-OUTPUT_TAIL)}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', look);
      child.off('exit', exited);
    };
    child.stdout!.on('data', look);
    child.once('exit', exited);
  });
  if (!url.startsWith(`http://${HOST}:`)) throw new Error(`${name} serves on ${url}, not on ${HOST}`);
  return { process: child, pid: child.pid!, url, output: () => output.slice(-OUTPUT_TAIL) };
};

const stopChild = async (child: Child): Promise<void> => {
  const proc = child.process;
  const gone = () => proc.exitCode !== null || proc.signalCode !== null;
  if (gone()) return;
  proc.kill('SIGTERM');
  if (await waitUntil(gone, 10_000, 50)) return;
  proc.kill('SIGKILL');
  await waitUntil(gone, 5_000, 50);
};

// ---------------------------------------------------------------- /proc readings

interface Memory {
  readonly rssMb: number;
  readonly hwmMb: number;
}

const memoryOf = (pid: number): Memory => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
};

const CLOCK_TICKS = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds the process has used so far. */
const cpuSecondsOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is the 3rd field of the line, utime the 14th and stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
};

interface MachineCpu {
  readonly total: number;
  readonly idle: number;
}

/** The whole machine's CPU counters (all cores), to tell how much other processes took meanwhile. */
const machineCpu = (): MachineCpu => {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((sum, t) => sum + t, 0), idle: ticks[3]! + ticks[4]! };
};

/** Cores' worth of CPU the machine was busy between two readings. */
const busyCores = (before: MachineCpu, after: MachineCpu): number => {
  const total = after.total - before.total;
  return total > 0 ? (availableParallelism() * (total - (after.idle - before.idle))) / total : NaN;
};

/** Cores' worth of CPU other processes use now (a 1 s look), after waiting up to `maxS` for it to fall low. */
const waitForQuiet = async (maxS: number, label: string): Promise<number> => {
  const deadline = performance.now() + maxS * 1000;
  let told = 0;
  for (;;) {
    const before = machineCpu();
    const ownBefore = ownCpuSeconds();
    await sleep(1_000);
    const others = busyCores(before, machineCpu()) - (ownCpuSeconds() - ownBefore);
    if (others < QUIET_CORES || performance.now() >= deadline) return Math.max(0, others);
    if (performance.now() - told > 10_000) {
      progress(`${label}: other processes use ${fmt(others * 100, 0)}% of a core; waiting up to ${maxS} s for quiet`);
      told = performance.now();
    }
  }
};

const ownCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

// ---------------------------------------------------------------- delivery bookkeeping

/**
 * Every (subscriber, write) pair: how often it arrived and the first arrival's value (a time or a latency); and per
 * subscriber, whether arrivals kept their order (`order`: the log cursor, or the broadcast's sequence number).
 */
class Deliveries {
  readonly counts: Uint8Array;
  readonly values: Float64Array;
  private readonly lastOrder: (string | number | undefined)[];
  unique = 0;
  received = 0;
  outOfOrder = 0;
  unexpected = 0;
  lastArrival = 0;

  constructor(
    readonly subscribers: number,
    readonly writes: number,
  ) {
    this.counts = new Uint8Array(subscribers * writes);
    this.values = new Float64Array(subscribers * writes);
    this.lastOrder = new Array<string | number | undefined>(subscribers).fill(undefined);
  }

  record(subscriber: number, seq: number, value: number, arrival: number, order: string | number): void {
    this.received += 1;
    this.lastArrival = arrival;
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.writes) {
      this.unexpected += 1;
      return;
    }
    const k = subscriber * this.writes + seq;
    const count = this.counts[k]!;
    if (count === 0) {
      this.values[k] = value;
      this.unique += 1;
    }
    if (count < 255) this.counts[k] = count + 1;
    const last = this.lastOrder[subscriber];
    if (last !== undefined && order < last) this.outOfOrder += 1;
    else this.lastOrder[subscriber] = order;
  }
}

interface Check {
  readonly expected: number;
  readonly delivered: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Subscribers that missed at least one change. */
  readonly subscribersMissing: number;
}

/** Counts over the writes that counted (`valid`): missing pairs and extra copies. */
const check = (deliveries: Deliveries, valid: (seq: number) => boolean): Check => {
  let expected = 0;
  let delivered = 0;
  let missing = 0;
  let duplicates = 0;
  let subscribersMissing = 0;
  for (let s = 0; s < deliveries.subscribers; s += 1) {
    let missed = false;
    for (let seq = 0; seq < deliveries.writes; seq += 1) {
      if (!valid(seq)) continue;
      expected += 1;
      const count = deliveries.counts[s * deliveries.writes + seq]!;
      if (count === 0) {
        missing += 1;
        missed = true;
      } else {
        delivered += 1;
        duplicates += count - 1;
      }
    }
    if (missed) subscribersMissing += 1;
  }
  return { expected, delivered, missing, duplicates, subscribersMissing };
};

interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly min: number;
}

const distribution = (samples: Float64Array): Distribution => {
  if (samples.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN, min: NaN };
  const sorted = samples.slice().sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]!, min: sorted[0]! };
};

/** Latencies of the first-arrival of every pair whose write counted, `from(seq)` being the write's reference time. */
const latencies = (deliveries: Deliveries, from: (seq: number) => number, seqs?: [number, number]): Float64Array => {
  const [first, end] = seqs ?? [0, deliveries.writes];
  const out: number[] = [];
  for (let s = 0; s < deliveries.subscribers; s += 1) {
    for (let seq = first; seq < end; seq += 1) {
      const k = s * deliveries.writes + seq;
      const reference = from(seq);
      if (deliveries.counts[k]! > 0 && !Number.isNaN(reference)) out.push(deliveries.values[k]! - reference);
    }
  }
  return Float64Array.from(out);
};

/** Waits for deliveries to stop coming: all expected, no progress for a while, or the hard cap. */
const drain = async (deliveries: Deliveries, expectedUnique: number): Promise<void> => {
  const started = performance.now();
  let seen = deliveries.received;
  let lastProgress = started;
  while (deliveries.unique < expectedUnique) {
    const now = performance.now();
    if (now - lastProgress > DRAIN_IDLE_MS || now - started > DRAIN_MAX_MS) break;
    await sleep(50);
    if (deliveries.received !== seen) {
      seen = deliveries.received;
      lastProgress = performance.now();
    }
  }
  // A little longer, so that a duplicate sent right after the last change is still seen.
  await sleep(500);
};

// ---------------------------------------------------------------- results

interface ServerFigures {
  readonly idle: Memory;
  readonly connected: Memory;
  readonly end: Memory;
  /** Server CPU seconds per wall second over the measured phase (1 = one core busy). */
  readonly cpuCores: number;
}

interface RunResult {
  readonly label: string;
  readonly latency: Distribution;
  readonly check: Check;
  readonly server: ServerFigures;
  readonly benchCpuCores: number;
  readonly connected: number;
  readonly connectMs: number;
  readonly notes: string[];
  readonly problems: string[];
  /** Reasons to think the server could not keep up. */
  readonly overload: string[];
  /** Other processes took a noticeable share of the machine while this was measured. */
  readonly noisy: boolean;
}

interface Sample {
  readonly message: Message;
  readonly bytes: number;
}

interface TimelineResult extends RunResult {
  readonly sample: Sample | null;
}

// ---------------------------------------------------------------- the timeline run

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

const graphql = async (url: string, query: string, variables: Record<string, unknown>): Promise<GraphQLBody> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR_KEY}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json()) as GraphQLBody;
  if (!response.ok || (body.errors?.length ?? 0) > 0) {
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
  }
  return body;
};

const BASE_OCCURRED = Date.parse('2024-01-01T00:00:00Z');

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
const record = async (url: string, id: string, seq: number): Promise<number> => {
  const body = await graphql(url, RECORD, { input: developmentInput(id, seq) });
  const recordedAt = Date.parse(
    String((body.data?.recordDevelopment as { recordedAt?: unknown } | undefined)?.recordedAt),
  );
  if (Number.isNaN(recordedAt))
    throw new Error(`recordDevelopment answered without a recordedAt: ${JSON.stringify(body)}`);
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
const appendedInLog = async (url: string, writes: number): Promise<Map<number, number>> => {
  const found = new Map<number, number>();
  let after: string | null = null;
  // Bounded: the log holds the warm-ups and at most `writes` measured developments.
  for (let page = 0; page < Math.ceil(writes / LOG_PAGE) + 20; page += 1) {
    const body = await graphql(url, LOG_QUERY, { after });
    const { edges, pageInfo } = (body.data as unknown as LogPage).eventLog;
    for (const { node } of edges) {
      const id = node.data.id;
      if (id?.startsWith(MEASURED_PREFIX))
        found.set(Number(id.slice(MEASURED_PREFIX.length)), Date.parse(node.recordedAt));
    }
    if (!pageInfo.hasNextPage || pageInfo.endCursor === null) break;
    after = pageInfo.endCursor;
  }
  return found;
};

const seedEntities = async (url: string) => {
  for (const id of ACTORS) {
    await graphql(url, 'mutation($input: RegisterActorInput!) { registerActor(input: $input) { id } }', {
      input: { id, name: `Bench state ${id.slice(-1).toUpperCase()}`, kind: 'STATE' },
    });
  }
  await graphql(url, 'mutation($input: OpenTopicInput!) { openTopic(input: $input) { id } }', {
    input: { id: TOPIC, title: 'Bench topic', openedAt: '2020-01-01T00:00:00Z' },
  });
};

interface ChangeData {
  readonly timelineChanges?: {
    readonly cursor?: string;
    readonly development?: { readonly id?: string } | null;
  } | null;
}

const firstFew = (list: string[], item: string) => {
  if (list.length < 5 && !list.includes(item)) list.push(item);
};

/** An error's message with its cause's (fetch hides the socket error there). */
const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error ? `: ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}` : '';
  return `${error.message}${cause}`;
};

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

const runTimeline = async (options: Options, rate: number): Promise<TimelineResult> => {
  const { subscribers } = options;
  const writes = Math.max(1, Math.round(rate * options.seconds));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-bench-'));
  tempDirs.add(dataDir);
  const notes: string[] = [];
  const problems: string[] = [];
  const overload: string[] = [];
  const loadBefore = await waitForQuiet(options.quietWaitS, 'timeline');
  // The server runs as `npm start` runs it: the build, on plain Node.
  progress(`timeline: building, then starting the server (dist/src/main.js), data in ${dataDir}`);
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
  const profile = options.serverCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.serverCpuProf}`] : [];
  const server = await startChild('timeline server', [...SERVER_NODE_FLAGS, ...profile, 'dist/src/main.js'], {
    PORT: '0',
    HOST,
    TIMELINE_DATA_DIR: dataDir,
    TIMELINE_SEED: 'false',
    TIMELINE_EDITOR_KEYS: `bench:${EDITOR_KEY}`,
    TIMELINE_READER_KEYS: '',
    REDIS_URL: '',
    LOG_LEVEL: 'info',
  });
  const clients: Client[] = [];
  let disposing = false;
  try {
    await seedEntities(server.url);
    const idle = memoryOf(server.pid);
    const wsUrl = server.url.replace(/^http/, 'ws');

    const deliveries = new Deliveries(subscribers, writes);
    const warmSeen = new Uint8Array(subscribers);
    let attached = 0;
    let connectedCount = 0;
    let closedEarly = 0;
    let completed = 0;
    const errorMessages: string[] = [];
    let errors = 0;
    const frames = { count: 0, bytes: 0, sample: null as Message | null };

    // The cheapest handler that does the job: a timestamp, an id, a few array writes.
    const onChange = (s: number, change: ChangeData['timelineChanges'], arrival: number) => {
      const id = change?.development?.id;
      if (id === undefined) {
        deliveries.unexpected += 1;
      } else if (id.startsWith(MEASURED_PREFIX)) {
        deliveries.record(s, Number(id.slice(MEASURED_PREFIX.length)), arrival, arrival, change?.cursor ?? '');
      } else if (id.startsWith(WARM_PREFIX)) {
        if (warmSeen[s] === 0) {
          warmSeen[s] = 1;
          attached += 1;
        }
      } else {
        deliveries.unexpected += 1;
      }
    };

    // One subscriber also keeps the raw size of what it receives, the baseline's message size.
    const sizeOf = (message: Message) => {
      if (message.type !== 'next') return;
      const id = (message.payload.data as ChangeData | undefined)?.timelineChanges?.development?.id;
      if (!id?.startsWith(MEASURED_PREFIX)) return;
      frames.count += 1;
      frames.bytes += Buffer.byteLength(JSON.stringify(message));
      frames.sample = message;
    };

    const open = (s: number): Promise<void> =>
      new Promise((resolve) => {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          lazy: true,
          retryAttempts: 0,
          on: {
            connected: () => {
              connectedCount += 1;
              resolve();
            },
            closed: () => {
              if (!disposing) closedEarly += 1;
              resolve();
            },
            ...(s === 0 ? { message: sizeOf } : {}),
          },
        });
        clients.push(client);
        // lazy: the subscription opens the socket at once, with connection_init and then subscribe.
        client.subscribe<ChangeData>(
          { query: SUBSCRIPTION },
          {
            next: (result) => {
              const arrival = wallNow();
              if (result.errors) {
                errors += 1;
                firstFew(errorMessages, result.errors.map((error) => error.message).join('; '));
              }
              onChange(s, result.data?.timelineChanges, arrival);
            },
            error: (error) => {
              if (disposing) return;
              errors += 1;
              firstFew(errorMessages, error instanceof Error ? error.message : JSON.stringify(error));
              resolve();
            },
            complete: () => {
              if (!disposing) completed += 1;
            },
          },
        );
      });

    progress(`timeline: server pid ${server.pid} at ${server.url}; opening ${subscribers} graphql-ws subscribers`);
    const connectMs = await openInBatches(subscribers, options.batch, open);
    if (connectedCount < subscribers) {
      problems.push(`only ${connectedCount} of ${subscribers} subscribers connected (${closedEarly} closed early)`);
    }

    // No protocol message says a subscription is in place: write warm-up changes until every connected
    // subscriber has seen one (at least 3, which also warms the server's code paths).
    let warm = 0;
    const warmDeadline = performance.now() + 60_000;
    while ((warm < 3 || attached < connectedCount) && performance.now() < warmDeadline) {
      await record(server.url, `${WARM_PREFIX}${warm}`, warm);
      warm += 1;
      await waitUntil(() => attached >= connectedCount, 2_000);
    }
    if (attached < connectedCount) {
      problems.push(`only ${attached} of ${connectedCount} connected subscribers got a warm-up change in 60 s`);
    }
    const connected = memoryOf(server.pid);
    progress(`timeline: ${attached} subscribers live after ${warm} warm-up writes; writing ${writes} at ${rate}/s`);

    // The measured writes, at absolute target times (a late one is followed by an early one).
    const sentAt = new Float64Array(writes).fill(NaN);
    const answeredAt = new Float64Array(writes).fill(NaN);
    const appendedAt = new Float64Array(writes).fill(NaN);
    const writeErrors: string[] = [];
    let inFlight = 0;
    let waitedForInFlight = 0;
    const interval = 1000 / rate;
    const cpuBefore = cpuSecondsOf(server.pid);
    const benchCpuBefore = ownCpuSeconds();
    const machineBefore = machineCpu();
    const started = performance.now();
    for (let seq = 0; seq < writes; seq += 1) {
      await sleep(started + seq * interval - performance.now());
      if (inFlight >= MAX_IN_FLIGHT) {
        waitedForInFlight += 1;
        await waitUntil(() => inFlight < MAX_IN_FLIGHT, REQUEST_TIMEOUT_MS + 5_000, 2);
      }
      inFlight += 1;
      sentAt[seq] = wallNow();
      record(server.url, `${MEASURED_PREFIX}${seq}`, seq)
        .then(
          (recordedAt) => {
            answeredAt[seq] = wallNow();
            appendedAt[seq] = recordedAt;
          },
          (error: unknown) => firstFew(writeErrors, describe(error)),
        )
        .finally(() => (inFlight -= 1));
    }
    const lastSent = performance.now();
    await waitUntil(() => inFlight === 0, REQUEST_TIMEOUT_MS + 10_000);
    const okWrites = answeredAt.reduce((n, t) => (Number.isNaN(t) ? n : n + 1), 0);
    progress(`timeline: writes done (${okWrites} of ${writes} answered); waiting for the deliveries`);
    // The log decides what every subscriber must get: a write whose request timed out may have been appended anyway,
    // and the server may still be working through such requests; so look until the log stops growing.
    // The server may be too busy to answer at first, so a read of the log is retried; if it never answers, the
    // writes it acknowledged stand in for the log.
    const acknowledged = new Map<number, number>();
    for (let seq = 0; seq < writes; seq += 1)
      if (!Number.isNaN(appendedAt[seq]!)) acknowledged.set(seq, appendedAt[seq]!);
    let log = acknowledged;
    let logRead = false;
    for (let round = 0; round < DRAIN_ROUNDS; round += 1) {
      await drain(deliveries, connectedCount * log.size);
      let again: Map<number, number> | null = null;
      for (let attempt = 0; attempt < 4 && again === null; attempt += 1) {
        again = await appendedInLog(server.url, writes).catch((error: unknown) => {
          firstFew(writeErrors, `reading the log: ${describe(error)}`);
          return null;
        });
        if (again === null) await sleep(2_000);
      }
      if (again === null) break;
      const stable = logRead && again.size === log.size;
      log = again;
      logRead = true;
      if (stable) break;
    }
    if (!logRead) problems.push('the event log could not be read: the acknowledged writes stand in for it');
    const finished = performance.now();
    const cpuCores = (cpuSecondsOf(server.pid) - cpuBefore) / ((finished - started) / 1000);
    const benchCpuCores = (ownCpuSeconds() - benchCpuBefore) / ((finished - started) / 1000);
    const otherCores = Math.max(0, busyCores(machineBefore, machineCpu()) - cpuCores - benchCpuCores);
    const end = memoryOf(server.pid);

    let acknowledgedNotLogged = 0;
    for (let seq = 0; seq < writes; seq += 1) {
      const logged = log.get(seq);
      if (logged !== undefined) appendedAt[seq] = logged;
      else if (!Number.isNaN(answeredAt[seq]!)) acknowledgedNotLogged += 1;
    }
    const appended = log.size;
    const lateAppends = Array.from(log.keys()).filter((seq) => Number.isNaN(answeredAt[seq]!)).length;
    const valid = (seq: number) => log.has(seq);
    const references: Record<LatencyFrom, Float64Array> = { append: appendedAt, response: answeredAt, send: sentAt };
    const from = (reference: LatencyFrom, seqs?: [number, number]) =>
      latencies(deliveries, (seq) => (valid(seq) ? references[reference][seq]! : NaN), seqs);
    const byReference = {
      append: distribution(from('append')),
      response: distribution(from('response')),
      send: distribution(from('send')),
    };
    const latency = byReference[options.latencyFrom];
    const beforeAnswer = from('response').reduce((n, value) => (value < 0 ? n + 1 : n), 0);
    const tenth = Math.max(1, Math.floor(writes / 10));
    const early = distribution(from('append', [0, tenth]));
    const late = distribution(from('append', [writes - tenth, writes]));
    const spans = (reference: Float64Array) => {
      const out: number[] = [];
      for (let seq = 0; seq < writes; seq += 1) {
        const value = reference[seq]! - sentAt[seq]!;
        if (!Number.isNaN(value)) out.push(value);
      }
      return distribution(Float64Array.from(out));
    };
    const roundTrip = spans(answeredAt);
    const intake = spans(appendedAt);
    const stamps = Array.from(log.values());
    const appendSpanS = stamps.length > 1 ? (Math.max(...stamps) - Math.min(...stamps)) / 1000 : NaN;
    const appendRate = stamps.length > 1 ? (stamps.length - 1) / appendSpanS : rate;
    const result = check(deliveries, valid);
    const writeSpanS = (lastSent - started) / 1000;
    const sendRate = writes > 1 ? (writes - 1) / writeSpanS : rate;
    const lastAppend = stamps.length > 0 ? Math.max(...stamps) : wallNow();
    const drainMs = Math.max(0, deliveries.lastArrival - lastAppend);
    const throughput = result.delivered / Math.max(0.001, (deliveries.lastArrival - sentAt[0]!) / 1000);

    const line = (d: Distribution) => `p50 ${fmt(d.p50)}, p99 ${fmt(d.p99)}, max ${fmt(d.max)}, min ${fmt(d.min)} ms`;
    notes.push(
      `the table's latency is receipt - ${LATENCY_REFERENCES[options.latencyFrom]}`,
      `from the append stamp (recordedAt, server wall clock in whole ms, so +0..1 ms): ${line(byReference.append)}; ` +
        `first 10% of writes p50 ${fmt(early.p50)} / p99 ${fmt(early.p99)} ms, last 10% p50 ${fmt(late.p50)} / p99 ${fmt(late.p99)} ms`,
      `from the HTTP response's arrival at the writer: ${line(byReference.response)}; ` +
        `${beforeAnswer} of ${byReference.response.count} deliveries (${fmt((100 * beforeAnswer) / Math.max(1, byReference.response.count), 1)}%) ` +
        `came BEFORE the writer had its response (the server answers the mutation after fanning the change out)`,
      `from just before sending the mutation (end to end, with any queueing in front of the append): ${line(byReference.send)}`,
      `writes: sent ${writes} at ${fmt(sendRate, 1)}/s (target ${rate}/s), ${okWrites} answered, ${appended} in the log ` +
        `(${lateAppends} of them although their request failed), appended at ${fmt(appendRate, 1)}/s; ` +
        `mutation round trip ${line(roundTrip)}; send -> append stamp ${line(intake)}` +
        (waitedForInFlight > 0
          ? `; the writer waited ${waitedForInFlight}x for ${MAX_IN_FLIGHT} writes in flight`
          : ''),
      `last delivery ${fmt(drainMs, 0)} ms after the last append (${fmt(throughput, 0)} deliveries/s from the first write ` +
        `to the last delivery, ${fmt(subscribers * rate, 0)}/s needed); server CPU ${fmt(cpuCores * 100, 0)}% of one core, ` +
        `bench (clients + writer) CPU ${fmt(benchCpuCores * 100, 0)}%, other processes ${fmt(otherCores * 100, 0)}% ` +
        `(of ${availableParallelism()} cores), over the measured ${fmt((finished - started) / 1000, 1)} s` +
        (otherCores > NOISY_CORES ? ' -- OTHER LOAD ON THE MACHINE: the figures are noisy' : '') +
        ` (others used ${fmt(loadBefore * 100, 0)}% just before the start)`,
      `${connectedCount} subscribers connected in ${fmt(connectMs / 1000, 1)} s (batches of ${options.batch}), ${warm} warm-up writes; ` +
        `server RSS idle before subscribers ${fmt(idle.rssMb)} MB` +
        (frames.count > 0 ? `; graphql-ws next frames average ${Math.round(frames.bytes / frames.count)} bytes` : ''),
    );
    if (result.missing > 0) {
      problems.push(
        `MISSING: ${result.missing} of ${result.expected} deliveries of appended changes never arrived ` +
          `(${result.subscribersMissing} subscribers affected)`,
      );
    }
    if (result.duplicates > 0) problems.push(`DUPLICATES: ${result.duplicates} changes arrived more than once`);
    if (deliveries.outOfOrder > 0) {
      problems.push(`OUT OF ORDER: ${deliveries.outOfOrder} changes arrived out of log (cursor) order`);
    }
    const ghosts = latencies(deliveries, (seq) => (valid(seq) ? NaN : 0)).length;
    if (deliveries.unexpected + ghosts > 0) {
      problems.push(`UNEXPECTED: ${deliveries.unexpected + ghosts} deliveries of changes that are not in the log`);
    }
    if (acknowledgedNotLogged > 0) problems.push(`${acknowledgedNotLogged} acknowledged writes are not in the log`);
    if (errors > 0) problems.push(`${errors} subscription errors, e.g. ${errorMessages.join(' | ')}`);
    if (closedEarly > 0) problems.push(`${closedEarly} subscriber sockets closed before the end`);
    if (completed > 0) problems.push(`${completed} subscriptions completed by the server before the end`);

    if (cpuCores >= 0.9) overload.push(`server CPU ${fmt(cpuCores * 100, 0)}% of one core (Node runs JS on one)`);
    if (appendRate < 0.9 * rate) overload.push(`the server appended only ${fmt(appendRate, 1)} writes/s`);
    if (okWrites < writes) {
      overload.push(`${writes - okWrites} of ${writes} write requests failed, e.g. ${writeErrors.join(' | ')}`);
    }
    if (drainMs > Math.max(1_000, 5 * interval))
      overload.push(`deliveries trailed the appends by ${fmt(drainMs, 0)} ms`);
    if (late.p50 > 3 * Math.max(0, early.p50) + 50) {
      overload.push(`latency grew during the run (p50 ${fmt(early.p50)} -> ${fmt(late.p50)} ms): a backlog built up`);
    }
    if (intake.p50 > 1_000) overload.push(`writes waited ${fmt(intake.p50, 0)} ms (p50) before their append`);

    return {
      label: 'timeline (graphql-ws)',
      latency,
      check: result,
      server: { idle, connected, end, cpuCores },
      benchCpuCores,
      connected: connectedCount,
      connectMs,
      notes,
      problems,
      overload,
      noisy: otherCores > NOISY_CORES,
      sample: frames.sample && { message: frames.sample, bytes: Math.round(frames.bytes / frames.count) },
    };
  } finally {
    // Closes from here on are ours, not failures.
    disposing = true;
    await Promise.race([
      Promise.all(clients.map((client) => Promise.resolve(client.dispose()).catch(() => undefined))),
      sleep(10_000),
    ]);
    await stopChild(server);
    rmSync(dataDir, { recursive: true, force: true });
    tempDirs.delete(dataDir);
  }
};

// ---------------------------------------------------------------- the bare ws baseline

/** A graphql-ws `next` message like the sample, its id, send stamp and padding as placeholders, `bytes` long. */
const templateFor = (sample: Sample | null, prefix: string, writes: number): string => {
  const message = (sample?.message as Record<string, unknown> | undefined) ?? {
    id: '00000000-0000-4000-8000-000000000000',
    type: 'next',
    payload: {
      data: {
        timelineChanges: {
          cursor: '0000000000000001',
          change: 'RECORDED',
          development: {
            id: 'x',
            title: 'Bench development 0'.padEnd(48, '.'),
            occurredAt: '2024-01-01T00:00:00.000Z',
          },
        },
      },
    },
  };
  const target = sample?.bytes ?? Buffer.byteLength(JSON.stringify(message));
  const copy = structuredClone(message) as {
    payload: { data: { timelineChanges: { development: { id: string; title: string } } }; extensions?: unknown };
  };
  const development = copy.payload.data.timelineChanges.development;
  development.id = '__ID__';
  copy.payload.extensions = { sentAt: '__SENT__' };
  const build = () => JSON.stringify(copy).replace('"__SENT__"', '__SENT__');
  const difference = target - typicalBytes(build(), prefix, writes);
  if (difference >= 0) development.title += '.'.repeat(difference);
  else development.title = development.title.slice(0, Math.max(1, development.title.length + difference));
  return build();
};

/** A message's size once sent: the stamp written as e.g. 1718000000000.123, the id with a typical sequence number. */
const typicalBytes = (template: string, prefix: string, writes: number) =>
  Buffer.byteLength(template) -
  '__ID__'.length +
  `${prefix}${Math.floor(writes / 2)}`.length -
  '__SENT__'.length +
  `${Date.now()}.123`.length;

interface BareStats {
  readonly clients: number;
  readonly broadcasting: boolean;
  readonly sent: number;
}

const bareStats = async (base: string): Promise<BareStats> => {
  const response = await fetch(`${base}/stats`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return (await response.json()) as BareStats;
};

const bareBroadcast = async (
  base: string,
  order: { template: string; prefix: string; count: number; rate: number },
) => {
  const response = await fetch(`${base}/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 202) throw new Error(`broadcast refused: ${response.status} ${await response.text()}`);
};

interface BareMessage {
  readonly payload?: {
    readonly data?: ChangeData;
    readonly extensions?: { readonly sentAt?: number };
  };
}

const runBaseline = async (options: Options, rate: number, sample: Sample | null): Promise<RunResult> => {
  const { subscribers } = options;
  const writes = Math.max(1, Math.round(rate * options.seconds));
  const notes: string[] = [];
  const problems: string[] = [];
  const overload: string[] = [];
  const loadBefore = await waitForQuiet(options.quietWaitS, 'baseline');
  progress('baseline: starting bench/bare-ws-server.ts');
  const server = await startChild('bare ws server', ['--import', 'tsx', 'bench/bare-ws-server.ts'], {
    PORT: '0',
    HOST,
  });
  const sockets: WebSocket[] = [];
  let stopping = false;
  try {
    const idle = memoryOf(server.pid);
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/ws`;
    const deliveries = new Deliveries(subscribers, writes);
    const warmSeen = new Uint8Array(subscribers);
    let warmCount = 0;
    let opened = 0;
    let closedEarly = 0;
    let malformed = 0;

    const open = (s: number): Promise<void> =>
      new Promise((resolve) => {
        const socket = new WebSocket(wsUrl);
        sockets.push(socket);
        socket.on('message', (data: WebSocket.RawData) => {
          const arrival = wallNow();
          const message = JSON.parse(data.toString()) as BareMessage;
          const id = message.payload?.data?.timelineChanges?.development?.id;
          const sentAt = message.payload?.extensions?.sentAt;
          if (id === undefined || sentAt === undefined) {
            malformed += 1;
          } else if (id.startsWith(MEASURED_PREFIX)) {
            const seq = Number(id.slice(MEASURED_PREFIX.length));
            deliveries.record(s, seq, arrival - sentAt, arrival, seq);
          } else if (warmSeen[s] === 0) {
            warmSeen[s] = 1;
            warmCount += 1;
          }
        });
        socket.once('open', () => {
          opened += 1;
          resolve();
        });
        socket.once('close', () => {
          if (!stopping) closedEarly += 1;
          resolve();
        });
        socket.on('error', () => resolve());
      });

    progress(`baseline: server pid ${server.pid} at ${server.url}; opening ${subscribers} ws clients`);
    const connectMs = await openInBatches(subscribers, options.batch, open);
    let onServer = 0;
    for (let tries = 0; tries < 50 && onServer < opened; tries += 1) {
      onServer = (await bareStats(server.url)).clients;
      if (onServer < opened) await sleep(100);
    }
    if (opened < subscribers || onServer < opened) {
      problems.push(`only ${opened} of ${subscribers} clients opened (${onServer} on the server)`);
    }

    const template = templateFor(sample, MEASURED_PREFIX, writes);
    // A few warm-up broadcasts, as the timeline had.
    await bareBroadcast(server.url, { template, prefix: WARM_PREFIX, count: 3, rate: 10 });
    await waitUntil(() => warmCount >= opened, 10_000);
    await sleep(300);
    const connected = memoryOf(server.pid);

    progress(`baseline: ${opened} clients open; broadcasting ${writes} at ${rate}/s`);
    const cpuBefore = cpuSecondsOf(server.pid);
    const benchCpuBefore = ownCpuSeconds();
    const machineBefore = machineCpu();
    const started = performance.now();
    const startedWall = wallNow();
    await bareBroadcast(server.url, { template, prefix: MEASURED_PREFIX, count: writes, rate });
    const expectedSeconds = writes / rate;
    let stats = await bareStats(server.url);
    const broadcastDeadline = performance.now() + (expectedSeconds + 60) * 1000;
    while ((stats.broadcasting || stats.sent < writes) && performance.now() < broadcastDeadline) {
      await sleep(200);
      stats = await bareStats(server.url);
    }
    if (stats.sent < writes) problems.push(`the bare server sent only ${stats.sent} of ${writes} broadcasts`);
    const lastBroadcast = wallNow();
    const broadcastS = (lastBroadcast - startedWall) / 1000;
    await drain(deliveries, opened * writes);
    const finished = performance.now();
    const cpuCores = (cpuSecondsOf(server.pid) - cpuBefore) / ((finished - started) / 1000);
    const benchCpuCores = (ownCpuSeconds() - benchCpuBefore) / ((finished - started) / 1000);
    const otherCores = Math.max(0, busyCores(machineBefore, machineCpu()) - cpuCores - benchCpuCores);
    const end = memoryOf(server.pid);

    const latency = distribution(latencies(deliveries, () => 0));
    const result = check(deliveries, () => true);
    const drainMs = Math.max(0, deliveries.lastArrival - lastBroadcast);
    const throughput = result.delivered / Math.max(0.001, (deliveries.lastArrival - startedWall) / 1000);
    notes.push(
      `latency is measured from the server's send stamp (taken once per broadcast, before the loop over clients) to receipt`,
      `${opened} clients connected in ${fmt(connectMs / 1000, 1)} s; messages ${typicalBytes(template, MEASURED_PREFIX, writes)} bytes ` +
        `(graphql-ws next shape, same size as the timeline's); server CPU ${fmt(cpuCores * 100, 0)}% of one core, ` +
        `bench CPU ${fmt(benchCpuCores * 100, 0)}%, other processes ${fmt(otherCores * 100, 0)}%` +
        (otherCores > NOISY_CORES ? ' (OTHER LOAD ON THE MACHINE: noisy)' : '') +
        ` (${fmt(loadBefore * 100, 0)}% just before the start)` +
        `; last delivery ${fmt(drainMs, 0)} ms after the broadcasts ended (poll granularity 200 ms; ` +
        `${fmt(throughput, 0)} deliveries/s); the broadcasts took ${fmt(broadcastS, 1)} s for ${fmt(expectedSeconds, 1)} s ` +
        `of schedule; server RSS idle ${fmt(idle.rssMb)} MB`,
    );
    if (result.missing > 0) problems.push(`missing: ${result.missing} of ${result.expected} deliveries`);
    if (result.duplicates > 0) problems.push(`duplicates: ${result.duplicates}`);
    if (deliveries.outOfOrder > 0) problems.push(`out of order: ${deliveries.outOfOrder}`);
    if (malformed > 0 || deliveries.unexpected > 0) {
      problems.push(`${malformed + deliveries.unexpected} malformed or unexpected messages`);
    }
    if (closedEarly > 0) problems.push(`${closedEarly} sockets closed before the end`);
    if (cpuCores >= 0.9) overload.push(`server CPU ${fmt(cpuCores * 100, 0)}% of one core`);
    if (broadcastS > 1.1 * expectedSeconds + 0.5) {
      overload.push(
        `the broadcasts fell behind their schedule (${fmt(broadcastS, 1)} s for ${fmt(expectedSeconds, 1)} s)`,
      );
    }
    return {
      label: 'bare ws baseline',
      latency,
      check: result,
      server: { idle, connected, end, cpuCores },
      benchCpuCores,
      connected: opened,
      connectMs,
      notes,
      problems,
      overload,
      noisy: otherCores > NOISY_CORES,
    };
  } finally {
    stopping = true;
    for (const socket of sockets) socket.terminate();
    await stopChild(server);
  }
};

// ---------------------------------------------------------------- report

const MB = (value: number) => `${fmt(value, 1)} MB`;

const row = (result: RunResult) =>
  result.label.padEnd(23) +
  fmt(result.latency.p50).padStart(8) +
  fmt(result.latency.p99).padStart(9) +
  fmt(result.latency.max).padStart(9) +
  '   ' +
  `${result.check.delivered}/${result.check.expected}`.padEnd(17) +
  `${MB(result.server.connected.rssMb)} / ${MB(result.server.end.rssMb)} / ${MB(result.server.end.hwmMb)}`;

const MEMORY_GOAL_MB = 300;

const report = (options: Options, rate: number, timeline: RunResult, baseline: RunResult | null): string => {
  const writes = Math.max(1, Math.round(rate * options.seconds));
  const lines = [
    `live fan-out: ${options.subscribers} subscribers, ${rate} writes/s for ${options.seconds} s (${writes} writes)`,
    ''.padEnd(23) +
      'p50 ms'.padStart(8) +
      'p99 ms'.padStart(9) +
      'max ms'.padStart(9) +
      '   ' +
      'delivered'.padEnd(17) +
      'server RSS (connected / end / peak)',
    row(timeline),
  ];
  if (baseline) lines.push(row(baseline));
  const ratio = baseline ? timeline.latency.p99 / baseline.latency.p99 : NaN;
  const peak = timeline.server.end.hwmMb;
  const connectedMb = timeline.server.connected.rssMb;
  const memoryVerdict = peak < MEMORY_GOAL_MB ? 'met' : 'NOT MET';
  const memoryGoal =
    options.subscribers >= 1000
      ? `${memoryVerdict} (peak ${MB(peak)}; ${MB(connectedMb)} connected and idle)`
      : `n/a at ${options.subscribers} subscribers (peak ${MB(peak)})`;
  const overloaded = timeline.overload.length > 0;
  const noisy = timeline.noisy || (baseline?.noisy ?? false);
  const verdict = overloaded
    ? 'not judged, the timeline server was overloaded'
    : `${ratio <= 2 ? 'met' : 'NOT MET'}${noisy ? ', but NOISY: other processes loaded the machine meanwhile' : ''}`;
  const ratioText = !baseline ? 'n/a (no baseline)' : `${fmt(ratio, 2)} (goal <= 2: ${verdict})`;
  lines.push(`p99 ratio: ${ratioText}    memory goal: < ${MEMORY_GOAL_MB} MB for 1000 subscribers: ${memoryGoal}`);
  for (const result of baseline ? [timeline, baseline] : [timeline]) {
    lines.push(`${result.label}:`);
    for (const note of result.notes) lines.push(`  - ${note}`);
    lines.push(result.overload.length === 0 ? '  - overloaded: no' : `  - OVERLOADED: ${result.overload.join('; ')}`);
  }
  if (timeline.problems.length > 0) {
    lines.push('!!! TIMELINE DELIVERY PROBLEMS (every subscriber must get every change exactly once):');
    for (const problem of timeline.problems) lines.push(`!!!   ${problem}`);
  } else {
    lines.push(
      `timeline deliveries: every subscriber got every change exactly once, in log order ` +
        `(${timeline.check.missing} missing, ${timeline.check.duplicates} duplicates)`,
    );
  }
  if (baseline && baseline.problems.length > 0) lines.push(`baseline problems: ${baseline.problems.join('; ')}`);
  return lines.join('\n');
};

// ---------------------------------------------------------------- main

const main = async () => {
  const options = readOptions();
  const fallbacks = options.fallbackRates.filter((fallback) => fallback < options.rate).sort((a, b) => b - a);
  const scenarios = 1 + fallbacks.length;
  const connectWorstS = Math.ceil(options.subscribers / options.batch) * (CONNECT_BATCH_TIMEOUT_MS / 1000);
  const phaseWorstS =
    options.quietWaitS +
    60 + // server start
    connectWorstS +
    60 + // warm-up
    options.seconds * 2 +
    REQUEST_TIMEOUT_MS / 1000 +
    DRAIN_ROUNDS * (DRAIN_MAX_MS / 1000 + 30) +
    30; // stopping
  const watchdogS = Math.ceil(scenarios * 2 * phaseWorstS);
  // A last resort against anything this bench did not foresee: it stops, and takes its children with it.
  setTimeout(() => {
    console.error(`\nwatchdog: the bench ran for ${watchdogS} s, longer than it ever should; stopping`);
    process.exit(3);
  }, watchdogS * 1000).unref();

  const reports: string[] = [];
  let failed = false;
  let rate: number | undefined = options.rate;
  while (rate !== undefined) {
    console.error(`\n${options.subscribers} subscribers, ${rate} writes/s for ${options.seconds} s`);
    const timeline = await runTimeline(options, rate);
    const baseline = options.baseline ? await runBaseline(options, rate, timeline.sample) : null;
    const text = report(options, rate, timeline, baseline);
    reports.push(text);
    console.log(`\n${text}`);
    if (timeline.problems.length > 0) failed = true;
    const next = timeline.overload.length > 0 ? fallbacks.shift() : undefined;
    if (next !== undefined) console.log(`\nthe server could not keep up at ${rate}/s: running again at ${next}/s`);
    rate = next;
  }
  if (reports.length > 1) console.log(`\n==== all runs ====\n\n${reports.join('\n\n')}`);
  if (failed) console.log('\n!!! the timeline failed to deliver every change exactly once, in order: see above');
  process.exit(failed ? 1 : 0);
};

await main();
