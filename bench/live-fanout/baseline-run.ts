import { progress, voidBench } from '../support/lifecycle.js';
import { waitForQuiet } from '../support/quiet-machine.js';
import { startServerChild, type ServerChild } from '../support/server-child.js';
import { decimal as fmt, summarize } from '../support/stats.js';
import { sleep, waitUntil } from '../support/waiting.js';
import { createBareClients, type BareClients } from './bare-clients.js';
import { bareBroadcast, bareStats, templateFor, typicalBytes } from './bare-messages.js';
import { check, drain, latencies, Deliveries, type Check } from './deliveries.js';
import { openInBatches } from './open-in-batches.js';
import { writesAt, type Options } from './options.js';
import { memoryOf, startCpuShares, type CpuShares, type Memory, type RunResult, type Sample } from './results.js';
import { MEASURED_PREFIX, NOISY_CORES, SERVER_READY_TIMEOUT_MS, WARM_PREFIX, wallNow } from './settings.js';

/**
 * The baseline run: the same N plain `ws` clients on a bare WebSocketServer (bench/bare-ws-server.ts) that
 * broadcasts the same number of messages at the same rate, each shaped like the timeline's `next` message.
 */

/** Opens the clients and checks the server sees them all; a client short of the number asked voids the run. */
const openAll = async (options: Options, server: ServerChild, clients: BareClients): Promise<number> => {
  const asked = options.subscribers;
  progress(`baseline: server pid ${server.pid} at ${server.baseUrl}; opening ${asked} ws clients`);
  const connectMs = await openInBatches(asked, options.batch, clients.open);
  let onServer = 0;
  for (let tries = 0; tries < 50 && onServer < clients.opened; tries += 1) {
    onServer = (await bareStats(server.baseUrl)).clients;
    if (onServer < clients.opened) await sleep(100);
  }
  if (clients.opened < asked || onServer < clients.opened) {
    await voidBench(`baseline: only ${clients.opened} of ${asked} clients opened (${onServer} on the server)`);
  }
  return connectMs;
};

/** Broadcasts and waits for the server to have sent them all; the seconds the broadcasts took. */
const broadcastMeasured = async (base: string, template: string, writes: number, rate: number) => {
  const startedWall = wallNow();
  await bareBroadcast(base, { template, prefix: MEASURED_PREFIX, count: writes, rate });
  let stats = await bareStats(base);
  const deadline = performance.now() + (writes / rate + 60) * 1000;
  while ((stats.broadcasting || stats.sent < writes) && performance.now() < deadline) {
    await sleep(200);
    stats = await bareStats(base);
  }
  return { startedWall, lastBroadcast: wallNow(), sent: stats.sent };
};

interface BaselineMeasures {
  readonly rate: number;
  readonly writes: number;
  readonly template: string;
  readonly connectMs: number;
  readonly loadBefore: number;
  readonly idle: Memory;
  readonly cpu: CpuShares;
  readonly broadcast: Awaited<ReturnType<typeof broadcastMeasured>>;
  readonly deliveries: Deliveries;
  readonly clients: BareClients;
}

const notesOf = (m: BaselineMeasures, result: Check): string[] => {
  const { cpu, broadcast, deliveries } = m;
  const broadcastS = (broadcast.lastBroadcast - broadcast.startedWall) / 1000;
  const drainMs = Math.max(0, deliveries.lastArrival - broadcast.lastBroadcast);
  const throughput = result.delivered / Math.max(0.001, (deliveries.lastArrival - broadcast.startedWall) / 1000);
  return [
    `latency is measured from the server's send stamp (taken once per broadcast, before the loop over clients) to receipt`,
    `${m.clients.opened} clients connected in ${fmt(m.connectMs / 1000, 1)} s; messages ${typicalBytes(m.template, MEASURED_PREFIX, m.writes)} bytes ` +
      `(graphql-ws next shape, same size as the timeline's); server CPU ${fmt(cpu.serverCores * 100, 0)}% of one core, ` +
      `bench CPU ${fmt(cpu.benchCores * 100, 0)}%, other processes ${fmt(cpu.otherCores * 100, 0)}%` +
      (cpu.otherCores > NOISY_CORES ? ' (OTHER LOAD ON THE MACHINE: noisy)' : '') +
      ` (${fmt(m.loadBefore * 100, 0)}% just before the start)` +
      `; last delivery ${fmt(drainMs, 0)} ms after the broadcasts ended (poll granularity 200 ms; ` +
      `${fmt(throughput, 0)} deliveries/s); the broadcasts took ${fmt(broadcastS, 1)} s for ${fmt(m.writes / m.rate, 1)} s ` +
      `of schedule; server RSS idle ${fmt(m.idle.rssMb)} MB`,
  ];
};

const problemsOf = (m: BaselineMeasures, result: Check): string[] => {
  const { deliveries, clients } = m;
  const problems: string[] = [];
  if (m.broadcast.sent < m.writes)
    problems.push(`the bare server sent only ${m.broadcast.sent} of ${m.writes} broadcasts`);
  if (result.missing > 0) problems.push(`missing: ${result.missing} of ${result.expected} deliveries`);
  if (result.duplicates > 0) problems.push(`duplicates: ${result.duplicates}`);
  if (deliveries.outOfOrder > 0) problems.push(`out of order: ${deliveries.outOfOrder}`);
  if (clients.malformed > 0 || deliveries.unexpected > 0) {
    problems.push(`${clients.malformed + deliveries.unexpected} malformed or unexpected messages`);
  }
  if (clients.closedEarly > 0) problems.push(`${clients.closedEarly} sockets closed before the end`);
  return problems;
};

const overloadOf = (m: BaselineMeasures): string[] => {
  const overload: string[] = [];
  const broadcastS = (m.broadcast.lastBroadcast - m.broadcast.startedWall) / 1000;
  const expectedSeconds = m.writes / m.rate;
  if (m.cpu.serverCores >= 0.9) overload.push(`server CPU ${fmt(m.cpu.serverCores * 100, 0)}% of one core`);
  if (broadcastS > 1.1 * expectedSeconds + 0.5) {
    overload.push(
      `the broadcasts fell behind their schedule (${fmt(broadcastS, 1)} s for ${fmt(expectedSeconds, 1)} s)`,
    );
  }
  return overload;
};

const measure = async (options: Options, rate: number, sample: Sample | null, server: ServerChild) => {
  const writes = writesAt(options, rate);
  const idle = memoryOf(server.pid);
  const deliveries = new Deliveries(options.subscribers, writes);
  const clients = createBareClients(`${server.baseUrl.replace(/^http/, 'ws')}/ws`, deliveries);
  try {
    const connectMs = await openAll(options, server, clients);
    const template = templateFor(sample, MEASURED_PREFIX, writes);
    // A few warm-up broadcasts, as the timeline had.
    await bareBroadcast(server.baseUrl, { template, prefix: WARM_PREFIX, count: 3, rate: 10 });
    await waitUntil(() => clients.warmCount >= clients.opened, 10_000);
    await sleep(300);
    const connected = memoryOf(server.pid);
    progress(`baseline: ${clients.opened} clients open; broadcasting ${writes} at ${rate}/s`);
    const cpuShares = startCpuShares(server.pid);
    const broadcast = await broadcastMeasured(server.baseUrl, template, writes, rate);
    await drain(deliveries, clients.opened * writes);
    const cpu = cpuShares();
    const end = memoryOf(server.pid);
    return { rate, writes, template, connectMs, idle, connected, end, cpu, broadcast, deliveries, clients };
  } finally {
    clients.terminate();
  }
};

export const runBaseline = async (options: Options, rate: number, sample: Sample | null): Promise<RunResult> => {
  const loadBefore = await waitForQuiet(options.quietWaitS, 'baseline');
  progress('baseline: starting bench/bare-ws-server.ts');
  const server = await startServerChild({
    name: 'bare ws server',
    entry: 'sources',
    args: ['--import', 'tsx', 'bench/bare-ws-server.ts'],
    env: {},
    readyTimeoutMs: SERVER_READY_TIMEOUT_MS,
    stdinPipe: true,
  });
  try {
    const measured = { ...(await measure(options, rate, sample, server)), loadBefore };
    const result = check(measured.deliveries, () => true);
    return {
      label: 'bare ws baseline',
      latency: summarize(latencies(measured.deliveries, () => 0)),
      check: result,
      server: {
        idle: measured.idle,
        connected: measured.connected,
        end: measured.end,
        cpuCores: measured.cpu.serverCores,
      },
      benchCpuCores: measured.cpu.benchCores,
      connected: measured.clients.opened,
      connectMs: measured.connectMs,
      notes: notesOf(measured, result),
      problems: problemsOf(measured, result),
      overload: overloadOf(measured),
      noisy: measured.cpu.otherCores > NOISY_CORES,
    };
  } finally {
    await server.stop();
  }
};
