import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TimelineError } from '../../src/application/errors.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import {
  development,
  EDITOR,
  freshHarnessWithBasics,
  latestDevelopment,
  type TimelineHarness,
} from '../support/timeline-harness.js';

/** Bulk writes (seed, import, bench) through bus.inOneCommit: the same rules as one command at a time. */

let harness: TimelineHarness;
freshHarnessWithBasics((opened) => (harness = opened));

const outcome = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return error instanceof TimelineError ? `${error.code} ${JSON.stringify(error.path)}` : String(error);
  }
};

describe('commands in one commit', () => {
  it('refuses a bad command in the middle and keeps the others, each with its own answer', async () => {
    const before = await harness.logLength();
    const { commands } = harness;
    const answers = await commands.inOneCommit(async () => [
      await outcome(() => commands('recordDevelopment', development({ id: 'dev-1' }), EDITOR)),
      await outcome(() =>
        commands(
          'recordDevelopment',
          development({ id: 'dev-2', participants: [{ actorId: 'nobody', role: 'SOURCE' }] }),
          EDITOR,
        ),
      ),
      await outcome(() => commands('registerActor', { id: 'carol', name: 'Carol', kind: 'PERSON' }, EDITOR)),
      await outcome(() =>
        commands(
          'recordDevelopment',
          development({ id: 'dev-3', participants: [{ actorId: 'carol', role: 'SOURCE' }] }),
          EDITOR,
        ),
      ),
    ]);
    expect(answers).toEqual(['ok', 'NOT_FOUND ["input","participants",0,"actorId"]', 'ok', 'ok']);
    expect((await harness.logLength()) - before).toBe(3);
    const head = await harness.store.headPosition();
    await harness.projector.waitFor(head);
    expect((await latestDevelopment(harness, 'dev-3'))?.participants).toEqual([{ actorId: 'carol', role: 'SOURCE' }]);
    expect(await latestDevelopment(harness, 'dev-2')).toBeUndefined();
  });

  it('forgets what it learnt inside a batch that rolled back: an actor registered there does not exist after', async () => {
    const { commands } = harness;
    await expect(
      commands.inOneCommit(async () => {
        await commands('registerActor', { id: 'ghost', name: 'Ghost', kind: 'PERSON' }, EDITOR);
        // Reads ghost's first event, inside the batch.
        await commands(
          'recordDevelopment',
          development({ id: 'dev-g', participants: [{ actorId: 'ghost', role: 'SOURCE' }] }),
          EDITOR,
        );
        throw new Error('import aborted');
      }),
    ).rejects.toThrow('import aborted');
    const error = await outcome(() =>
      commands(
        'recordDevelopment',
        development({ id: 'dev-h', participants: [{ actorId: 'ghost', role: 'SOURCE' }] }),
        EDITOR,
      ),
    );
    expect(error).toBe('NOT_FOUND ["input","participants",0,"actorId"]');
  });

  it('answers a repeat inside the batch as a repeat, appending nothing', async () => {
    const { commands } = harness;
    const results = await commands.inOneCommit(async () => [
      await commands('recordDevelopment', development({ id: 'dev-r' }), EDITOR),
      await commands('recordDevelopment', development({ id: 'dev-r' }), EDITOR),
    ]);
    expect(results.map((result) => result.appended)).toEqual([1, 0]);
    expect(results[1]!.position).toEqual(results[0]!.position);
  });
});

describe('loadSeed', () => {
  it('loads a seed whole or not at all: a bad line leaves none of the lines before it in the log', async () => {
    const file = path.join(harness.dir, 'seed.ndjson');
    const lines = [
      { command: 'registerActor', input: { id: 'dora', name: 'Dora', kind: 'PERSON' } },
      {
        command: 'recordDevelopment',
        input: development({ id: 'dev-s1', participants: [{ actorId: 'dora', role: 'SOURCE' }] }),
      },
      {
        command: 'recordDevelopment',
        input: development({ id: 'dev-s2', participants: [{ actorId: 'nobody', role: 'SOURCE' }] }),
      },
    ];
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
    const before = await harness.logLength();

    await expect(loadSeed(harness.commands, file)).rejects.toThrow(/seed line 3 \(recordDevelopment\)/);
    expect(await harness.logLength()).toBe(before);

    writeFileSync(
      file,
      lines
        .slice(0, 2)
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    await expect(loadSeed(harness.commands, file)).resolves.toMatchObject({ commands: 2, appended: 2 });
    expect((await harness.logLength()) - before).toBe(2);
  });
});
