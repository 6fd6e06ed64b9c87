import type { ApolloServerPlugin } from '@apollo/server';
import { authorize } from '../auth/api-keys.js';
import { accessOf } from './access.js';
import { graphQLError } from './common/errors.js';
import type { GraphQLContext } from './context.js';
import { checkOperationLimits, type OperationLimits } from './operation-limits.js';

const HTTP_STATUS = { UNAUTHENTICATED: 401, FORBIDDEN: 403 } as const;

/**
 * A 401 names the scheme that would be accepted (RFC 9110, RFC 6750); a key that is not one is an invalid_token,
 * so that a client can tell "send a key" from "this key is wrong". A 403 needs no challenge: another key would.
 */
const challengeFor = (code: keyof typeof HTTP_STATUS, sentKey: boolean): Map<string, string> =>
  new Map(
    code === 'UNAUTHENTICATED'
      ? [['www-authenticate', sentKey ? 'Bearer realm="timeline", error="invalid_token"' : 'Bearer realm="timeline"']]
      : [],
  );

/**
 * Decides on the whole operation before any resolver runs, so that a refused mutation appends nothing and a
 * refused query reads nothing: first who may run it, then what it may cost.
 */
export const gatePlugin = (readersRequired: boolean, limits: OperationLimits): ApolloServerPlugin<GraphQLContext> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation, document, schema, request }) {
        const access = operation ? accessOf(document, operation) : 'query';
        const decision = authorize(contextValue.principal, access, readersRequired);
        if (!decision.ok) {
          throw graphQLError(decision.code, decision.message, {
            http: {
              status: HTTP_STATUS[decision.code],
              headers: challengeFor(decision.code, contextValue.principal.role === 'invalid'),
            },
          });
        }
        if (operation) {
          const tooComplex = checkOperationLimits(schema, document, operation, request.variables, limits);
          if (tooComplex) throw tooComplex;
        }
      },
    };
  },
});
