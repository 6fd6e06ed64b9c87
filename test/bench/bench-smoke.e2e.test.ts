import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every bench run once at a tiny size, as its script runs it (`npm run bench:*` is `tsx bench/<file>.ts`), so that
 * none rots unnoticed: a bench that errs, gets a wrong answer or a refusal (429), or has fewer subscribers than
 * asked says "bench void: <what>" and exits non-zero, and that fails here. The figures at these sizes mean nothing.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SMOKE_TIMEOUT_MS = 180_000;
const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-smoke-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface BenchRun {
  readonly code: number | null;
  readonly output: string;
  readonly stdout: string;
}

const runBench = (file: string, args: readonly string[]): Promise<BenchRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${file}`, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output, stdout }));
  });

/** Passes only for a run that exited 0, declared nothing void, and printed `marker` among its figures. */
const expectSound = (run: BenchRun, marker: string): void => {
  const failure = run.code !== 0 || /^bench void:/m.test(run.output);
  expect(failure ? `exit ${run.code}:\n${run.output.slice(-6_000)}` : 'sound').toBe('sound');
  expect(run.stdout).toContain(marker);
};

describe('every bench at a tiny size (a smoke run)', () => {
  it(
    'history-generator writes a small history through the command handlers',
    async () => {
      const run = await runBench('history-generator.ts', [
        ...['--developments', '200', '--seed', '3', '--actors', '40', '--topics', '12', '--meetings', '10'],
        ...['--data-dir', path.join(dataDir, 'history')],
      ]);
      // The generator has no figures for stdout: it tells what it wrote on stderr.
      expectSound({ ...run, stdout: run.output }, 'history: done in');
    },
    SMOKE_TIMEOUT_MS,
  );

  it(
    'gdelt-import imports the GDELT fixture once and once more',
    async () =>
      expectSound(await runBench('gdelt-import.ts', ['--copies', '1']), '| import, 1 copies (steady state) |'),
    SMOKE_TIMEOUT_MS,
  );

  it(
    'query-bomb has every bomb refused and the trivial query answered',
    async () =>
      expectSound(
        await runBench('query-bomb.ts', ['--requests', '3', '--warm-up', '1']),
        '| a trivial query, answered |',
      ),
    SMOKE_TIMEOUT_MS,
  );

  it(
    'graphql-throughput gets the same answers from the server and bare graphql-js, and every refusal',
    async () => {
      expectSound(
        await runBench('graphql-throughput.ts', [
          '--connections',
          '2',
          '--seconds',
          '1',
          '--rounds',
          '1',
          '--variants',
        ]),
        'server, Apollo and graphql-js for every request',
      );
    },
    SMOKE_TIMEOUT_MS,
  );

  it(
    'graphql-profile profiles the server and bare graphql-js under the same query',
    async () => {
      expectSound(
        await runBench('graphql-profile.ts', ['--query', 'asof', '--connections', '2', '--seconds', '1']),
        '| **all but idle** ',
      );
    },
    SMOKE_TIMEOUT_MS,
  );

  it(
    'read-side answers as the reference fold does, on SQLite and on Redis',
    async () =>
      expectSound(
        await runBench('read-side.ts', ['--sizes', '300', '--queries', '5', '--timeout-minutes', '3']),
        'answers checked: 15 against the reference fold',
      ),
    SMOKE_TIMEOUT_MS,
  );

  it(
    'live-fanout delivers every change to every subscriber, and the bare baseline every message',
    async () =>
      expectSound(
        await runBench('live-fanout.ts', [
          ...['--subscribers', '5', '--rate', '5', '--seconds', '1', '--batch', '5'],
          ...['--quiet-wait', '0', '--fallback-rate', '0', '--server-entry', 'sources'],
        ]),
        'timeline deliveries: every subscriber got every change exactly once',
      ),
    SMOKE_TIMEOUT_MS,
  );
});
