/**
 * type-graphql hands inputs over as class instances with Dates; the command handlers take plain data and
 * validate it themselves (as they do for files), so the same rules and error paths hold for every writer.
 */
export const plainInput = (input: object): unknown => JSON.parse(JSON.stringify(input));
