import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/** The contract's two scalars, from graphql-scalars: DateTime is RFC 3339 on the wire and a Date in resolvers. */
export const DateTime = DateTimeResolver;
export const JSONScalar = JSONResolver;
