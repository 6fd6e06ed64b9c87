/**
 * GraphQL throughput bench (issue #18): the server (dist/src/main.js, every guard on, rate limits raised) beside bare
 * graphql-js with a document cache on the same schema, resolvers and seeded data (bench/bare-graphql-server.ts), in
 * one run, on the four queries of #18; and one refused request per guard (a query bomb, a wrong key) on the server.
 *
 *   node scripts/build.mjs && npx tsx bench/graphql-throughput.ts [--connections 10] [--seconds 15] [--rounds 3]
 *   npm run bench:graphql
 *
 * Every answer is checked equal between the two before any load, and every answer of a load must be that one byte for
 * byte (a refusal: its status): anything else voids the run ("bench void: <what>", exit code 1). Each round starts
 * fresh processes on copies of one seeded data dir and loads each (process, request) with autocannon for --seconds at
 * --connections, the processes' order rotated per round, after one untimed second each; the tables give the medians
 * of the rounds: req/s, p99 latency, and the serving process's CPU per request (/proc/<pid>/stat over the load).
 *
 * --variants adds the server with its choices undone, each in a process of its own on a copy of the same data:
 * Apollo answering every request (no known queries' lane), and that with every query interpreted by graphql-js (no
 * compiled queries): a table of what each choice is worth, in the same run.
 */
import { askOnce, loadOnce, type Figures, type Load, type Target } from './graphql-throughput/load.js';
import { medianFigures, queryTable, refusalTable, variantTable } from './graphql-throughput/report.js';
import { QUERIES, REFUSALS } from './graphql-throughput/requests.js';
import { seedDataDir, startProcesses, type Servers } from './graphql-throughput/servers.js';
import { BenchVoid, installLifecycle, progress, runBench, shutdown } from './support/lifecycle.js';
import { integerOption, optionsOrExit, parseBenchArgs } from './support/options.js';

const USAGE = 'usage: npx tsx bench/graphql-throughput.ts [--connections 10] [--seconds 15] [--rounds 3] [--variants]';

const readOptions = () => {
  const values = parseBenchArgs(
    {
      connections: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      variants: { type: 'boolean' },
    },
    USAGE,
  );
  return {
    connections: integerOption(values.connections, 'connections', 10, 1, 1_000),
    seconds: integerOption(values.seconds, 'seconds', 15, 1, 600),
    rounds: integerOption(values.rounds, 'rounds', 3, 1, 100),
    variants: values.variants ?? false,
  };
};

/** The one answer all give to each query, checked equal to bare's: the text each must then repeat under load. */
const checkAnswers = async (servers: readonly Target[], bare: Target): Promise<Map<Target, string[]>> => {
  const texts = new Map<Target, string[]>([...servers, bare].map((target) => [target, []]));
  for (const query of QUERIES) {
    const theirs = await askOnce(bare, query.body);
    for (const server of servers) {
      const ours = await askOnce(server, query.body);
      const parsed = [ours, theirs].map(({ text }) => JSON.parse(text) as { data?: unknown; errors?: unknown });
      if (ours.status !== 200 || theirs.status !== 200 || parsed.some((body) => body.errors || !body.data)) {
        throw new BenchVoid(
          `${query.name}: not answered by ${server.name} and bare: ${ours.text.slice(0, 300)} / ` +
            theirs.text.slice(0, 300),
        );
      }
      if (JSON.stringify(parsed[0]) !== JSON.stringify(parsed[1])) {
        throw new BenchVoid(
          `${query.name}: ${server.name} answers otherwise: ${ours.text.slice(0, 300)} / ${theirs.text.slice(0, 300)}`,
        );
      }
      texts.get(server)!.push(ours.text);
    }
    texts.get(bare)!.push(theirs.text);
  }
  const server = servers[0]!;
  for (const refusal of REFUSALS) {
    const { status, text } = await askOnce(server, refusal.body, refusal.headers);
    if (status !== refusal.status || !text.includes(`"${refusal.code}"`)) {
      throw new BenchVoid(`${refusal.name}: got HTTP ${status} ${text.slice(0, 300)}`);
    }
  }
  return texts;
};

/** Every process of a round, as one target each: the server, its variants, then the baseline. */
const targetsOf = ({ server, variants, bare }: Servers): Target[] => [server, ...variants, bare];

/** Warms each process up with each query, untimed, after checking every answer. */
const prepareRound = async (servers: Servers, load: Load): Promise<Map<Target, string[]>> => {
  const texts = await checkAnswers([servers.server, ...servers.variants], servers.bare);
  progress('answers checked equal; warming up');
  for (const target of targetsOf(servers)) {
    for (const [index, query] of QUERIES.entries()) {
      const sent = { body: query.body, expect: { text: texts.get(target)![index]! } };
      await loadOnce(target, sent, { ...load, seconds: 1 }, query.name);
    }
  }
  return texts;
};

const main = async () => {
  const options = optionsOrExit(readOptions, USAGE);
  const load: Load = { connections: options.connections, seconds: options.seconds };
  const processes = options.variants ? 4 : 2;
  const minutes = 10 + Math.ceil((options.rounds * processes * (options.seconds + 2) * 6) / 60) * 2;
  installLifecycle({ ms: minutes * 60_000, why: `${minutes} minutes (from --rounds and --seconds)` });
  const seeded = await seedDataDir();
  // Figures by role (0: the server, then each variant, last: the baseline), over the rounds' fresh processes.
  const queryRounds = QUERIES.map(() => Array.from({ length: processes }, (): Figures[] => []));
  const refusalRounds = REFUSALS.map((): Figures[] => []);
  let names: string[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Fresh processes every round: one process can run the same code at up to twice the CPU of another (seen in
    // profiles of both the server and the baseline), so a median over processes measures the code, not one's luck.
    const servers = await startProcesses(seeded, {}, options.variants);
    const targets = targetsOf(servers);
    names = targets.map((target) => target.name);
    const texts = await prepareRound(servers, load);
    // Each round starts with the next process: none is always measured first (or last).
    const order = targets.map((_, index) => (index + round) % targets.length);
    for (const [index, query] of QUERIES.entries()) {
      for (const role of order) {
        const target = targets[role]!;
        progress(`round ${round + 1}/${options.rounds}: ${target.name}, ${query.name}`);
        const sent = { body: query.body, expect: { text: texts.get(target)![index]! } };
        queryRounds[index]![role]!.push(await loadOnce(target, sent, load, query.name));
      }
    }
    for (const [index, refusal] of REFUSALS.entries()) {
      progress(`round ${round + 1}/${options.rounds}: server, ${refusal.name}`);
      const sent = { body: refusal.body, headers: refusal.headers, expect: { status: refusal.status } };
      refusalRounds[index]!.push(await loadOnce(servers.server, sent, load, refusal.name));
    }
    await servers.stop();
  }
  const bareRole = processes - 1;
  const results = QUERIES.map((query, index) => ({
    query,
    server: medianFigures(queryRounds[index]![0]!),
    bare: medianFigures(queryRounds[index]![bareRole]!),
  }));
  const refusals = REFUSALS.map((refusal, index) => ({ refusal, server: medianFigures(refusalRounds[index]!) }));
  const variantResults = QUERIES.map((query, index) => ({
    query,
    servers: names
      .slice(0, bareRole)
      .map((name, role) => ({ name, figures: medianFigures(queryRounds[index]![role]!) })),
    bare: medianFigures(queryRounds[index]![bareRole]!),
  }));
  process.stdout.write(
    `graphql throughput bench: ${load.connections} connections, ${load.seconds} s per load, ` +
      `${options.rounds} rounds of fresh processes (medians), node ${process.version}\n\n` +
      `${queryTable(results)}\n\n${refusalTable(refusals)}\n` +
      (options.variants ? `\n${variantTable(variantResults)}\n` : ''),
  );
  await shutdown(0);
};

runBench(main);
