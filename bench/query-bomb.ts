/**
 * Query bomb bench: how long the real server takes to refuse costly operations (QUERY_TOO_COMPLEX) over HTTP,
 * beside bare graphql-js parsing and validating the same documents, and the server answering a trivial query, in
 * the same run. Goal: a refusal under 50 ms.
 *
 *   npx tsx bench/query-bomb.ts [--requests 200] [--warm-up 20]
 *   npm run bench:bomb
 *
 * The server runs in this process (startTimeline, as `npm start` wires it, rate limits off), on an empty log: a
 * refusal must not depend on the data. Each bomb is sent --requests times, one at a time after --warm-up requests (20),
 * each time with a different comment, so that no cache of validated documents helps; p50 and p99 (nearest rank,
 * as every bench) are printed. Any answer but the one expected (a bomb's 400 QUERY_TOO_COMPLEX, the trivial query's
 * 200 with data) voids the run: "bench void: <what>", exit code 1.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, validate } from 'graphql';
import { pino } from 'pino';
import 'reflect-metadata';
import { startTimeline } from '../src/app.js';
import { loadConfig } from '../src/config/environment.js';
import { timelineSchema } from '../src/graphql/schema.js';
import { BenchVoid, installLifecycle, onCleanup, runBench, shutdown, trackTempDir } from './support/lifecycle.js';
import { integerOption, optionsOrExit, parseBenchArgs } from './support/options.js';
import { decimal, summarize } from './support/stats.js';

const USAGE = 'usage: npx tsx bench/query-bomb.ts [--requests 200] [--warm-up 20]';
const WATCHDOG_MINUTES = 30;

const nested = (levels: number): string => (levels === 0 ? 'id' : `relations { other { ${nested(levels - 1)} } }`);
const BOMBS: Record<string, string> = {
  'deep nesting (18 levels)': `{ actor(id: "a") { ${nested(8)} } }`,
  'first: 1000000': '{ timeline(first: 1000000) { edges { node { id title participants { actor { id } } } } } }',
  'a thousand aliases': `{ ${Array.from({ length: 1000 }, (_, n) => `a${n}: timeline(first: 500) { totalCount }`).join(' ')} }`,
  'five thousand fields': `{ ${Array.from({ length: 5000 }, () => '__typename').join(' ')} }`,
};
const TRIVIAL = '{ timeline(first: 1) { totalCount } }';
/** What each kind of operation must get: a refusal before execution, or an answer. */
const REFUSED = { status: 400, code: 'QUERY_TOO_COMPLEX' };
const ANSWERED = { status: 200, code: 'ok' };

const readOptions = () => {
  const values = parseBenchArgs(
    {
      requests: { type: 'string' },
      'warm-up': { type: 'string' },
    },
    USAGE,
  );
  return {
    requests: integerOption(values.requests, 'requests', 200, 1, 1_000_000),
    warmUp: integerOption(values['warm-up'], 'warm-up', 20, 0, 1_000_000),
  };
};

const summary = (times: readonly number[]) => {
  const { p50, p99 } = summarize(times);
  return `p50 ${decimal(p50, 2)} ms, p99 ${decimal(p99, 2)} ms`;
};

const startServer = async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-bomb-'));
  trackTempDir(dataDir);
  const timeline = await startTimeline(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      TIMELINE_DATA_DIR: dataDir,
      TIMELINE_SEED: 'false',
      TIMELINE_EDITOR_KEYS: 'bench:bench-editor-key-0123456789',
      TIMELINE_RATE_LIMIT: '0',
      TIMELINE_ANONYMOUS_RATE_LIMIT: '0',
    }),
    pino({ level: 'silent' }),
  );
  onCleanup('stop the timeline', () => timeline.close());
  return timeline.http.url;
};

/** Sends a document, a new one every time: Apollo keeps validated documents, and an attacker would not resend one. */
const poster = (url: string) => {
  let sent = 0;
  return async (query: string, expected: typeof REFUSED) => {
    const document = `${query} # ${++sent}`;
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: document }),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not JSON: no code, reported below.
    }
    const code = body.errors?.[0]?.extensions?.code ?? (body.data ? 'ok' : 'no data');
    if (response.status !== expected.status || code !== expected.code) {
      throw new BenchVoid(
        `expected HTTP ${expected.status} ${expected.code}, got HTTP ${response.status} ${code}: ${text.slice(0, 300)}`,
      );
    }
    return ms;
  };
};

const main = async () => {
  const { requests, warmUp } = optionsOrExit(readOptions, USAGE);
  installLifecycle({ ms: WATCHDOG_MINUTES * 60_000, why: `${WATCHDOG_MINUTES} minutes` });
  const post = poster(await startServer());
  const measure = async (query: string, expected: typeof REFUSED) => {
    for (let n = 0; n < warmUp; n++) await post(query, expected);
    const times: number[] = [];
    for (let n = 0; n < requests; n++) times.push(await post(query, expected));
    return times;
  };
  const schema = await timelineSchema();
  const bare = (query: string) => {
    const times: number[] = [];
    for (let n = 0; n < requests + warmUp; n++) {
      const started = performance.now();
      validate(schema, parse(query));
      if (n >= warmUp) times.push(performance.now() - started);
    }
    return times;
  };

  const rows = [
    '| operation | refused by the server over HTTP | bare graphql-js parse + validate, same document | goal |',
    '|---|---|---|---|',
  ];
  for (const [name, query] of Object.entries(BOMBS)) {
    const times = await measure(query, REFUSED);
    const met = summarize(times).p99 < 50 ? 'met' : 'not met';
    rows.push(`| ${name} | ${summary(times)} | ${summary(bare(query))} | p99 < 50 ms: ${met} |`);
  }
  rows.push(
    `| a trivial query, answered | ${summary(await measure(TRIVIAL, ANSWERED))} | ${summary(bare(TRIVIAL))} | – |`,
  );
  process.stdout.write(`query bomb bench: ${requests} requests each, node ${process.version}\n\n${rows.join('\n')}\n`);
  await shutdown(0);
};

runBench(main);
