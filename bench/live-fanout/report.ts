import { decimal as fmt } from '../support/stats.js';
import { writesAt, type Options } from './options.js';
import type { RunResult } from './results.js';

/** The table and notes a live fan-out run prints. */

const MEMORY_GOAL_MB = 300;

const MB = (value: number) => `${fmt(value, 1)} MB`;

const row = (result: RunResult) =>
  result.label.padEnd(23) +
  fmt(result.latency.p50).padStart(8) +
  fmt(result.latency.p99).padStart(9) +
  fmt(result.latency.max).padStart(9) +
  '   ' +
  `${result.check.delivered}/${result.check.expected}`.padEnd(17) +
  `${MB(result.server.connected.rssMb)} / ${MB(result.server.end.rssMb)} / ${MB(result.server.end.hwmMb)}`;

const HEADER =
  ''.padEnd(23) +
  'p50 ms'.padStart(8) +
  'p99 ms'.padStart(9) +
  'max ms'.padStart(9) +
  '   ' +
  'delivered'.padEnd(17) +
  'server RSS (connected / end / peak)';

/** The goals' line: the p99 ratio to the baseline, and the memory at 1000 subscribers. */
const goals = (options: Options, timeline: RunResult, baseline: RunResult | null): string => {
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
  return `p99 ratio: ${ratioText}    memory goal: < ${MEMORY_GOAL_MB} MB for 1000 subscribers: ${memoryGoal}`;
};

export const report = (options: Options, rate: number, timeline: RunResult, baseline: RunResult | null): string => {
  const writes = writesAt(options, rate);
  const lines = [
    `live fan-out: ${options.subscribers} subscribers, ${rate} writes/s for ${options.seconds} s (${writes} writes)`,
    HEADER,
    row(timeline),
  ];
  if (baseline) lines.push(row(baseline));
  lines.push(goals(options, timeline, baseline));
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
