/**
 * Where the server's CPU goes under one query (issue #18): the server (dist/src/main.js, every guard on, rate limits
 * raised) and the bare graphql-js baseline (bench/bare-graphql-server.ts) each run under V8's sampling profiler
 * (node --cpu-prof) while autocannon loads them with the same query, one after the other; the samples of the load
 * alone are charged to the code that spent them (bench/graphql-profile/categories.ts), in microseconds per request.
 *
 *   node scripts/build.mjs && npx tsx bench/graphql-profile.ts [--query actor] [--connections 10] [--seconds 20]
 *   npm run bench:profile
 *
 * --keep-profiles <dir> keeps the two .cpuprofile files (server/, bare/) for Chrome DevTools or speedscope; they are
 * otherwise removed with the bench's temp dir.
 * --query is one of: typename, actor, timeline, asof (the four queries of bench/graphql-throughput.ts). Every answer
 * of a load must be the one checked equal between the two before it, byte for byte; anything else voids the run.
 * The profiler costs CPU of its own (a sample every 250 µs): the figures are for comparing parts, not for req/s.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { askOnce, loadOnce, type Load, type Target } from './graphql-throughput/load.js';
import { QUERIES } from './graphql-throughput/requests.js';
import { startServers } from './graphql-throughput/servers.js';
import { readProfile, summarize, type ProfileSummary, type Window } from './graphql-profile/summarize.js';
import { BenchVoid, installLifecycle, progress, runBench, shutdown, trackTempDir } from './support/lifecycle.js';
import { integerOption, optionsOrExit, parseBenchArgs } from './support/options.js';
import { decimal, int, markdownTable } from './support/stats.js';

const USAGE =
  'usage: npx tsx bench/graphql-profile.ts [--query typename|actor|timeline|asof] [--connections 10] [--seconds 20]' +
  ' [--keep-profiles <dir>]';
const QUERY_NAMES = ['typename', 'actor', 'timeline', 'asof'] as const;
const SAMPLE_MICROS = 250;

const readOptions = () => {
  const values = parseBenchArgs(
    {
      query: { type: 'string' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      'keep-profiles': { type: 'string' },
    },
    USAGE,
  );
  const index = QUERY_NAMES.indexOf((values.query ?? 'actor') as (typeof QUERY_NAMES)[number]);
  if (index < 0) throw new Error(`--query must be one of ${QUERY_NAMES.join(', ')}, got ${values.query}`);
  return {
    query: QUERIES[index]!,
    connections: integerOption(values.connections, 'connections', 10, 1, 1_000),
    seconds: integerOption(values.seconds, 'seconds', 20, 1, 600),
    keepProfiles: values['keep-profiles'],
  };
};

const profiled = async (target: Target, body: string, text: string, load: Load, what: string): Promise<Window> => {
  await loadOnce(target, { body, expect: { text } }, { ...load, seconds: 1 }, `${what} (warm-up)`);
  const fromNs = process.hrtime.bigint();
  const figures = await loadOnce(target, { body, expect: { text } }, load, what);
  return { fromNs, toNs: process.hrtime.bigint(), requests: Math.round(figures.requestsPerSecond * load.seconds) };
};

const table = (server: ProfileSummary, bare: ProfileSummary): string => {
  const categories = [...new Set([...server.rows, ...bare.rows].map((row) => row.category))];
  const of = (summary: ProfileSummary, category: string) =>
    summary.rows.find((row) => row.category === category)?.microsPerRequest ?? 0;
  const rows = categories
    .map((category) => ({ category, ours: of(server, category), theirs: of(bare, category) }))
    .sort((a, b) => b.ours - a.ours);
  return markdownTable(
    ['where (self time)', 'server µs/req', 'bare µs/req'],
    [
      ...rows.map(({ category, ours, theirs }) => [category, decimal(ours, 1), decimal(theirs, 1)]),
      ['**all but idle**', decimal(server.busyMicrosPerRequest, 1), decimal(bare.busyMicrosPerRequest, 1)],
      ['samples in the load', int(server.samples), int(bare.samples)],
    ],
  );
};

const main = async () => {
  const options = optionsOrExit(readOptions, USAGE);
  const load: Load = { connections: options.connections, seconds: options.seconds };
  installLifecycle({ ms: (10 + Math.ceil((options.seconds * 2) / 60)) * 60_000, why: 'from --seconds' });
  const dirs = options.keepProfiles ?? mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
  if (!options.keepProfiles) trackTempDir(dirs);
  const flags = (name: string) => [
    '--cpu-prof',
    `--cpu-prof-dir=${path.join(dirs, name)}`,
    `--cpu-prof-interval=${SAMPLE_MICROS}`,
  ];
  const { server, bare } = await startServers({ server: flags('server'), bare: flags('bare') });
  const [ours, theirs] = [await askOnce(server, options.query.body), await askOnce(bare, options.query.body)];
  if (ours.status !== 200 || JSON.stringify(JSON.parse(ours.text)) !== JSON.stringify(JSON.parse(theirs.text))) {
    throw new BenchVoid(
      `${options.query.name}: other answers: ${ours.text.slice(0, 300)} / ${theirs.text.slice(0, 300)}`,
    );
  }
  progress(`profiling the server under "${options.query.name}"`);
  const serverWindow = await profiled(server, options.query.body, ours.text, load, 'server');
  progress(`profiling bare graphql-js under "${options.query.name}"`);
  const bareWindow = await profiled(bare, options.query.body, theirs.text, load, 'bare graphql-js');
  // The profiles are written as the processes exit.
  await server.stop();
  await bare.stop();
  const summaries = [
    summarize(readProfile(path.join(dirs, 'server')), serverWindow),
    summarize(readProfile(path.join(dirs, 'bare')), bareWindow),
  ] as const;
  if (summaries.some((summary) => summary.samples === 0)) {
    throw new BenchVoid('no sample of a profile falls in its load: the clocks of the profile and the bench differ');
  }
  process.stdout.write(
    `graphql profile bench: "${options.query.name}", ${load.connections} connections, ${load.seconds} s, ` +
      `a sample every ${SAMPLE_MICROS} µs, node ${process.version}\n` +
      `server ${int(serverWindow.requests / load.seconds)} req/s, bare ${int(bareWindow.requests / load.seconds)} ` +
      `req/s under the profiler\n\n${table(...summaries)}\n`,
  );
  await shutdown(0);
};

runBench(main);
