/** Lets the wall clock move on, so that the store's recordedAt values on either side of a mark strictly differ. */
export const pause = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A transaction-time mark between two commands: strictly after every event recorded so far and strictly before
 * every event recorded after it returns (the store stamps recordedAt with Date.now(), in milliseconds).
 */
export const mark = async (ms = 5): Promise<Date> => {
  await pause(ms);
  const now = new Date();
  await pause(ms);
  return now;
};
