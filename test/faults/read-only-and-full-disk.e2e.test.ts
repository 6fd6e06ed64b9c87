import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openTopic, recordDevelopment, registerActor } from '../support/live-fixtures.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import {
  FAULT_ACTORS,
  FAULT_TOPIC,
  LOG_FILE,
  SERVER_ENV,
  answersOf,
  canMount,
  developmentById,
  eventually,
  faultDevelopment,
  integrityCheck,
  removeDir,
  sendDevelopment,
  sha256,
  startTimelineOn,
  tempDir,
} from './fault-support.js';

/**
 * Fault (b) on real file systems, with real server processes:
 * - a read-only data directory. As root, chmod stops nothing (root writes anyway), so the directory is made
 *   read-only the way an operator's volume would be: a read-only bind mount of it (`mount --bind`, then
 *   `remount,ro,bind`). SQLite then opens the log read-only and every write fails in the kernel (EROFS): the
 *   server's genuine error path, not a flag of ours. A mount cannot turn read-only while a process holds a file on it
 *   open for writing (the kernel answers EBUSY), so the read-only server is a second process started on the mount,
 *   beside a writer on the directory itself: what a read replica on a read-only volume is.
 * - a full disk: a 4 MiB tmpfs holding the data directory, filled to the last byte by another file. (The in-process
 *   test full-log.int.test.ts gets the same SQLITE_FULL from SQLite's max_page_count, without mounting anything.)
 * Both need mount(2): root in an environment that allows it. Elsewhere they are skipped, saying so.
 */
const MOUNT_OK = canMount();
const NO_MOUNT = 'mount(2) is not allowed here (needs root and a kernel/container that permits mounts)';

const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
const unmount = (dir: string) => {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    // Still busy (a process that did not exit): detach it now, the kernel frees it when the last file closes.
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
};

/** What each test leaves to clean up, in order: processes first, then mounts, then directories. */
let processes: ServerProcess[] = [];
let mounts: string[] = [];
let dirs: string[] = [];

afterEach(async () => {
  for (const server of processes) await server.kill();
  for (const dir of mounts.reverse()) unmount(dir);
  for (const dir of dirs) removeDir(dir);
  processes = [];
  mounts = [];
  dirs = [];
});

const start = async (dataDir: string) => {
  const server = await startServerProcess({ ...SERVER_ENV }, dataDir);
  processes.push(server);
  return server;
};

const seedFaultEntities = async (url: string, developments: number) => {
  for (const actor of FAULT_ACTORS) await registerActor(url, actor);
  await openTopic(url, FAULT_TOPIC);
  for (let i = 0; i < developments; i++) await recordDevelopment(url, faultDevelopment(`kept-${i}`, 500, i));
};

/** `dir` seen again, read-only, at a mount point of its own. */
const readOnlyView = (dir: string): string => {
  const view = tempDir('ro-view');
  dirs.push(view);
  mount('--bind', dir, view);
  mounts.push(view);
  mount('-o', 'remount,ro,bind', view);
  return view;
};

describe.skipIf(!MOUNT_OK)(`a read-only data directory (skipped when ${NO_MOUNT})`, () => {
  it('a server on it answers reads and follows the log; its writes fail with SERVICE_UNAVAILABLE saying so, and change nothing', async () => {
    const dataDir = tempDir('ro');
    dirs.push(dataDir);
    const writer = await start(dataDir);
    await seedFaultEntities(writer.url, 10);

    const view = readOnlyView(dataDir);
    const file = path.join(view, LOG_FILE);
    const reader = await start(view);
    expect(await answersOf(reader.url)).toEqual(await answersOf(writer.url));

    const refused = await sendDevelopment(reader.url, faultDevelopment('refused-on-read-only', 500));
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.errors![0]!.message).toContain(`the event log ${file} is read-only`);
    expect(refused.errors![0]!.message).toContain('nothing was written');
    // It still serves (reads are all it can do), and goes on following what the writer appends.
    expect((await fetch(`${reader.baseUrl}/readyz`)).status).toBe(200);
    await recordDevelopment(writer.url, faultDevelopment('after-the-refusal', 500));
    // Seen by id as soon as the writer's batch is in the read models; its cached lists follow once this process
    // has read the same events from the log and taken that batch: wait for both.
    await eventually(
      async () =>
        (await developmentById(reader.url, 'after-the-refusal')) !== null &&
        isDeepStrictEqual(await answersOf(reader.url), await answersOf(writer.url)),
      'the read-only server to see the new development',
    );
    expect(await developmentById(reader.url, 'refused-on-read-only')).toBeNull();
    expect(await developmentById(writer.url, 'refused-on-read-only')).toBeNull();
    expect(await answersOf(reader.url)).toEqual(await answersOf(writer.url));

    // Both stop; the log is whole, and a fresh fold of it answers as the writer did.
    const last = await answersOf(writer.url);
    await reader.stop();
    await writer.stop();
    expect(integrityCheck(path.join(dataDir, LOG_FILE))).toEqual(['ok']);
    const fresh = await startTimelineOn(dataDir, { TIMELINE_VERIFY_READS: 'true' });
    try {
      expect(await answersOf(fresh.http.url)).toEqual(last);
    } finally {
      await fresh.close();
    }
  });

  it('a log closed cleanly, on a read-only directory: a clear refusal at start, and the file untouched', async () => {
    const dataDir = tempDir('ro-closed');
    dirs.push(dataDir);
    const writer = await start(dataDir);
    await seedFaultEntities(writer.url, 3);
    await writer.stop();

    // SQLite reads a WAL log only with its -wal and -shm files beside it, which it cannot make on a read-only
    // directory, and which a clean stop removes.
    const view = readOnlyView(dataDir);
    const file = path.join(view, LOG_FILE);
    const hash = sha256(file);
    const failure = await start(view).then(
      () => null,
      (error: unknown) => (error as Error).message,
    );
    expect(failure).toContain('server exited with 1');
    expect(failure).toContain(
      `diplomatic-timeline did not start: cannot open the event log ${file}: its directory is read-only`,
    );
    expect(sha256(file)).toBe(hash);
  });
});

describe.skipIf(!MOUNT_OK)(`a full disk (skipped when ${NO_MOUNT})`, () => {
  /** Fills the file system holding `dir` to the last byte with one file; returns its path. */
  const fillDisk = (dir: string): string => {
    const filler = path.join(dir, 'filler');
    const descriptor = openSync(filler, 'w');
    try {
      for (const chunk of [64 * 1024, 4096, 1]) {
        const bytes = Buffer.alloc(chunk, 0x5a);
        try {
          for (;;) writeSync(descriptor, bytes);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        }
      }
    } finally {
      closeSync(descriptor);
    }
    return filler;
  };

  it('writes fail with SERVICE_UNAVAILABLE saying the log is full, reads go on, and writes work again once there is space', async () => {
    const disk = tempDir('disk');
    dirs.push(disk);
    mount('-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk);
    mounts.push(disk);
    const server = await start(disk);
    await seedFaultEntities(server.url, 10);
    const file = path.join(disk, LOG_FILE);

    const filler = fillDisk(disk);
    const before = await answersOf(server.url);
    const input = faultDevelopment('on-a-full-disk', 3000);
    const refused = await sendDevelopment(server.url, input);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.errors![0]!.message).toContain(`the event log ${file} is full`);
    // Reads go on, from the read model and from the log; nothing of the write is anywhere.
    expect(await answersOf(server.url)).toEqual(before);
    expect(await developmentById(server.url, 'on-a-full-disk')).toBeNull();
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);

    rmSync(filler);
    expect(await recordDevelopment(server.url, input)).toEqual({ id: 'on-a-full-disk', revision: 0 });
    const after = await answersOf(server.url);
    expect(after.timeline).toHaveLength(before.timeline.length + 1);

    await server.stop();
    expect(integrityCheck(file)).toEqual(['ok']);
    const fresh = await startTimelineOn(disk, { TIMELINE_VERIFY_READS: 'true' });
    try {
      expect(await answersOf(fresh.http.url)).toEqual(after);
    } finally {
      await fresh.close();
    }
  });
});
