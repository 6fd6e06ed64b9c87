import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { startTimeline, type RunningTimeline } from '../../src/app.js';
import { loadConfig } from '../../src/config/environment.js';
import { graphql } from '../support/graphql-client.js';
import { EDITOR_KEY } from '../support/in-process-server.js';
import { developmentInput, mutate, readLog, type LogEntry } from '../support/live-fixtures.js';

/** What the fault tests share: the data directory's file, hashes, a server started in this process, its answers. */

export const LOG_FILE = 'timeline.db';

/** How the servers of these tests run: no seed, one editor key (the tests' own), nothing made in the directory. */
export const SERVER_ENV = { TIMELINE_SEED: 'false', TIMELINE_EDITOR_KEYS: `faults:${EDITOR_KEY}` } as const;

export const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

export const tempDir = (prefix: string): string => mkdtempSync(path.join(tmpdir(), `timeline-faults-${prefix}-`));

export const removeDir = (dir: string | undefined): void => {
  if (dir) rmSync(dir, { recursive: true, force: true });
};

/** The whole server in this process on `dataDir`, configured as the spawned ones are (plus `env`). */
export const startTimelineOn = (dataDir: string, env: Record<string, string> = {}): Promise<RunningTimeline> =>
  startTimeline(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', TIMELINE_DATA_DIR: dataDir, ...SERVER_ENV, ...env }),
    pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  );

const RECORD_DEVELOPMENT =
  'mutation($input: RecordDevelopmentInput!) { recordDevelopment(input: $input) { id revision } }';

/** A development of the fault tests: two actors and a topic every test registers first, a summary of some size. */
export const faultDevelopment = (id: string, summaryLength = 200, day = 1): Record<string, unknown> =>
  developmentInput(id, {
    actors: ['fault-actor-a', 'fault-actor-b'],
    topics: ['fault-topic'],
    title: `Fault test development ${id}`,
    summary: `${id} `
      .repeat(Math.ceil(summaryLength / (id.length + 1)))
      .slice(0, summaryLength)
      .trim(),
    occurredAt: new Date(Date.UTC(2025, 0, 1 + (day % 300), 12)).toISOString(),
  });

export const FAULT_ACTORS = ['fault-actor-a', 'fault-actor-b'] as const;
export const FAULT_TOPIC = 'fault-topic';

/** Sends a recordDevelopment as the editor: the raw answer, errors and all. */
export const sendDevelopment = (url: string, input: Record<string, unknown>) =>
  graphql<{ recordDevelopment: { id: string; revision: number } }>(url, RECORD_DEVELOPMENT, { input }, EDITOR_KEY);

const DEVELOPMENT_FIELDS =
  'id kind title summary occurredAt precision recordedAt status revision participants { actor { id } role } ' +
  'topics { id } sources { publisher }';

export interface DevelopmentNode {
  readonly id: string;
  readonly title: string;
  readonly summary: string | null;
  readonly occurredAt: string;
  readonly revision: number;
  readonly [field: string]: unknown;
}

export const developmentById = async (url: string, id: string): Promise<DevelopmentNode | null> =>
  (
    await mutate<{ development: DevelopmentNode | null }>(
      url,
      `query($id: ID!) { development(id: $id) { ${DEVELOPMENT_FIELDS} } }`,
      { id },
    )
  ).development;

interface Page<T> {
  readonly edges: { node: T }[];
  readonly pageInfo: { endCursor: string | null; hasNextPage: boolean };
  readonly totalCount: number;
}

const allPages = async <T>(url: string, field: string, args: string, selection: string): Promise<T[]> => {
  const nodes: T[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, Page<T>> = await mutate(
      url,
      `query($after: String) { ${field}(${args} first: 100, after: $after) {
        totalCount edges { node { ${selection} } } pageInfo { endCursor hasNextPage } } }`,
      { after },
    );
    const page = data[field]!;
    nodes.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) {
      if (nodes.length !== page.totalCount) throw new Error(`${field}: ${nodes.length} of ${page.totalCount} read`);
      return nodes;
    }
    after = page.pageInfo.endCursor;
  }
};

/** What a server answers about everything it holds: the timeline, actors, topics, and the raw log. */
export interface Answers {
  readonly timeline: DevelopmentNode[];
  readonly actors: unknown[];
  readonly topics: unknown[];
  readonly log: LogEntry[];
}

export const answersOf = async (url: string): Promise<Answers> => ({
  timeline: await allPages<DevelopmentNode>(
    url,
    'timeline',
    'order: ASC, filter: {includeRetracted: true},',
    DEVELOPMENT_FIELDS,
  ),
  actors: await allPages(url, 'actors', '', 'id name kind developmentCount lastActiveAt'),
  topics: await allPages(url, 'topics', '', 'id title status developmentCount firstDevelopmentAt lastDevelopmentAt'),
  log: await readLog(url, {}, EDITOR_KEY),
});

/** Asks `check` every 25 ms until it holds; fails after `timeoutMs`. */
export const eventually = async (check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** SQLite's own check of the file, through a read-only connection of its own. */
export const integrityCheck = (file: string): string[] => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], string>('PRAGMA integrity_check').pluck().all();
  } finally {
    db.close();
  }
};

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `timeline <args>` (the command line) as a real process: its exit code and what it wrote. */
export const runTimelineCli = (args: readonly string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'TIMELINE_DATA_DIR'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

/** Whether this process may mount file systems (root in an environment that allows it): a tmpfs, tried for real. */
export const canMount = (): boolean => {
  const dir = tempDir('mount-probe');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    removeDir(dir);
  }
};
