import { availableParallelism } from 'node:os';
import { decimal as fmt, summarize, type Summary } from '../support/stats.js';
import { check, latencies, type Check, type Deliveries } from './deliveries.js';
import { LATENCY_REFERENCES, type LatencyFrom, type Options } from './options.js';
import type { CpuShares, Memory } from './results.js';
import { MAX_IN_FLIGHT, NOISY_CORES, wallNow } from './settings.js';
import type { SettledLog } from './settled-log.js';
import type { Subscribers } from './subscribers.js';
import { answered, type Writes } from './writer.js';

/** The timeline run's figures, from what the writer, the subscribers and the log recorded. */

export interface TimelineMeasures {
  readonly options: Options;
  readonly rate: number;
  readonly writes: Writes;
  readonly settled: SettledLog;
  readonly deliveries: Deliveries;
  readonly subscribers: Subscribers;
  readonly cpu: CpuShares;
  readonly idle: Memory;
  /** Others' CPU (cores) just before the start. */
  readonly loadBefore: number;
  readonly connectMs: number;
  readonly warmWrites: number;
}

export interface TimelineFigures {
  readonly latency: Summary;
  readonly check: Check;
  readonly notes: string[];
  readonly problems: string[];
  readonly overload: string[];
}

const line = (d: Summary) => `p50 ${fmt(d.p50)}, p99 ${fmt(d.p99)}, max ${fmt(d.max)}, min ${fmt(d.min)} ms`;

/** The latencies by reference moment, and how they moved during the run; the writes' own spans. */
const latencyFigures = (m: TimelineMeasures) => {
  const { writes, settled, deliveries } = m;
  const valid = (seq: number) => settled.log.has(seq);
  const references: Record<LatencyFrom, Float64Array> = {
    append: writes.appendedAt,
    response: writes.answeredAt,
    send: writes.sentAt,
  };
  const from = (reference: LatencyFrom, seqs?: [number, number]) =>
    latencies(deliveries, (seq) => (valid(seq) ? references[reference][seq]! : NaN), seqs);
  const byReference = {
    append: summarize(from('append')),
    response: summarize(from('response')),
    send: summarize(from('send')),
  };
  const tenth = Math.max(1, Math.floor(writes.count / 10));
  const spans = (reference: Float64Array) => {
    const out: number[] = [];
    for (let seq = 0; seq < writes.count; seq += 1) {
      const value = reference[seq]! - writes.sentAt[seq]!;
      if (!Number.isNaN(value)) out.push(value);
    }
    return summarize(out);
  };
  return {
    byReference,
    beforeAnswer: from('response').reduce((n, value) => (value < 0 ? n + 1 : n), 0),
    early: summarize(from('append', [0, tenth])),
    late: summarize(from('append', [writes.count - tenth, writes.count])),
    roundTrip: spans(writes.answeredAt),
    intake: spans(writes.appendedAt),
    ghosts: latencies(deliveries, (seq) => (valid(seq) ? NaN : 0)).length,
  };
};

type Latencies = ReturnType<typeof latencyFigures>;

/** The rates and delays of the writes and deliveries. */
const flowFigures = (m: TimelineMeasures, delivered: number) => {
  const { writes, settled } = m;
  const stamps = Array.from(settled.log.values());
  const appendSpanS = stamps.length > 1 ? (Math.max(...stamps) - Math.min(...stamps)) / 1000 : NaN;
  const lastAppend = stamps.length > 0 ? Math.max(...stamps) : wallNow();
  return {
    okWrites: answered(writes),
    appended: settled.log.size,
    lateAppends: Array.from(settled.log.keys()).filter((seq) => Number.isNaN(writes.answeredAt[seq]!)).length,
    appendRate: stamps.length > 1 ? (stamps.length - 1) / appendSpanS : m.rate,
    sendRate: writes.count > 1 ? (writes.count - 1) / ((writes.lastSent - writes.started) / 1000) : m.rate,
    drainMs: Math.max(0, m.deliveries.lastArrival - lastAppend),
    throughput: delivered / Math.max(0.001, (m.deliveries.lastArrival - writes.sentAt[0]!) / 1000),
  };
};

type Flow = ReturnType<typeof flowFigures>;

const notesOf = (m: TimelineMeasures, l: Latencies, f: Flow): string[] => {
  const { options, writes, cpu, subscribers } = m;
  const { byReference, early, late } = l;
  const frames = subscribers.frames;
  return [
    `the table's latency is receipt - ${LATENCY_REFERENCES[options.latencyFrom]}`,
    `from the append stamp (recordedAt, server wall clock in whole ms, so +0..1 ms): ${line(byReference.append)}; ` +
      `first 10% of writes p50 ${fmt(early.p50)} / p99 ${fmt(early.p99)} ms, last 10% p50 ${fmt(late.p50)} / p99 ${fmt(late.p99)} ms`,
    `from the HTTP response's arrival at the writer: ${line(byReference.response)}; ` +
      `${l.beforeAnswer} of ${byReference.response.count} deliveries (${fmt((100 * l.beforeAnswer) / Math.max(1, byReference.response.count), 1)}%) ` +
      `came BEFORE the writer had its response (the server answers the mutation after fanning the change out)`,
    `from just before sending the mutation (end to end, with any queueing in front of the append): ${line(byReference.send)}`,
    `writes: sent ${writes.count} at ${fmt(f.sendRate, 1)}/s (target ${m.rate}/s), ${f.okWrites} answered, ${f.appended} in the log ` +
      `(${f.lateAppends} of them although their request failed), appended at ${fmt(f.appendRate, 1)}/s; ` +
      `mutation round trip ${line(l.roundTrip)}; send -> append stamp ${line(l.intake)}` +
      (writes.waitedForInFlight > 0
        ? `; the writer waited ${writes.waitedForInFlight}x for ${MAX_IN_FLIGHT} writes in flight`
        : ''),
    `last delivery ${fmt(f.drainMs, 0)} ms after the last append (${fmt(f.throughput, 0)} deliveries/s from the first write ` +
      `to the last delivery, ${fmt(options.subscribers * m.rate, 0)}/s needed); server CPU ${fmt(cpu.serverCores * 100, 0)}% of one core, ` +
      `bench (clients + writer) CPU ${fmt(cpu.benchCores * 100, 0)}%, other processes ${fmt(cpu.otherCores * 100, 0)}% ` +
      `(of ${availableParallelism()} cores), over the measured ${fmt(cpu.elapsedMs / 1000, 1)} s` +
      (cpu.otherCores > NOISY_CORES ? ' -- OTHER LOAD ON THE MACHINE: the figures are noisy' : '') +
      ` (others used ${fmt(m.loadBefore * 100, 0)}% just before the start)`,
    `${subscribers.connected} subscribers connected in ${fmt(m.connectMs / 1000, 1)} s (batches of ${options.batch}), ${m.warmWrites} warm-up writes; ` +
      `server RSS idle before subscribers ${fmt(m.idle.rssMb)} MB` +
      (frames.count > 0 ? `; graphql-ws next frames average ${Math.round(frames.bytes / frames.count)} bytes` : ''),
  ];
};

/** Acknowledged writes the log does not hold. */
const acknowledgedNotLogged = ({ writes, settled }: TimelineMeasures): number => {
  let count = 0;
  for (let seq = 0; seq < writes.count; seq += 1) {
    if (!settled.log.has(seq) && !Number.isNaN(writes.answeredAt[seq]!)) count += 1;
  }
  return count;
};

/** Anything short of every subscriber getting every change exactly once, in log order. */
const problemsOf = (m: TimelineMeasures, result: Check, ghosts: number): string[] => {
  const { deliveries, subscribers } = m;
  const problems: string[] = [];
  if (!m.settled.read) problems.push('the event log could not be read: the acknowledged writes stand in for it');
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
  if (deliveries.unexpected + ghosts > 0) {
    problems.push(`UNEXPECTED: ${deliveries.unexpected + ghosts} deliveries of changes that are not in the log`);
  }
  const notLogged = acknowledgedNotLogged(m);
  if (notLogged > 0) problems.push(`${notLogged} acknowledged writes are not in the log`);
  if (subscribers.errors > 0) {
    problems.push(`${subscribers.errors} subscription errors, e.g. ${subscribers.errorMessages.join(' | ')}`);
  }
  if (subscribers.closedEarly > 0) problems.push(`${subscribers.closedEarly} subscriber sockets closed before the end`);
  if (subscribers.completed > 0) {
    problems.push(`${subscribers.completed} subscriptions completed by the server before the end`);
  }
  return problems;
};

/** Reasons to think the server could not keep up (a lower rate is then tried). */
const overloadOf = (m: TimelineMeasures, l: Latencies, f: Flow): string[] => {
  const { rate, writes, cpu } = m;
  const overload: string[] = [];
  if (cpu.serverCores >= 0.9) {
    overload.push(`server CPU ${fmt(cpu.serverCores * 100, 0)}% of one core (Node runs JS on one)`);
  }
  if (f.appendRate < 0.9 * rate) overload.push(`the server appended only ${fmt(f.appendRate, 1)} writes/s`);
  if (f.okWrites < writes.count) {
    overload.push(
      `${writes.count - f.okWrites} of ${writes.count} write requests failed, e.g. ${writes.errors.join(' | ')}`,
    );
  }
  if (f.drainMs > Math.max(1_000, 5 * (1000 / rate))) {
    overload.push(`deliveries trailed the appends by ${fmt(f.drainMs, 0)} ms`);
  }
  if (l.late.p50 > 3 * Math.max(0, l.early.p50) + 50) {
    overload.push(`latency grew during the run (p50 ${fmt(l.early.p50)} -> ${fmt(l.late.p50)} ms): a backlog built up`);
  }
  if (l.intake.p50 > 1_000) overload.push(`writes waited ${fmt(l.intake.p50, 0)} ms (p50) before their append`);
  return overload;
};

export const timelineFigures = (m: TimelineMeasures): TimelineFigures => {
  // From here on a write's append time is the log's stamp, for the writes whose request failed too.
  for (const [seq, recordedAt] of m.settled.log) m.writes.appendedAt[seq] = recordedAt;
  const l = latencyFigures(m);
  const result = check(m.deliveries, (seq) => m.settled.log.has(seq));
  const f = flowFigures(m, result.delivered);
  return {
    latency: l.byReference[m.options.latencyFrom],
    check: result,
    notes: notesOf(m, l, f),
    problems: problemsOf(m, result, l.ghosts),
    overload: overloadOf(m, l, f),
  };
};
