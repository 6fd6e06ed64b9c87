import cliProgress from 'cli-progress';
import type { FoldProgress } from './fold-log.js';

/** Where progress goes: stderr, whose isTTY picks the bar or the plain lines. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface ProgressReporter {
  update(progress: FoldProgress): void;
  /** Ends the display (the bar's line is finished); the summary is the caller's. */
  stop(): void;
}

/** Events per second, rounded; 0 before any time has passed. */
export const rate = (events: number, elapsedMs: number): number =>
  elapsedMs <= 0 ? 0 : Math.round((events * 1000) / elapsedMs);

const percent = ({ done, total }: FoldProgress): number => (total === 0 ? 100 : Math.floor((done * 100) / total));

/** "rebuild: 120000/1000000 events (12%), 85000 events/s" */
export const progressLine = (label: string, progress: FoldProgress, unit = 'events'): string =>
  `${label}: ${progress.done}/${progress.total} ${unit} (${percent(progress)}%), ` +
  `${rate(progress.done, progress.elapsedMs)} ${unit}/s`;

/**
 * Plain lines for a log file or a pipe: one when 2 s have passed since the last, or when a new tenth of the log is
 * done, and always one for the last page.
 */
export const plainReporter = (
  stream: ProgressStream,
  label: string,
  intervalMs = 2_000,
  unit = 'events',
): ProgressReporter => {
  let lastLineAt = 0;
  let lastDecile = 0;
  return {
    update: (progress) => {
      const decile = Math.floor(percent(progress) / 10);
      const finished = progress.done >= progress.total;
      if (finished || decile > lastDecile || progress.elapsedMs - lastLineAt >= intervalMs) {
        stream.write(`${progressLine(label, progress, unit)}\n`);
        lastLineAt = progress.elapsedMs;
        lastDecile = decile;
      }
    },
    stop: () => {},
  };
};

/** A cli-progress bar on a terminal: events (or rows) done / total, percentage, the rate and the time left. */
export const barReporter = (stream: ProgressStream, label: string, unit = 'events'): ProgressReporter => {
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
      // A hidden cursor would stay hidden after a Ctrl-C.
      hideCursor: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (progress) => {
      const payload = { rate: rate(progress.done, progress.elapsedMs) };
      if (!started) {
        bar.start(progress.total, 0, payload);
        started = true;
      }
      bar.setTotal(progress.total);
      bar.update(progress.done, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
};

export const progressReporter = (stream: ProgressStream, label: string, unit = 'events'): ProgressReporter =>
  stream.isTTY ? barReporter(stream, label, unit) : plainReporter(stream, label, 2_000, unit);
