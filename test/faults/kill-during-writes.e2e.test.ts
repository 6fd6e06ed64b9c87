import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTopic, pause, registerActor, waitUntil } from '../support/live-fixtures.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import {
  FAULT_ACTORS,
  FAULT_TOPIC,
  LOG_FILE,
  SERVER_ENV,
  answersOf,
  developmentById,
  faultDevelopment,
  integrityCheck,
  removeDir,
  runTimelineCli,
  sendDevelopment,
  startTimelineOn,
  tempDir,
} from './fault-support.js';

/**
 * Fault (a): kill -9 the server in the middle of a burst of writes, four times. A write the server acknowledged is
 * committed (SQLite in WAL mode: a crash of the process loses nothing committed, synchronous=NORMAL only risks the
 * last commits on a power cut), so after each restart every acknowledged development must be there, whole; a write
 * cut off in flight must be there whole or not at all; and the restarted server must answer as a fresh fold of the
 * log does. Each restart parses every event of the log again (TIMELINE_VERIFY_READS), so the log decodes whole.
 */

const WORKERS = 8;
/**
 * Each round's kill: after how many acknowledgements, and how many ms later, so that it lands at different moments
 * of the writes in flight (before the server read them, between a commit and its answer, in the middle of one).
 */
const KILLS = [
  { acks: 12, laterMs: 0 },
  { acks: 25, laterMs: 3 },
  { acks: 40, laterMs: 6 },
  { acks: 55, laterMs: 10 },
] as const;

/** Every write sent, and what became of it. */
interface Sent {
  readonly input: Record<string, unknown>;
  outcome: 'in-flight' | 'acknowledged' | 'cut-off';
}

/** Writes from WORKERS clients at once until the server dies under them; unexpected refusals are collected. */
const burstUntilKilled = async (server: ServerProcess, round: number, sent: Map<string, Sent>, refusals: unknown[]) => {
  let acknowledged = 0;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const id = `kill-${round}-${next++}`;
      const write: Sent = { input: faultDevelopment(id, 100 + ((next * 37) % 1500), next), outcome: 'in-flight' };
      sent.set(id, write);
      try {
        const response = await sendDevelopment(server.url, write.input);
        if (response.errors || response.data?.recordDevelopment.id !== id) {
          refusals.push({ id, response });
          write.outcome = 'cut-off';
          return;
        }
        write.outcome = 'acknowledged';
        acknowledged++;
      } catch {
        // The connection died with the server: this write may or may not have been committed.
        write.outcome = 'cut-off';
        return;
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, () => worker());
  const kill = KILLS[round - 1]!;
  await waitUntil(() => acknowledged >= kill.acks || refusals.length > 0, 'acknowledged writes');
  await pause(kill.laterMs);
  const inFlight = [...sent.values()].filter((write) => write.outcome === 'in-flight').length;
  await server.kill();
  await Promise.all(workers);
  return { acknowledged, inFlight };
};

let dataDir: string | undefined;
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.kill();
  removeDir(dataDir);
});

describe('kill -9 during a burst of acknowledged writes', () => {
  it('keeps every acknowledged write, whole, through four kills; the restarted server answers as a fresh fold of the log', async () => {
    dataDir = tempDir('kill');
    const env = { ...SERVER_ENV, TIMELINE_VERIFY_READS: 'true' };
    server = await startServerProcess(env, dataDir);
    for (const actor of FAULT_ACTORS) await registerActor(server.url, actor);
    await openTopic(server.url, FAULT_TOPIC);

    const sent = new Map<string, Sent>();
    const refusals: unknown[] = [];
    for (let round = 1; round <= KILLS.length; round++) {
      const { acknowledged, inFlight } = await burstUntilKilled(server, round, sent, refusals);
      expect(refusals, 'writes refused before the kill').toEqual([]);
      expect(acknowledged).toBeGreaterThanOrEqual(KILLS[round - 1]!.acks);
      // Mid-burst: every worker had a write on the wire when the signal went.
      expect(inFlight).toBe(WORKERS);

      // Restarted on the same directory; its start folds (and parses) the whole log, torn or not.
      server = await startServerProcess(env, dataDir);
      const answers = await answersOf(server.url);
      const held = new Map(answers.timeline.map((node) => [node.id, node]));
      for (const [id, write] of sent) {
        const node = held.get(id);
        if (write.outcome === 'acknowledged') expect(node, `acknowledged ${id}`).toBeDefined();
        // Present or not, never in part: what is there is exactly what was sent.
        if (node !== undefined) {
          expect(node).toMatchObject({
            title: write.input.title,
            summary: write.input.summary,
            occurredAt: write.input.occurredAt,
            revision: 0,
          });
        }
      }
      // Every development the server holds was sent by this test, and the log has one recording of each.
      expect([...held.keys()].filter((id) => !sent.has(id))).toEqual([]);
      const recorded = answers.log
        .filter((entry) => entry.type === 'DevelopmentRecorded')
        .map((entry) => entry.data.id);
      expect(new Set(recorded).size).toBe(recorded.length);
      expect(recorded.sort()).toEqual([...held.keys()].sort());
      // And one by one, as a client asks for them.
      for (const [id, write] of sent) {
        if (write.outcome === 'acknowledged' && id.startsWith(`kill-${round}-`)) {
          expect((await developmentById(server.url, id))?.title, id).toBe(write.input.title);
        }
      }
    }

    const file = path.join(dataDir, LOG_FILE);
    expect(integrityCheck(file)).toEqual(['ok']);
    const rebuild = await runTimelineCli(['rebuild', '--verify', '--data-dir', dataDir]);
    expect(rebuild.code, rebuild.stderr).toBe(0);
    expect(rebuild.stderr).toContain(`rebuild: ${(await answersOf(server.url)).log.length} events`);
    // A second server on the same directory, started now, folds the log from scratch: same answers.
    const fresh = await startTimelineOn(dataDir, { TIMELINE_VERIFY_READS: 'true' });
    try {
      expect(await answersOf(fresh.http.url)).toEqual(await answersOf(server.url));
    } finally {
      await fresh.close();
    }
  }, 60_000);
});
