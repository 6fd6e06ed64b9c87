/**
 * Live fan-out bench: how fast, how completely and at what memory cost the timeline pushes each new development to
 * many `timelineChanges` subscribers, next to a bare `ws` broadcast of messages of the same size.
 *
 *   npx tsx bench/live-fanout.ts [--subscribers 1000] [--rate 50] [--seconds 20] [--fallback-rate 20,5,2]
 *   npx tsx bench/live-fanout.ts --quick            (smoke: 50 subscribers, 3 s)
 *
 * Both servers run as child processes (the real server's build, dist/src/main.js, with no rate limit, and
 * bench/bare-ws-server.ts), so that their resident memory (VmRSS, VmHWM in /proc/<pid>/status) and CPU time are
 * theirs alone, not the clients'.
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
 * Every subscriber must get every change exactly once: missing, duplicate and out-of-order deliveries are counted.
 * Any of them, an error answer to a write (not 200, GraphQL errors, a 429), or fewer subscribers (or baseline
 * clients) than asked voids the run: "bench void: <what>", exit code 1. A write that got no answer in time counts
 * as overload instead, and a lower rate is tried (--fallback-rate).
 */
import { runBaseline } from './live-fanout/baseline-run.js';
import { readOptions, USAGE, type Options } from './live-fanout/options.js';
import { report } from './live-fanout/report.js';
import { CONNECT_BATCH_TIMEOUT_MS, DRAIN_MAX_MS, DRAIN_ROUNDS, REQUEST_TIMEOUT_MS } from './live-fanout/settings.js';
import { runTimeline } from './live-fanout/timeline-run.js';
import { installLifecycle, runBench, shutdown, voidBench } from './support/lifecycle.js';
import { optionsOrExit } from './support/options.js';

/** Longer than a run can take at these options: a last resort against anything this bench did not foresee. */
const watchdogSeconds = (options: Options, scenarios: number): number => {
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
  return Math.ceil(scenarios * 2 * phaseWorstS);
};

const main = async () => {
  const options = optionsOrExit(readOptions, USAGE);
  const fallbacks = options.fallbackRates.filter((fallback) => fallback < options.rate).sort((a, b) => b - a);
  const watchdogS = watchdogSeconds(options, 1 + fallbacks.length);
  installLifecycle({ ms: watchdogS * 1000, why: `${watchdogS} s, longer than it ever should` });

  const reports: string[] = [];
  const problems: string[] = [];
  let rate: number | undefined = options.rate;
  while (rate !== undefined) {
    console.error(`\n${options.subscribers} subscribers, ${rate} writes/s for ${options.seconds} s`);
    const timeline = await runTimeline(options, rate);
    const baseline = options.baseline ? await runBaseline(options, rate, timeline.sample) : null;
    const text = report(options, rate, timeline, baseline);
    reports.push(text);
    console.log(`\n${text}`);
    if (timeline.problems.length > 0)
      problems.push(`the timeline failed to deliver every change exactly once, in order`);
    if (baseline && baseline.problems.length > 0) problems.push(`the bare baseline failed to deliver every message`);
    const next = timeline.overload.length > 0 ? fallbacks.shift() : undefined;
    if (next !== undefined) console.log(`\nthe server could not keep up at ${rate}/s: running again at ${next}/s`);
    rate = next;
  }
  if (reports.length > 1) console.log(`\n==== all runs ====\n\n${reports.join('\n\n')}`);
  if (problems.length > 0) await voidBench(`${[...new Set(problems)].join('; ')}: see above`);
  await shutdown(0);
};

runBench(main);
