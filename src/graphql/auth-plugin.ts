import type { ApolloServerPlugin } from '@apollo/server';
import { authorize } from '../auth/api-keys.js';
import { graphQLError } from './common/errors.js';
import type { GraphQLContext } from './context.js';

const HTTP_STATUS = { UNAUTHENTICATED: 401, FORBIDDEN: 403 } as const;

/**
 * Decides on the whole operation before any resolver runs, so that a refused mutation appends nothing and a
 * refused query reads nothing.
 */
export const authPlugin = (readersRequired: boolean): ApolloServerPlugin<GraphQLContext> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation }) {
        const decision = authorize(contextValue.principal, operation?.operation ?? 'query', readersRequired);
        if (!decision.ok) {
          throw graphQLError(decision.code, decision.message, { http: { status: HTTP_STATUS[decision.code] } });
        }
      },
    };
  },
});
