import type { Sample } from './results.js';
import { REQUEST_TIMEOUT_MS } from './settings.js';

/** The bare ws baseline's messages, shaped and sized like the timeline's, and how the bench drives its server. */

/** A graphql-ws `next` message like the sample, its id, send stamp and padding as placeholders, `bytes` long. */
export const templateFor = (sample: Sample | null, prefix: string, writes: number): string => {
  const message = (sample?.message as Record<string, unknown> | undefined) ?? {
    id: '00000000-0000-4000-8000-000000000000',
    type: 'next',
    payload: {
      data: {
        timelineChanges: {
          cursor: '0000000000000001',
          change: 'RECORDED',
          development: {
            id: 'x',
            title: 'Bench development 0'.padEnd(48, '.'),
            occurredAt: '2024-01-01T00:00:00.000Z',
          },
        },
      },
    },
  };
  const target = sample?.bytes ?? Buffer.byteLength(JSON.stringify(message));
  const copy = structuredClone(message) as {
    payload: { data: { timelineChanges: { development: { id: string; title: string } } }; extensions?: unknown };
  };
  const development = copy.payload.data.timelineChanges.development;
  development.id = '__ID__';
  copy.payload.extensions = { sentAt: '__SENT__' };
  const build = () => JSON.stringify(copy).replace('"__SENT__"', '__SENT__');
  const difference = target - typicalBytes(build(), prefix, writes);
  if (difference >= 0) development.title += '.'.repeat(difference);
  else development.title = development.title.slice(0, Math.max(1, development.title.length + difference));
  return build();
};

/** A message's size once sent: the stamp written as e.g. 1718000000000.123, the id with a typical sequence number. */
export const typicalBytes = (template: string, prefix: string, writes: number): number =>
  Buffer.byteLength(template) -
  '__ID__'.length +
  `${prefix}${Math.floor(writes / 2)}`.length -
  '__SENT__'.length +
  `${Date.now()}.123`.length;

export interface BareStats {
  readonly clients: number;
  readonly broadcasting: boolean;
  readonly sent: number;
}

export const bareStats = async (base: string): Promise<BareStats> => {
  const response = await fetch(`${base}/stats`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (response.status !== 200) throw new Error(`the bare server's /stats answered ${response.status}`);
  return (await response.json()) as BareStats;
};

export const bareBroadcast = async (
  base: string,
  order: { template: string; prefix: string; count: number; rate: number },
): Promise<void> => {
  const response = await fetch(`${base}/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 202) throw new Error(`broadcast refused: ${response.status} ${await response.text()}`);
};
