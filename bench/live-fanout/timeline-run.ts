import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { progress, removeTempDir, trackTempDir, voidBench } from '../support/lifecycle.js';
import { waitForQuiet } from '../support/quiet-machine.js';
import { ROOT, SERVER_NODE_FLAGS, startServerChild, type ServerChild } from '../support/server-child.js';
import { waitUntil } from '../support/waiting.js';
import { Deliveries } from './deliveries.js';
import { openInBatches } from './open-in-batches.js';
import { writesAt, type Options } from './options.js';
import { memoryOf, startCpuShares, type TimelineResult } from './results.js';
import { EDITOR_KEY, NOISY_CORES, SERVER_READY_TIMEOUT_MS, WARM_PREFIX } from './settings.js';
import { settleLog } from './settled-log.js';
import { createSubscribers, type Subscribers } from './subscribers.js';
import { timelineFigures } from './timeline-figures.js';
import { record, seedEntities } from './timeline-api.js';
import { answered, writeMeasured } from './writer.js';

/** The timeline run: N graphql-ws subscribers to the real server (built, on plain Node), writes at a steady rate. */

/** The server as `npm start` runs it (or its sources); no rate limit, which would refuse the bench's load. */
const startTimelineServer = async (options: Options, dataDir: string): Promise<ServerChild> => {
  if (options.serverEntry === 'build') {
    progress(`timeline: building, then starting the server (dist/src/main.js), data in ${dataDir}`);
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
  } else {
    progress(`timeline: starting the server (src/main.ts through tsx), data in ${dataDir}`);
  }
  const profile = options.serverCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.serverCpuProf}`] : [];
  return startServerChild({
    name: 'timeline server',
    entry: options.serverEntry,
    nodeFlags: [...SERVER_NODE_FLAGS, ...profile],
    readyTimeoutMs: SERVER_READY_TIMEOUT_MS,
    env: {
      TIMELINE_DATA_DIR: dataDir,
      TIMELINE_SEED: 'false',
      TIMELINE_EDITOR_KEYS: `bench:${EDITOR_KEY}`,
      TIMELINE_READER_KEYS: '',
      TIMELINE_RATE_LIMIT: '0',
      TIMELINE_ANONYMOUS_RATE_LIMIT: '0',
      REDIS_URL: '',
      LOG_LEVEL: 'info',
    },
  });
};

/**
 * No protocol message says a subscription is in place: writes warm-up changes until every connected subscriber
 * has seen one (at least 3, which also warms the server's code paths). How many it wrote.
 */
const warmUp = async (url: string, subscribers: Subscribers): Promise<number> => {
  let warm = 0;
  const deadline = performance.now() + 60_000;
  while ((warm < 3 || subscribers.attached < subscribers.connected) && performance.now() < deadline) {
    await record(url, `${WARM_PREFIX}${warm}`, warm);
    warm += 1;
    await waitUntil(() => subscribers.attached >= subscribers.connected, 2_000);
  }
  return warm;
};

/** Subscribes them all and warms up; a subscriber short of the number asked voids the run. */
const subscribeAll = async (options: Options, server: ServerChild, subscribers: Subscribers) => {
  const asked = options.subscribers;
  progress(`timeline: server pid ${server.pid} at ${server.graphqlUrl}; opening ${asked} graphql-ws subscribers`);
  const connectMs = await openInBatches(asked, options.batch, subscribers.open);
  if (subscribers.connected < asked) {
    await voidBench(
      `only ${subscribers.connected} of ${asked} subscribers connected (${subscribers.closedEarly} closed early` +
        `${subscribers.errors > 0 ? `; ${subscribers.errorMessages.join(' | ')}` : ''})`,
    );
  }
  const warmWrites = await warmUp(server.graphqlUrl, subscribers);
  if (subscribers.attached < subscribers.connected) {
    await voidBench(
      `only ${subscribers.attached} of ${subscribers.connected} connected subscribers got a warm-up change in 60 s` +
        `${subscribers.errors > 0 ? ` (${subscribers.errorMessages.join(' | ')})` : ''}`,
    );
  }
  return { connectMs, warmWrites };
};

const measure = async (options: Options, rate: number, server: ServerChild, loadBefore: number) => {
  const writes = writesAt(options, rate);
  const url = server.graphqlUrl;
  const deliveries = new Deliveries(options.subscribers, writes);
  const subscribers = createSubscribers(url.replace(/^http/, 'ws'), deliveries);
  try {
    await seedEntities(url);
    const idle = memoryOf(server.pid);
    const { connectMs, warmWrites } = await subscribeAll(options, server, subscribers);
    const connected = memoryOf(server.pid);
    progress(
      `timeline: ${subscribers.attached} subscribers live after ${warmWrites} warm-up writes; writing ${writes} at ${rate}/s`,
    );
    const cpuShares = startCpuShares(server.pid);
    const written = await writeMeasured(url, writes, rate);
    progress(`timeline: writes done (${answered(written)} of ${writes} answered); waiting for the deliveries`);
    const settled = await settleLog(url, written, deliveries, subscribers.connected);
    const cpu = cpuShares();
    const end = memoryOf(server.pid);
    const figures = timelineFigures({
      options,
      rate,
      writes: written,
      settled,
      deliveries,
      subscribers,
      cpu,
      idle,
      loadBefore,
      connectMs,
      warmWrites,
    });
    const frames = subscribers.frames;
    return {
      label: 'timeline (graphql-ws)',
      ...figures,
      server: { idle, connected, end, cpuCores: cpu.serverCores },
      benchCpuCores: cpu.benchCores,
      connected: subscribers.connected,
      connectMs,
      noisy: cpu.otherCores > NOISY_CORES,
      sample: frames.sample && { message: frames.sample, bytes: Math.round(frames.bytes / frames.count) },
    };
  } finally {
    await subscribers.dispose();
  }
};

export const runTimeline = async (options: Options, rate: number): Promise<TimelineResult> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-bench-'));
  trackTempDir(dataDir);
  const loadBefore = await waitForQuiet(options.quietWaitS, 'timeline');
  const server = await startTimelineServer(options, dataDir);
  try {
    return await measure(options, rate, server, loadBefore);
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
};
