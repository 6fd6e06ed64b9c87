import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorldState } from '../../src/cli/world-state.js';
import { READ_MODEL_VERSION } from '../../src/projections/shared/read-model-keys.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { openHarness, type TimelineHarness } from '../support/timeline-harness.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `timeline <args>` as a real process, from the repository root, with stdin, stdout and stderr as pipes (no TTY). */
const timeline = (args: readonly string[], env: Record<string, string | undefined> = {}) =>
  new Promise<Run>((resolve, reject) => {
    const childEnv = { ...process.env, TIMELINE_DATA_DIR: undefined, ...env };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: Object.fromEntries(Object.entries(childEnv).filter(([, value]) => value !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

const parse = (json: string): WorldState => JSON.parse(json) as WorldState;

const ids = (items: readonly { id: string }[]): string[] => items.map((item) => item.id);

const sortedIds = (items: readonly { id: string }[]): string[] => [...ids(items)].sort((a, b) => (a < b ? -1 : 1));

describe('timeline command line', () => {
  let harness: TimelineHarness;
  let dataDir: string;
  let outDir: string;
  let logLength: number;

  beforeAll(async () => {
    // The seed goes in through the command handlers, as the server loads it; then the log file is closed, so that
    // the commands below read it as they would read a server's data directory.
    harness = await openHarness();
    await loadSeed(harness.commands);
    logLength = await harness.logLength();
    await harness.projector.stop();
    await harness.store.close();
    dataDir = harness.dir;
    outDir = mkdtempSync(path.join(tmpdir(), 'timeline-cli-out-'));
  });

  afterAll(async () => {
    // dispose closes what is still open (nothing) and removes the data directory.
    await harness?.dispose();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  describe('replay', () => {
    it('writes the world state as of 17 October 2025 to --out: the Budapest summit agreed, Putin against Tomahawks', async () => {
      const out = path.join(outDir, 'world-2025-10-17.json');
      const run = await timeline(['replay', '--as-of', '2025-10-17T12:00:00Z', '--out', out, '--data-dir', dataDir]);

      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`wrote 20 actors`);
      const state = parse(readFileSync(out, 'utf8'));
      expect(state.asOf).toBe('2025-10-17T12:00:00.000Z');
      expect(state.checkpoint).toBe(String(logLength));
      expect(state.meetings.find((meeting) => meeting.id === 'budapest-summit-2025')).toMatchObject({
        status: 'AGREED',
        location: 'Budapest',
        participantIds: expect.arrayContaining(['donald-trump', 'vladimir-putin']),
      });
      const putin = state.actors.find((actor) => actor.id === 'vladimir-putin');
      expect(putin?.positions).toContainEqual(
        expect.objectContaining({ topicId: 'tomahawk-missiles', stance: 'OPPOSES' }),
      );
      expect(putin?.meetings).toContain('budapest-summit-2025');
      expect(putin?.developmentCount).toBeGreaterThan(0);
      // Sorted by id, so that two runs diff line by line.
      expect(ids(state.actors)).toEqual(sortedIds(state.actors));
      expect(ids(state.topics)).toEqual(sortedIds(state.topics));
      expect(ids(state.meetings)).toEqual(sortedIds(state.meetings));
      // Written atomically: no temp file left next to it.
      expect(readdirSync(outDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    });

    it('prints only JSON on stdout; as of 15 October 2025 the Budapest summit does not exist yet', async () => {
      const run = await timeline(['replay', '--as-of', '2025-10-15T12:00:00Z', '--data-dir', dataDir]);

      expect(run.code, run.stderr).toBe(0);
      const state = parse(run.stdout);
      expect(ids(state.meetings)).not.toContain('budapest-summit-2025');
      expect(ids(state.meetings)).toContain('alaska-summit-2025');
      expect(run.stderr).toMatch(/^replay: \d+\/\d+ events \(100%\)/m);
    });

    it('knows nothing at a knownAt before the seed was recorded', async () => {
      const run = await timeline([
        'replay',
        '--as-of',
        '2025-10-17T12:00:00Z',
        '--known-at',
        '2000-01-01T00:00:00Z',
        '--data-dir',
        dataDir,
      ]);

      expect(run.code, run.stderr).toBe(0);
      const state = parse(run.stdout);
      expect(state.knownAt).toBe('2000-01-01T00:00:00.000Z');
      expect(state).toMatchObject({ actors: [], topics: [], meetings: [] });
    });

    it('gives the same bytes twice for the same time point, and reads TIMELINE_DATA_DIR without --data-dir', async () => {
      const args = ['replay', '--as-of', '2025-10-17', '--known-at', '2030-01-01T00:00:00+02:00'];
      const [first, second] = await Promise.all([
        timeline([...args, '--data-dir', dataDir]),
        timeline(args, { TIMELINE_DATA_DIR: dataDir }),
      ]);

      expect(first.code, first.stderr).toBe(0);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(parse(first.stdout)).toMatchObject({
        asOf: '2025-10-17T00:00:00.000Z',
        knownAt: '2029-12-31T22:00:00.000Z',
      });
    });

    it('refuses a missing --as-of with exit code 2 and the usage, writing nothing', async () => {
      const out = path.join(outDir, 'no-as-of.json');
      const run = await timeline(['replay', '--out', out, '--data-dir', dataDir]);

      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('timeline replay: --as-of is required');
      expect(run.stderr).toContain('Usage: timeline replay --as-of <date>');
      expect(existsSync(out)).toBe(false);
    });

    it.each([
      ['2025-10-32T00:00:00Z', 'is not a day of the calendar'],
      ['2025-10-17T12:00:00', 'has no time zone'],
      ['17/10/2025', 'is not an ISO-8601 date'],
    ])('refuses the date %s with exit code 2 and says why', async (date, why) => {
      const out = path.join(outDir, 'bad-date.json');
      const run = await timeline(['replay', '--as-of', date, '--out', out, '--data-dir', dataDir]);

      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`--as-of "${date}" ${why}`);
      expect(existsSync(out)).toBe(false);
    });

    it('refuses a bad --known-at too', async () => {
      const run = await timeline(['replay', '--as-of', '2025-10-17', '--known-at', 'now', '--data-dir', dataDir]);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--known-at "now" is not an ISO-8601 date');
    });

    it('fails on a missing data directory without creating it, and writes nothing', async () => {
      const missing = path.join(outDir, 'no-such-dir');
      const out = path.join(outDir, 'missing-dir.json');
      const run = await timeline(['replay', '--as-of', '2025-10-17T12:00:00Z', '--out', out, '--data-dir', missing]);

      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`the data directory ${missing} does not exist`);
      expect(existsSync(missing)).toBe(false);
      expect(existsSync(out)).toBe(false);
    });

    it('fails on a data directory without an event log, and creates no empty one', async () => {
      const empty = mkdtempSync(path.join(outDir, 'empty-'));
      const run = await timeline(['replay', '--as-of', '2025-10-17T12:00:00Z', '--data-dir', empty]);

      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('holds no event log (timeline.db is missing)');
      expect(readdirSync(empty)).toEqual([]);
    });
  });

  describe('rebuild', () => {
    it('prints plain progress lines when stderr is not a terminal, and a summary with the log length', async () => {
      const run = await timeline(['rebuild', '--data-dir', dataDir]);

      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('');
      // No bar, no escape sequences: a log file or a CI job reads it as it is.
      expect(run.stderr).not.toContain('\u001b');
      expect(run.stderr).toMatch(
        new RegExp(`^rebuild: ${logLength}/${logLength} events \\(100%\\), \\d+ events/s$`, 'm'),
      );
      const summary = /^rebuild: (\d+) events in [\d.]+ s \((\d+) events\/s\), checkpoint (\d+), rss (\d+) MB$/m.exec(
        run.stderr,
      );
      expect(summary, run.stderr).not.toBeNull();
      expect(Number(summary![1])).toBe(logLength);
      expect(logLength).toBeGreaterThanOrEqual(64);
      expect(Number(summary![3])).toBe(logLength);
      expect(Number(summary![4])).toBeGreaterThan(0);
    });

    it('fails with exit code 1 on a log that does not decode, and says where', async () => {
      const broken = mkdtempSync(path.join(outDir, 'broken-'));
      copyFileSync(path.join(dataDir, 'timeline.db'), path.join(broken, 'timeline.db'));
      const db = new Database(path.join(broken, 'timeline.db'));
      db.prepare("UPDATE events SET type = 'NoSuchEvent' WHERE position = 30").run();
      db.close();

      const run = await timeline(['rebuild', '--data-dir', broken]);

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^timeline rebuild: the log does not fold .*\(NoSuchEvent\).* not in the catalog$/m);
      expect(run.stderr).not.toMatch(/^rebuild: \d+ events in/m);
    });

    it('with --verify, parses every event against its schema and names the first that does not fit', async () => {
      const tampered = mkdtempSync(path.join(outDir, 'tampered-'));
      copyFileSync(path.join(dataDir, 'timeline.db'), path.join(tampered, 'timeline.db'));
      const db = new Database(path.join(tampered, 'timeline.db'));
      // Written behind the catalog's back: the development loses its title, at the current schema version.
      db.prepare("UPDATE events SET data = json_remove(data, '$.title') WHERE type = 'DevelopmentRecorded'").run();
      db.close();

      const trusting = await timeline(['rebuild', '--data-dir', tampered]);
      expect(trusting.code, trusting.stderr).toBe(0);

      const run = await timeline(['rebuild', '--verify', '--data-dir', tampered]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^timeline rebuild: the log does not fold .*\(DevelopmentRecorded\) at development-/m);
      expect(run.stderr).toMatch(/title/);
    });

    it('lays snapshots out every TIMELINE_SNAPSHOT_EVERY entries, as the server would, and refuses a bad one', async () => {
      // One actor in 100 developments: a rebuild cuts its batches every two intervals of that actor, and leaves a
      // boundary every interval along each (the snapshots a batch leaves due are written with the next).
      const busy = await openHarness();
      try {
        await busy.run('registerActor', { id: 'ana', name: 'Ana', kind: 'PERSON' });
        for (let day = 1; day <= 100; day++) {
          await busy.run('recordDevelopment', {
            id: `dev-${day}`,
            kind: 'STATEMENT',
            title: `Statement ${day}`,
            sources: [],
            occurredAt: new Date(Date.UTC(2025, 0, day)).toISOString(),
            participants: [{ actorId: 'ana', role: 'SOURCE' }],
            topicIds: [],
            positions: [],
          });
        }
        await busy.projector.stop();
        await busy.store.close();
        const boundaries = () => {
          const db = new Database(path.join(busy.dir, 'read-models.db'), { readonly: true });
          try {
            // Each boundary's place in ana's index: how many of her entries lie at or before it.
            return db
              .prepare<[], { taken: number }>(
                `SELECT DISTINCT (SELECT COUNT(*) FROM entries e WHERE e.kind = 1 AND e.id = s.actor_id
                   AND e.occurred_at <= s.boundary_occurred_at) AS taken
                 FROM snapshots s ORDER BY taken`,
              )
              .all()
              .map(({ taken }) => taken);
          } finally {
            db.close();
          }
        };

        const every8 = await timeline(['rebuild', '--data-dir', busy.dir], { TIMELINE_SNAPSHOT_EVERY: '8' });
        expect(every8.code, every8.stderr).toBe(0);
        const along = boundaries();
        expect(along.length).toBeGreaterThanOrEqual(4);
        expect(along.every((taken) => taken % 8 === 0)).toBe(true);
        const every16 = await timeline(['rebuild', '--data-dir', busy.dir], { TIMELINE_SNAPSHOT_EVERY: '16' });
        expect(every16.code, every16.stderr).toBe(0);
        expect(boundaries().length).toBeGreaterThanOrEqual(2);
        expect(boundaries().every((taken) => taken % 16 === 0)).toBe(true);
        const byDefault = await timeline(['rebuild', '--data-dir', busy.dir]);
        expect(byDefault.code, byDefault.stderr).toBe(0);
        expect(boundaries()).toEqual([]);

        const bad = await timeline(['rebuild', '--data-dir', busy.dir], { TIMELINE_SNAPSHOT_EVERY: '4' });
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain('TIMELINE_SNAPSHOT_EVERY: expected a whole number from 8 to 4096, got "4"');
      } finally {
        await busy.dispose();
      }
    });

    it('refuses a stray argument with exit code 2', async () => {
      const run = await timeline(['rebuild', 'now', '--data-dir', dataDir]);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: timeline rebuild');
    });
  });

  describe('dispatch', () => {
    it('refuses a missing or unknown command with exit code 2 and the general usage', async () => {
      const [none, unknown] = await Promise.all([timeline([]), timeline(['replya', '--as-of', '2025-10-17'])]);

      expect(none.code).toBe(2);
      expect(none.stderr).toContain('timeline: missing command');
      expect(none.stderr).toContain('Usage: timeline <command> [options]');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('timeline: unknown command "replya"');
    });

    it('runs through bin/timeline.mjs, which registers tsx itself', async () => {
      const child = spawn(process.execPath, ['bin/timeline.mjs', 'help', 'replay'], { cwd: ROOT });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise((resolve) => child.once('close', resolve));

      expect(code).toBe(0);
      expect(stdout).toContain('Usage: timeline replay --as-of <date>');
    });
  });

  describe('serve and project', () => {
    it('list in the general help, and show their own', async () => {
      const [general, serve, project] = await Promise.all([
        timeline(['help']),
        timeline(['serve', '--help']),
        timeline(['help', 'project']),
      ]);
      expect(general.stdout).toMatch(/serve +Run the API only/);
      expect(general.stdout).toMatch(/project +Run the projector only/);
      expect(general.stdout).toMatch(/read-models +List the shared read-model versions/);
      expect(serve).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: timeline serve') });
      expect(project).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: timeline project') });
    });

    it('refuse to start without REDIS_URL, with exit code 1, before touching anything', async () => {
      const [serve, project] = await Promise.all([
        timeline(['serve'], { REDIS_URL: '', TIMELINE_DATA_DIR: path.join(outDir, 'never') }),
        timeline(['project'], { REDIS_URL: '', TIMELINE_DATA_DIR: path.join(outDir, 'never') }),
      ]);
      expect(serve.code).toBe(1);
      expect(serve.stderr).toContain('TIMELINE_ROLE: serve needs REDIS_URL');
      expect(project.code).toBe(1);
      expect(project.stderr).toContain('TIMELINE_ROLE: project needs REDIS_URL');
      expect(existsSync(path.join(outDir, 'never'))).toBe(false);
    });

    it('`timeline project` leads the projection and serves only its health', async () => {
      const prefix = `test-cli-project-${randomUUID()}`;
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'project'], {
        cwd: ROOT,
        env: {
          ...process.env,
          REDIS_URL: SHARED_REDIS_URL,
          TIMELINE_REDIS_PREFIX: prefix,
          TIMELINE_DATA_DIR: dataDir,
          PORT: '0',
          HOST: '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const redis = new Redis(SHARED_REDIS_URL);
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no start:\n${stdout}`)), 30_000);
          child.stdout.on('data', () => {
            const match = /"url":"(http:[^"]+)".*is projecting/.exec(stdout);
            if (match) {
              clearTimeout(timer);
              resolve(match[1]!);
            }
          });
        });
        expect(url).toMatch(/\/healthz$/);
        const health = (await (await fetch(url)).json()) as { status: string; leading: boolean; checkpoint: string };
        expect(health).toMatchObject({ status: 'ok', leading: true, checkpoint: String(logLength) });
        expect((await fetch(url.replace('/healthz', '/graphql'))).status).toBe(404);
        expect(await redis.get(`${prefix}:current`)).toBe(String(READ_MODEL_VERSION));
      } finally {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGTERM');
        await exited;
        const keys = await redis.keys(`*${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
    });
  });
});
