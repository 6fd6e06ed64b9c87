/**
 * JSON for what the read models hold, which plain JSON would bend: Maps and Sets (it drops them), Dates (it turns
 * them into strings), bigint log positions (it throws) and Infinity (it writes null). Each is written as a one-key
 * object whose key starts with "$", a shape our own records never take.
 */

type Tagged =
  | { $map: [unknown, unknown][] }
  | { $set: unknown[] }
  | { $date: string }
  | { $bigint: string }
  | { $number: 'Infinity' | '-Infinity' | 'NaN' };

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // JSON.stringify has already called toJSON on a Date by the time `value` arrives: the holder still has the Date.
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.toISOString() } satisfies Tagged;
  if (value instanceof Map) return { $map: [...value.entries()] } satisfies Tagged;
  if (value instanceof Set) return { $set: [...value] } satisfies Tagged;
  if (typeof value === 'bigint') return { $bigint: value.toString() } satisfies Tagged;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { $number: String(value) as 'Infinity' | '-Infinity' | 'NaN' } satisfies Tagged;
  }
  return value;
}

/**
 * Turns the tagged objects of a parsed record back into what they stood for, in place, children first. A walk after
 * a plain JSON.parse costs about a third of a reviver, which JSON.parse calls back for every value: reads decode
 * thousands of records per question, so this is on the hot path.
 */
const revive = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = revive(value[index]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    const tagged = record as Partial<Record<string, unknown>>;
    if ('$map' in tagged) return new Map((revive(tagged.$map) as [unknown, unknown][]) ?? []);
    if ('$set' in tagged) return new Set(revive(tagged.$set) as unknown[]);
    if ('$date' in tagged) return new Date(tagged.$date as string);
    if ('$bigint' in tagged) return BigInt(tagged.$bigint as string);
    if ('$number' in tagged) return Number(tagged.$number);
  }
  for (const key of keys) record[key] = revive(record[key]);
  return record;
};

export const encodeRecord = (value: unknown): string => JSON.stringify(value, replacer);

export const decodeRecord = <T>(text: string): T => revive(JSON.parse(text)) as T;
