import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningTimeline } from '../../src/app.js';
import type { CommandResult } from '../../src/application/command-context.js';
import { StoreUnavailableError } from '../../src/store/event-store.js';
import type * as OpenDatabase from '../../src/store/sqlite/open-database.js';
import { openTopic, readLog, recordDevelopment, registerActor } from '../support/live-fixtures.js';
import {
  FAULT_ACTORS,
  FAULT_TOPIC,
  LOG_FILE,
  answersOf,
  developmentById,
  faultDevelopment,
  integrityCheck,
  removeDir,
  sendDevelopment,
  startTimelineOn,
  tempDir,
} from './fault-support.js';

/**
 * Fault (b), a full disk, simulated by SQLite itself: `PRAGMA max_page_count` set to the pages the log has makes
 * every write that needs another page fail with SQLITE_FULL, exactly as a disk with no space left does (the same
 * error code, through the same code path of the server). max_page_count belongs to one connection, so it must be
 * set on the server's own: the test wraps openDatabase (a pass-through that only keeps the connection it opened),
 * which needs no hook in the server. A real full disk (a small tmpfs) is in read-only-and-full-disk.e2e.test.ts.
 */
const opened = vi.hoisted(() => [] as Database.Database[]);

vi.mock('../../src/store/sqlite/open-database.js', async (importOriginal) => {
  const actual = await importOriginal<typeof OpenDatabase>();
  return {
    ...actual,
    openDatabase: (file: string) => {
      const db = actual.openDatabase(file);
      opened.push(db);
      return db;
    },
  };
});

/** SQLite's default: no limit a test reaches. */
const NO_LIMIT = 1_073_741_823;

let dataDir: string;
let timeline: RunningTimeline;
let url: string;
let db: Database.Database;
let file: string;

/** No room for another page: the next write that needs one fails as on a full disk. */
const fillUp = () => db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
const makeRoom = () => db.pragma(`max_page_count = ${NO_LIMIT}`);

beforeEach(async () => {
  dataDir = tempDir('full');
  opened.length = 0;
  timeline = await startTimelineOn(dataDir);
  url = timeline.http.url;
  file = path.join(dataDir, LOG_FILE);
  expect(opened).toHaveLength(1);
  db = opened[0]!;
  expect(db.name).toBe(file);
  for (const actor of FAULT_ACTORS) await registerActor(url, actor);
  await openTopic(url, FAULT_TOPIC);
  for (let i = 0; i < 5; i++) await recordDevelopment(url, faultDevelopment(`before-${i}`));
});

afterEach(async () => {
  await timeline?.close();
  removeDir(dataDir);
});

describe('the log fills up (SQLITE_FULL)', () => {
  it('refuses the write with SERVICE_UNAVAILABLE saying the log is full, appends nothing, answers reads, and writes again once there is room', async () => {
    fillUp();
    const logBefore = await readLog(url);

    // The pages the log has still hold a few small rows: write until one needs a page the log may not have.
    let refused:
      | { input: Record<string, unknown>; errors: NonNullable<Awaited<ReturnType<typeof sendDevelopment>>['errors']> }
      | undefined;
    const accepted: string[] = [];
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const input = faultDevelopment(`filling-${i}`, 3000, i);
      const response = await sendDevelopment(url, input);
      if (response.errors) refused = { input, errors: response.errors };
      else accepted.push(input.id as string);
    }
    expect(refused, 'no write ran out of room').toBeDefined();
    const { input, errors } = refused!;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(errors[0]!.message).toContain(`the event log ${file} is full`);
    expect(errors[0]!.message).toContain('nothing was written');

    // Nothing of the refused write is anywhere; reads go on, from the read model and from the log.
    const logAtRefusal = await readLog(url);
    expect(logAtRefusal.slice(0, logBefore.length)).toEqual(logBefore);
    expect(logAtRefusal.slice(logBefore.length).map((entry) => entry.data.id)).toEqual(accepted);
    expect(await developmentById(url, input.id as string)).toBeNull();
    expect((await developmentById(url, 'before-0'))?.title).toBe('Fault test development before-0');
    const answers = await answersOf(url);
    expect(answers.timeline.map((node) => node.id).sort()).toEqual(
      [...Array.from({ length: 5 }, (_, i) => `before-${i}`), ...accepted].sort(),
    );
    const ready = await fetch(`${url.replace(/\/graphql$/, '')}/readyz`);
    expect(ready.status).toBe(200);

    // Still full: the same write, and another as big, are refused the same way, and append nothing.
    expect((await sendDevelopment(url, input)).errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const another = await sendDevelopment(url, faultDevelopment('another-big-one', 3000));
    expect(another.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await readLog(url)).toEqual(logAtRefusal);

    // Room again: the refused write goes through as it is, and the log is whole.
    makeRoom();
    expect(await recordDevelopment(url, input)).toEqual({ id: input.id, revision: 0 });
    expect((await developmentById(url, input.id as string))?.summary).toBe(input.summary);
    expect(integrityCheck(file)).toEqual(['ok']);

    // What the server answers is what a fresh fold of the log (every event parsed again) answers.
    const fresh = await startTimelineOn(dataDir, { TIMELINE_VERIFY_READS: 'true' });
    try {
      expect(await answersOf(fresh.http.url)).toEqual(await answersOf(url));
    } finally {
      await fresh.close();
    }
  });

  it('a batch (inOneCommit, as the seed and the importers write) that runs into it commits nothing of itself', async () => {
    const logBefore = await readLog(url);
    const { commands } = timeline.services;
    /** 40 developments in one commit; big ones need new pages, small ones still fit in the pages the log has. */
    const batch = (prefix: string, onError?: (error: unknown) => void) =>
      commands.inOneCommit(async () => {
        const results: CommandResult[] = [];
        for (let i = 0; i < 40; i++) {
          const input = faultDevelopment(`${prefix}-${i}`, i % 2 === 0 ? 3000 : 10, i);
          try {
            results.push(await commands('recordDevelopment', input, { keyName: 'batch' }));
          } catch (error) {
            if (!onError) throw error;
            onError(error);
          }
        }
        return results;
      });

    fillUp();
    const failure = await batch('batched').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toContain(`the event log ${file} is full`);
    expect(db.inTransaction).toBe(false);
    expect(await readLog(url)).toEqual(logBefore);

    // SQLite rolls the whole transaction back on SQLITE_FULL, savepoint or not. A writer that takes the error as one
    // refused command and goes on must not get its next appends committed one by one, outside the batch.
    const caught: unknown[] = [];
    const goingOn = await batch('going-on', (error) => caught.push(error)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(caught.length).toBeGreaterThan(1);
    expect(caught.every((error) => error instanceof StoreUnavailableError)).toBe(true);
    expect((caught[0] as Error).message).toContain(`the event log ${file} is full`);
    expect((caught[1] as Error).message).toContain('rolled back this batch');
    expect(goingOn).toBeInstanceOf(StoreUnavailableError);
    expect((goingOn as Error).message).toContain('nothing of it was written');
    expect(await readLog(url)).toEqual(logBefore);

    // The store is still usable: with room again the same batch goes in whole.
    makeRoom();
    expect(await batch('batched')).toHaveLength(40);
    await timeline.services.projector.waitFor((await timeline.services.store.headPosition())!);
    expect((await readLog(url)).length).toBe(logBefore.length + 40);
    expect(integrityCheck(file)).toEqual(['ok']);
  });
});
