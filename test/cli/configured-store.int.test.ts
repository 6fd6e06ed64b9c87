import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorldState } from '../../src/cli/world-state.js';
import { runTimelineCli } from '../support/cli-in-process.js';
import { closedPort, silentPort } from '../support/unanswering-ports.js';

/**
 * Every command that opens a log finds it where the server would: TIMELINE_STORE and KURRENTDB_URL. The embedded
 * store is tried for real here; KurrentDB is refused clearly when it is not configured or does not answer, and runs
 * the commands for real only where KURRENTDB_URL names one (shown as skipped otherwise).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = path.join(ROOT, 'events/seed/seed-timeline.ndjson');
const KURRENTDB_URL = process.env.KURRENTDB_URL;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'timeline-cli-store-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A data directory that does not exist yet, so that a test sees whether a command made it. */
let dirs = 0;
const freshDir = (): string => path.join(work, `data-${(dirs += 1)}`);

/** Each command that opens a log, with what it needs besides the data directory. */
const COMMANDS: Readonly<Record<string, (dataDir: string) => string[]>> = {
  import: (dataDir) => ['import', 'ndjson', SEED, '--data-dir', dataDir, '--rejects', path.join(work, 'rejects.tsv')],
  export: (dataDir) => ['export', 'ndjson', '--data-dir', dataDir],
  rebuild: (dataDir) => ['rebuild', '--data-dir', dataDir],
  replay: (dataDir) => ['replay', '--as-of', '2025-10-17T12:00:00Z', '--data-dir', dataDir],
};

/** An export's commands as "<command> <id>": what they do and to what, not when they were recorded (nor its header). */
const commandsOf = (ndjson: string): string[] =>
  ndjson
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { command?: string; input?: { id?: string } })
    .flatMap(({ command, input }) => (command === undefined ? [] : [`${command} ${input?.id ?? ''}`]));

const ids = (items: readonly { id: string }[]): string[] => items.map((item) => item.id);

describe('the command line on TIMELINE_STORE=sqlite', () => {
  it('imports into, exports, rebuilds and replays the data directory’s timeline.db, as by default', async () => {
    const dataDir = freshDir();
    const env = { TIMELINE_STORE: 'sqlite' };
    const imported = await runTimelineCli(COMMANDS.import!(dataDir), { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(existsSync(path.join(dataDir, 'timeline.db'))).toBe(true);

    const exported = await runTimelineCli(COMMANDS.export!(dataDir), { env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(commandsOf(exported.stdout)).toHaveLength(readFileSync(SEED, 'utf8').trim().split('\n').length);

    const rebuilt = await runTimelineCli(COMMANDS.rebuild!(dataDir), { env });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toContain(`rebuild: reading the event log ${path.join(dataDir, 'timeline.db')}`);
    expect(existsSync(path.join(dataDir, 'read-models.db'))).toBe(true);

    const replayed = await runTimelineCli(COMMANDS.replay!(dataDir), { env, now: new Date() });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(ids((JSON.parse(replayed.stdout) as WorldState).meetings)).toContain('budapest-summit-2025');
  });
});

describe('the command line on TIMELINE_STORE=kurrentdb without a KurrentDB', () => {
  it('refuses every command without KURRENTDB_URL, naming it, with exit 1, and makes nothing', async () => {
    for (const [name, args] of Object.entries(COMMANDS)) {
      const dataDir = freshDir();
      const run = await runTimelineCli(args(dataDir), { env: { TIMELINE_STORE: 'kurrentdb' } });
      expect(run.code, `${name}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toContain(`timeline ${name}: Invalid configuration`);
      expect(run.stderr).toContain('KURRENTDB_URL: required when TIMELINE_STORE is kurrentdb');
      expect(run.stdout).toBe('');
      expect(existsSync(dataDir), name).toBe(false);
    }
  });

  it('refuses every command where nothing listens at KURRENTDB_URL, naming it without its password', async () => {
    const port = await closedPort();
    const env = { TIMELINE_STORE: 'kurrentdb', KURRENTDB_URL: `kurrentdb://admin:s3cret@127.0.0.1:${port}?tls=false` };
    for (const [name, args] of Object.entries(COMMANDS)) {
      const dataDir = freshDir();
      const run = await runTimelineCli(args(dataDir), { env });
      expect(run.code, `${name}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toContain(
        `timeline ${name}: cannot reach KurrentDB at kurrentdb://admin:***@127.0.0.1:${port}`,
      );
      expect(run.stderr).not.toContain('s3cret');
      expect(run.stdout).toBe('');
      // Nothing done before the store answered: no read models, no reject file, no data directory.
      expect(existsSync(dataDir), name).toBe(false);
    }
  });

  it('gives up on a KurrentDB that accepts and never answers within its bound, for every command at once', async () => {
    const silent = await silentPort();
    try {
      const env = { TIMELINE_STORE: 'kurrentdb', KURRENTDB_URL: `kurrentdb://127.0.0.1:${silent.port}?tls=false` };
      const started = performance.now();
      const runs = await Promise.all(Object.values(COMMANDS).map((args) => runTimelineCli(args(freshDir()), { env })));
      // The adapter's bound is 5 s a call: one call each, not a hang.
      expect(performance.now() - started).toBeLessThan(15_000);
      for (const run of runs) {
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toContain(`cannot reach KurrentDB at kurrentdb://127.0.0.1:${silent.port}?tls=false`);
      }
    } finally {
      await silent.close();
    }
  }, 30_000);
});

/**
 * A KurrentDB whose log holds only timeline events: the conformance suite's test events are in no catalog and stop
 * a fold or an export, as they would stop the server. Run it against a fresh server (docker compose up kurrentdb).
 */
describe.skipIf(!KURRENTDB_URL)('the command line on TIMELINE_STORE=kurrentdb (needs KURRENTDB_URL)', () => {
  it('imports the seed into KurrentDB, exports it, rebuilds and replays from it into the data directory', async () => {
    const dataDir = freshDir();
    const env = { TIMELINE_STORE: 'kurrentdb', KURRENTDB_URL };
    const imported = await runTimelineCli(COMMANDS.import!(dataDir), { env });
    expect(imported.code, imported.stderr).toBe(0);
    // The log is on KurrentDB: no embedded log was made.
    expect(existsSync(path.join(dataDir, 'timeline.db'))).toBe(false);

    const exported = await runTimelineCli(COMMANDS.export!(dataDir), { env });
    expect(exported.code, exported.stderr).toBe(0);
    // The same commands as the seed exported from the embedded store (a KurrentDB used before may hold more).
    const embedded = freshDir();
    expect((await runTimelineCli(COMMANDS.import!(embedded))).code).toBe(0);
    const fromEmbedded = await runTimelineCli(COMMANDS.export!(embedded));
    const onKurrentDb = new Set(commandsOf(exported.stdout));
    expect(commandsOf(fromEmbedded.stdout).filter((command) => !onKurrentDb.has(command))).toEqual([]);

    const rebuilt = await runTimelineCli(COMMANDS.rebuild!(dataDir), { env });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toContain('rebuild: reading KurrentDB at');
    expect(existsSync(path.join(dataDir, 'read-models.db'))).toBe(true);

    const replayed = await runTimelineCli(COMMANDS.replay!(dataDir), { env, now: new Date() });
    expect(replayed.code, replayed.stderr).toBe(0);
    const state = JSON.parse(replayed.stdout) as WorldState;
    expect(ids(state.meetings)).toContain('budapest-summit-2025');
    expect(ids(state.actors)).toContain('vladimir-putin');
  }, 120_000);
});
