import { describe, expect, it } from 'vitest';
import type { LogPosition } from '../../events/index.js';
import { createTimelineMetrics } from '../../src/observability/metrics.js';
import { errorCodeLabel, operationNameLabels } from '../../src/observability/operation-labels.js';
import { parsePrometheusText, valueOf } from './prometheus-text.js';

const at = (commit: number): LogPosition => ({ commit: BigInt(commit), prepare: BigInt(commit) });

/** A metrics registry over a log whose head and a read model whose checkpoint the test sets. */
const watched = (head: () => Promise<LogPosition | null>, checkpoint: LogPosition | null) => {
  const metrics = createTimelineMetrics();
  metrics.watchReadModel({ store: { headPosition: head }, projector: { checkpoint } });
  return async () => parsePrometheusText(await metrics.scrape());
};

describe('timeline_projection_lag_events', () => {
  it('is the head commit minus the checkpoint commit, read at the scrape', async () => {
    expect(valueOf(await watched(async () => at(10), at(7))(), 'timeline_projection_lag_events')).toBe(3);
    expect(valueOf(await watched(async () => at(4), null)(), 'timeline_projection_lag_events')).toBe(4);
    expect(valueOf(await watched(async () => null, null)(), 'timeline_projection_lag_events')).toBe(0);
    expect(valueOf(await watched(async () => at(5), at(5))(), 'timeline_projection_lag_events')).toBe(0);
  });

  it('is NaN when the log does not answer, and the scrape still succeeds', async () => {
    const scrape = watched(async () => {
      throw new Error('store away');
    }, at(1));
    expect(valueOf(await scrape(), 'timeline_projection_lag_events')).toBeNaN();
  });
});

describe('metrics of two servers in one process', () => {
  it('count apart', async () => {
    const [a, b] = [createTimelineMetrics(), createTimelineMetrics()];
    a.appended('registerActor', 2);
    a.rejected(['FORBIDDEN', 'FORBIDDEN', 'BAD_USER_INPUT']);
    const samplesA = parsePrometheusText(await a.scrape());
    const samplesB = parsePrometheusText(await b.scrape());
    expect(valueOf(samplesA, 'timeline_events_appended_total', { command: 'registerActor' })).toBe(2);
    expect(valueOf(samplesB, 'timeline_events_appended_total', { command: 'registerActor' })).toBe(0);
    // Once per distinct code in a response.
    expect(valueOf(samplesA, 'timeline_requests_rejected_total', { code: 'FORBIDDEN' })).toBe(1);
    expect(valueOf(samplesA, 'timeline_requests_rejected_total', { code: 'BAD_USER_INPUT' })).toBe(1);
  });
});

describe('label values taken from requests', () => {
  it('keep plain operation names up to a number of them, and fold the rest', () => {
    const label = operationNameLabels(2);
    expect(label('Topics')).toBe('Topics');
    expect(label(undefined)).toBe('anonymous');
    expect(label('has space')).toBe('anonymous');
    expect(label(`Q${'x'.repeat(63)}`)).toBe(`Q${'x'.repeat(63)}`);
    expect(label(`Q${'x'.repeat(64)}`)).toBe('anonymous');
    expect(label('Third')).toBe('other');
    expect(label('Topics')).toBe('Topics');
  });

  it('keep error codes that look like codes', () => {
    expect(errorCodeLabel('RATE_LIMITED')).toBe('RATE_LIMITED');
    expect(errorCodeLabel('<script>')).toBe('OTHER');
    expect(errorCodeLabel(undefined)).toBe('NO_CODE');
  });
});
