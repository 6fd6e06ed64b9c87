import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/cli.js';
import { summaryLine } from '../../src/cli/commands/rebuild.js';
import { UsageError } from '../../src/cli/errors.js';
import { estimateEventCount, formatPosition } from '../../src/cli/fold-log.js';
import type { CliIo } from '../../src/cli/io.js';
import { barReporter, plainReporter, progressLine, progressReporter } from '../../src/cli/progress.js';

const collector = (isTTY = false) => {
  let text = '';
  return {
    isTTY,
    write: (chunk: string, callback?: (error?: Error | null) => void) => {
      text += chunk;
      callback?.(null);
      return true;
    },
    text: () => text,
  };
};

const io = () => {
  const stdout = collector();
  const stderr = collector();
  const value: CliIo = { stdout, stderr, env: {}, now: () => new Date('2030-01-01T00:00:00Z') };
  return { io: value, stdout, stderr };
};

describe('parseInstant', () => {
  const instant = (raw: string) => parseInstant('replay', 'as-of', raw).toISOString();

  it('takes ISO-8601 instants with Z or an offset, and a bare day as its start in UTC', () => {
    expect(instant('2025-10-17T12:00:00Z')).toBe('2025-10-17T12:00:00.000Z');
    expect(instant('2025-10-17T12:00Z')).toBe('2025-10-17T12:00:00.000Z');
    expect(instant('2025-10-17T14:00:00.123456+02:00')).toBe('2025-10-17T12:00:00.123Z');
    expect(instant('2025-10-17T07:30:00-0430')).toBe('2025-10-17T12:00:00.000Z');
    expect(instant('2025-10-17')).toBe('2025-10-17T00:00:00.000Z');
    expect(instant('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(instant('0099-01-01')).toBe('0099-01-01T00:00:00.000Z');
  });

  it.each([
    ['2025-02-29', 'is not a day of the calendar'],
    ['2025-04-31T00:00:00Z', 'is not a day of the calendar'],
    ['2025-00-10', 'is not a day of the calendar'],
    ['2025-10-17T24:00:00Z', 'is not a time of day'],
    ['2025-10-17T12:00:00+19:00', 'has an offset out of range'],
    ['2025-10-17T12:00:00', 'has no time zone'],
    ['2025-10-17 12:00', 'has no time zone'],
    ['October 17, 2025', 'is not an ISO-8601 date'],
    ['1760702400000', 'is not an ISO-8601 date'],
    ['', 'is not an ISO-8601 date'],
  ])('refuses %j: %s', (raw, why) => {
    expect(() => instant(raw)).toThrow(UsageError);
    expect(() => instant(raw)).toThrow(why);
  });
});

describe('progress', () => {
  it('prints a plain line per tenth of the log, every 2 s, and for the last page', () => {
    const stream = collector();
    const reporter = plainReporter(stream, 'rebuild');
    reporter.update({ done: 0, total: 1000, elapsedMs: 0 });
    reporter.update({ done: 50, total: 1000, elapsedMs: 100 });
    reporter.update({ done: 120, total: 1000, elapsedMs: 200 });
    reporter.update({ done: 150, total: 1000, elapsedMs: 2300 });
    reporter.update({ done: 160, total: 1000, elapsedMs: 2400 });
    reporter.update({ done: 1000, total: 1000, elapsedMs: 5000 });
    expect(stream.text().split('\n')).toEqual([
      'rebuild: 120/1000 events (12%), 600 events/s',
      'rebuild: 150/1000 events (15%), 65 events/s',
      'rebuild: 1000/1000 events (100%), 200 events/s',
      '',
    ]);
  });

  it('formats the line of the brief', () => {
    expect(progressLine('rebuild', { done: 120_000, total: 1_000_000, elapsedMs: 1_411.765 })).toBe(
      'rebuild: 120000/1000000 events (12%), 85000 events/s',
    );
  });

  it('draws a bar with events done, total and rate on a terminal', () => {
    const stream = collector(true);
    const reporter = barReporter(stream, 'rebuild');
    reporter.update({ done: 0, total: 64, elapsedMs: 0 });
    reporter.update({ done: 64, total: 64, elapsedMs: 32 });
    reporter.stop();
    expect(stream.text()).toContain('64/64 events | 2000 events/s');
  });

  it('counts rows instead of events for an import, in the bar and in the lines', () => {
    const bar = collector(true);
    const reporter = progressReporter(bar, 'import gdelt', 'rows');
    reporter.update({ done: 0, total: 2271, elapsedMs: 0 });
    reporter.update({ done: 2271, total: 2271, elapsedMs: 227.1 });
    reporter.stop();
    expect(bar.text()).toContain('import gdelt [');
    expect(bar.text()).toContain('2271/2271 rows | 10000 rows/s');
    const lines = collector(false);
    progressReporter(lines, 'import gdelt', 'rows').update({ done: 2271, total: 2271, elapsedMs: 227.1 });
    expect(lines.text()).toBe('import gdelt: 2271/2271 rows (100%), 10000 rows/s\n');
  });

  it('summarizes a rebuild in one line', () => {
    const position = { commit: 1_000_000n, prepare: 1_000_000n };
    expect(summaryLine({ events: 1_000_000, elapsedMs: 11_806, checkpoint: position }, 412 * 1024 * 1024)).toBe(
      'rebuild: 1000000 events in 11.8 s (84703 events/s), checkpoint 1000000, rss 412 MB',
    );
    expect(summaryLine({ events: 0, elapsedMs: 0, checkpoint: null }, 0)).toBe(
      'rebuild: 0 events in 0.00 s (0 events/s), checkpoint none, rss 0 MB',
    );
  });

  it('estimates the event count from the head position, and prints positions', () => {
    expect(estimateEventCount(null)).toBe(0);
    expect(estimateEventCount({ commit: 64n, prepare: 64n })).toBe(64);
    expect(formatPosition({ commit: 64n, prepare: 64n })).toBe('64');
    expect(formatPosition({ commit: 7n, prepare: 5n })).toBe('7:5');
  });
});

describe('runCli', () => {
  it('prints help on stdout with exit code 0', async () => {
    const { io: cli, stdout, stderr } = io();
    expect(await runCli(['--help'], cli)).toBe(0);
    expect(stdout.text()).toContain('Usage: timeline <command> [options]');
    expect(await runCli(['rebuild', '-h'], cli)).toBe(0);
    expect(stdout.text()).toContain('Usage: timeline rebuild [--data-dir <dir>]');
    expect(stderr.text()).toBe('');
  });

  it('refuses options before the command, unknown options and help for no command, with exit code 2', async () => {
    for (const argv of [
      ['--as-of', '2025-10-17', 'replay'],
      ['replay', '--asof', '2025-10-17'],
      ['help', 'frob'],
    ]) {
      const { io: cli, stdout, stderr } = io();
      expect(await runCli(argv, cli), argv.join(' ')).toBe(2);
      expect(stdout.text()).toBe('');
      expect(stderr.text()).toContain('Usage: timeline');
    }
  });
});
