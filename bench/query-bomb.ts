/**
 * Query bomb bench: how long the real server takes to refuse costly operations (QUERY_TOO_COMPLEX) over HTTP,
 * beside bare graphql-js parsing and validating the same documents, and the server answering a trivial query, in
 * the same run. Goal: a refusal under 50 ms.
 *
 *   npx tsx bench/query-bomb.ts [--requests 200]
 *   npm run bench:bomb
 *
 * The server runs in this process (startTimeline, as `npm start` wires it, rate limits off), on an empty log: a
 * refusal must not depend on the data. Each bomb is sent --requests times, one at a time after 20 warm-up requests,
 * each time with a different comment, so that no cache of validated documents helps; p50 and p99 are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parse, validate } from 'graphql';
import { pino } from 'pino';
import 'reflect-metadata';
import { startTimeline } from '../src/app.js';
import { loadConfig } from '../src/config/environment.js';
import { timelineSchema } from '../src/graphql/schema.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200' } } });
const requests = Number(values.requests);

const nested = (levels: number): string => (levels === 0 ? 'id' : `relations { other { ${nested(levels - 1)} } }`);
const BOMBS: Record<string, string> = {
  'deep nesting (18 levels)': `{ actor(id: "a") { ${nested(8)} } }`,
  'first: 1000000': '{ timeline(first: 1000000) { edges { node { id title participants { actor { id } } } } } }',
  'a thousand aliases': `{ ${Array.from({ length: 1000 }, (_, n) => `a${n}: timeline(first: 500) { totalCount }`).join(' ')} }`,
  'five thousand fields': `{ ${Array.from({ length: 5000 }, () => '__typename').join(' ')} }`,
};
const TRIVIAL = '{ timeline(first: 1) { totalCount } }';

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms`;
};

const dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-bomb-'));
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
try {
  let sent = 0;
  const post = async (query: string) => {
    // A new document every time: Apollo keeps validated documents, and an attacker would not send the same one.
    query = `${query} # ${++sent}`;
    const started = performance.now();
    const response = await fetch(timeline.http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    return { ms: performance.now() - started, code: body.errors?.[0]?.extensions?.code ?? 'ok' };
  };
  const measure = async (query: string, expected: string) => {
    for (let n = 0; n < 20; n++) await post(query);
    const times: number[] = [];
    for (let n = 0; n < requests; n++) {
      const { ms, code } = await post(query);
      if (code !== expected) throw new Error(`expected ${expected}, got ${code}`);
      times.push(ms);
    }
    return times;
  };
  const schema = await timelineSchema();
  const bare = (query: string) => {
    const times: number[] = [];
    for (let n = 0; n < requests + 20; n++) {
      const started = performance.now();
      validate(schema, parse(query));
      if (n >= 20) times.push(performance.now() - started);
    }
    return times;
  };

  const rows = [
    '| operation | refused by the server over HTTP | bare graphql-js parse + validate, same document | goal |',
    '|---|---|---|---|',
  ];
  for (const [name, query] of Object.entries(BOMBS)) {
    const times = await measure(query, 'QUERY_TOO_COMPLEX');
    const p99 = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.99)]!;
    rows.push(
      `| ${name} | ${summary(times)} | ${summary(bare(query))} | p99 < 50 ms: ${p99 < 50 ? 'met' : 'not met'} |`,
    );
  }
  rows.push(`| a trivial query, answered | ${summary(await measure(TRIVIAL, 'ok'))} | ${summary(bare(TRIVIAL))} | – |`);
  process.stdout.write(`query bomb bench: ${requests} requests each, node ${process.version}\n\n${rows.join('\n')}\n`);
} finally {
  await timeline.close();
  rmSync(dataDir, { recursive: true, force: true });
}
