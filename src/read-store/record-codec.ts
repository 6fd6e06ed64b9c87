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

/**
 * What JSON would bend, tagged; everything else as it is. Containers are copied only on the way to a tagged value:
 * most of a record is strings and numbers, and a walk that copies nothing of them, followed by a JSON.stringify
 * without a replacer, costs about half of one with a replacer, which JSON.stringify calls back for every value.
 */
const tag = (value: unknown): unknown => {
  switch (typeof value) {
    case 'bigint':
      return { $bigint: value.toString() } satisfies Tagged;
    case 'number':
      return Number.isFinite(value)
        ? value
        : ({ $number: String(value) as 'Infinity' | '-Infinity' | 'NaN' } satisfies Tagged);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return value;
  if (value instanceof Date) return { $date: value.toISOString() } satisfies Tagged;
  if (value instanceof Map) return { $map: [...value].map(([key, item]) => [tag(key), tag(item)]) } satisfies Tagged;
  if (value instanceof Set) return { $set: [...value].map(tag) } satisfies Tagged;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const tagged = tag(value[index]);
      if (tagged !== value[index]) (copy ??= value.slice())[index] = tagged;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const tagged = tag(record[key]);
    if (tagged !== record[key]) (copy ??= { ...record })[key] = tagged;
  }
  return copy ?? record;
};

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

export const encodeRecord = (value: unknown): string => JSON.stringify(tag(value));

export const decodeRecord = <T>(text: string): T => revive(JSON.parse(text)) as T;
