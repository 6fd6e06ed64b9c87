/** Drops undefined values at every depth, so that stored and re-sent content compare equal. */
export const withoutUndefined = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
