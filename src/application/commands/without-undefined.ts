/**
 * Drops undefined values at every depth, so that stored and re-sent content compare equal. What JSON would keep
 * of plain data (it runs on every command, so without the round trip through a string).
 */
export const withoutUndefined = <T>(value: T): T => strip(value) as T;

const strip = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : strip(item)));
  if (value instanceof Date) return value.toJSON();
  // fromEntries defines own properties, so that even a "__proto__" key stays data, as JSON.parse keeps it.
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, field]) => (field === undefined ? [] : [[key, strip(field)]])),
  );
};
