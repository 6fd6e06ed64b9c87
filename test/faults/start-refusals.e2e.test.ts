import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTopic, recordDevelopment, registerActor } from '../support/live-fixtures.js';
import { startServerProcess } from '../support/server-process.js';
import {
  FAULT_ACTORS,
  FAULT_TOPIC,
  LOG_FILE,
  faultDevelopment,
  removeDir,
  runTimelineCli,
  sha256,
  startTimelineOn,
  tempDir,
} from './fault-support.js';

/**
 * Fault (c) as an operator sees it: `npm start` on a data directory holding something it cannot use ends at once
 * with exit status 1 and one line on stderr naming the file and what is wrong, and leaves the file as it was.
 * (foreign-files.int.test.ts goes through every kind of file in process.)
 */

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) removeDir(dir);
  dirs = [];
});

/** Starts the server on `dataDir`; it must exit with 1. What it printed (startServerProcess's error says it all). */
const refusedStart = async (dataDir: string, env: Record<string, string>): Promise<string> =>
  startServerProcess(env, dataDir).then(
    async (server) => {
      await server.kill();
      throw new Error(`the server started on ${dataDir}`);
    },
    (error: unknown) => (error as Error).message,
  );

/** The one line the server wrote for the operator, without the JSON log lines. */
const operatorLine = (output: string): string | undefined =>
  output.split('\n').find((line) => line.startsWith('diplomatic-timeline did not start: '));

describe('the server (and the command line) refuse a data directory they cannot use', () => {
  it('a timeline.db of random bytes: exit 1, the file named, not an SQLite database, the file unchanged', async () => {
    const dataDir = tempDir('refuse-random');
    dirs.push(dataDir);
    const file = path.join(dataDir, LOG_FILE);
    const bytes = Buffer.alloc(32 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    writeFileSync(file, bytes);
    const hash = sha256(file);

    const output = await refusedStart(dataDir, { TIMELINE_SEED: 'true' });
    expect(output).toContain('server exited with 1');
    expect(operatorLine(output)).toBe(
      `diplomatic-timeline did not start: ${file} is not an SQLite database (it does not start with "SQLite format 3"), ` +
        'so it is not an event log of this server; nothing in it was changed. Move it away (a new log is made where ' +
        'there is none), or point TIMELINE_DATA_DIR (--data-dir) at the directory that holds the timeline',
    );
    // No stack trace for the operator: the full error is in the JSON log line.
    expect(output).not.toMatch(/^\s+at /m);
    expect(sha256(file)).toBe(hash);
    expect(readdirSync(dataDir)).toEqual([LOG_FILE]);
  });

  // The read models live beside the log: a start on read models already projected reads nothing of the log, and the
  // damage shows where it is read. Without them, the start projects the log, and the damage stops it.
  it('a log damaged in the middle (past what the open reads): the start projection stops, naming the file', async () => {
    const dataDir = tempDir('refuse-damaged');
    dirs.push(dataDir);
    const timeline = await startTimelineOn(dataDir);
    try {
      for (const actor of FAULT_ACTORS) await registerActor(timeline.http.url, actor);
      await openTopic(timeline.http.url, FAULT_TOPIC);
      for (let i = 0; i < 80; i++)
        await recordDevelopment(timeline.http.url, faultDevelopment(`damaged-${i}`, 2000, i));
    } finally {
      await timeline.close();
    }
    const file = path.join(dataDir, LOG_FILE);
    // One page of the events table, half-way through the file, overwritten with noise.
    const page = 4096;
    const descriptor = openSync(file, 'r+');
    writeSync(descriptor, Buffer.alloc(page, 0xab), 0, page, Math.floor(statSync(file).size / 2 / page) * page);
    closeSync(descriptor);
    const hash = sha256(file);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(dataDir, `read-models.db${suffix}`), { force: true });

    const output = await refusedStart(dataDir, { TIMELINE_SEED: 'false' });
    expect(output).toContain('server exited with 1');
    expect(operatorLine(output)).toBe(
      `diplomatic-timeline did not start: the event log ${file} is damaged (SQLite: database disk image is ` +
        'malformed) and cannot be read whole; restore it from a backup',
    );
    expect(sha256(file)).toBe(hash);
  });

  it('the command line on a file that is no database: exit 1, the message once, the file unchanged', async () => {
    const dataDir = tempDir('refuse-cli');
    dirs.push(dataDir);
    const file = path.join(dataDir, LOG_FILE);
    writeFileSync(file, 'id,name\n1,not a database\n'.repeat(100));
    const hash = sha256(file);

    const run = await runTimelineCli(['rebuild', '--verify', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `timeline rebuild: ${file} is not an SQLite database (it does not start with "SQLite format 3"), so it is ` +
        'not an event log of this server; nothing in it was changed. Move it away (a new log is made where there ' +
        'is none), or point TIMELINE_DATA_DIR (--data-dir) at the directory that holds the timeline\n',
    );
    expect(sha256(file)).toBe(hash);
  });

  it('an editor.key that is garbage (no editor key configured): exit 1, the file named, the file unchanged', async () => {
    const dataDir = tempDir('refuse-key');
    dirs.push(dataDir);
    mkdirSync(dataDir, { recursive: true });
    const keyFile = path.join(dataDir, 'editor.key');
    // Binary noise with whitespace inside: neither a kept hash nor a key (api-keys.ts refuses it).
    writeFileSync(keyFile, Buffer.from([0x00, 0xff, 0x20, 0x13, 0x37, 0x0a, 0xde, 0xad, 0xbe, 0xef, 0x20, 0x01]));
    const hash = sha256(keyFile);

    const output = await refusedStart(dataDir, { TIMELINE_SEED: 'false' });
    expect(output).toContain('server exited with 1');
    expect(operatorLine(output)).toContain(
      `diplomatic-timeline did not start: ${keyFile} does not hold a usable editor key`,
    );
    expect(sha256(keyFile)).toBe(hash);
    // Refused before the log was opened: no new log is left behind.
    expect(readdirSync(dataDir)).toEqual(['editor.key']);
  });
});
