/** How the live fan-out bench quotes errors in its notes: a few distinct ones, with their causes. */

/** The first few distinct messages of a kind, for a report line. */
export const firstFew = (list: string[], item: string): void => {
  if (list.length < 5 && !list.includes(item)) list.push(item);
};

/** An error's message with its cause's (fetch hides the socket error there). */
export const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error ? `: ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}` : '';
  return `${error.message}${cause}`;
};
