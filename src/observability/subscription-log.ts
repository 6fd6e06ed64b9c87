import { randomUUID } from 'node:crypto';
import { getOperationAST, type DocumentNode, type GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { TimelineMetrics } from './metrics.js';
import { runInRequestScope } from './request-log.js';

/** The longest operation name a log line repeats; names are the client's choice. */
const LOGGED_NAME_LENGTH = 128;

/** What a log line says about one operation; never its variables or the socket's connection params. */
interface SubscriptionFacts {
  readonly operationName: string | undefined;
  /** subscription (graphql-ws carries queries too); unknown for a document the gates refused unread. */
  readonly operationType: string;
  readonly keyName: string;
}

interface Open extends SubscriptionFacts {
  readonly logger: Logger;
  readonly startedAt: number;
  readonly codes: Set<string>;
}

const codesOf = (errors: readonly GraphQLError[]): string[] =>
  errors.map((error) => {
    const code = error.extensions?.code;
    return typeof code === 'string' ? code : 'NO_CODE';
  });

/** The operation the gates resolved (its own name, else the one the client named), when they let it through. */
const describe = (outcome: unknown, requested: string | null | undefined) => {
  const args = outcome as { document?: DocumentNode; operationName?: string | null } | undefined;
  const operation = args?.document ? getOperationAST(args.document, args.operationName) : null;
  return {
    operationName: (operation?.name?.value ?? requested ?? undefined)?.slice(0, LOGGED_NAME_LENGTH),
    operationType: operation?.operation ?? 'unknown',
  };
};

/**
 * Request ids and log lines for graphql-ws operations: each subscribe message gets an id of its own (a socket
 * carries many operations), its context's correlation id, bound into a child logger; one line says it was refused,
 * or that it ended and how long it ran.
 */
export const observeSubscriptions = ({ logger, metrics }: { logger: Logger; metrics: TimelineMetrics }) => {
  // Keyed by the socket's context, so that a closed socket's entries go with it.
  const open = new WeakMap<object, Map<string, Open>>();

  return {
    /**
     * Wraps onSubscribe's gates: they get the request id to build their context with, and what they decide (an
     * array of errors is a refusal) is logged and counted.
     */
    gated:
      <C extends object, P extends { readonly operationName?: string | null }, R>(
        keyNameFor: (ctx: C) => string,
        gates: (ctx: C, id: string, payload: P, requestId: string) => Promise<R>,
      ) =>
      async (ctx: C, id: string, payload: P): Promise<R> => {
        const requestId = randomUUID();
        const requestLogger = logger.child({ requestId });
        // The gates' own lines (a rate limit Redis could not check) carry the id too.
        const outcome = await runInRequestScope({ requestId, logger: requestLogger }, () =>
          gates(ctx, id, payload, requestId),
        );
        const facts: SubscriptionFacts = { ...describe(outcome, payload.operationName), keyName: keyNameFor(ctx) };
        if (Array.isArray(outcome)) {
          const codes = codesOf(outcome as GraphQLError[]);
          metrics.rejected(codes);
          requestLogger.info({ ...facts, errorCodes: [...new Set(codes)] }, 'subscription refused');
        } else if (outcome) {
          let operations = open.get(ctx);
          if (!operations) open.set(ctx, (operations = new Map()));
          operations.set(id, { ...facts, logger: requestLogger, startedAt: Date.now(), codes: new Set() });
          requestLogger.debug(facts, 'subscription started');
        }
        return outcome;
      },
    /** Errors sent on a running subscription (SUBSCRIBER_TOO_SLOW, a failure): named in its last line. */
    failed: (ctx: object, id: string, errors: readonly GraphQLError[]) => {
      const operation = open.get(ctx)?.get(id);
      for (const code of codesOf(errors)) operation?.codes.add(code);
    },
    /** The subscription completed, was stopped by its client, or its socket closed. */
    ended: (ctx: object, id: string) => {
      const operations = open.get(ctx);
      const operation = operations?.get(id);
      if (!operations || !operation) return;
      operations.delete(id);
      const { logger: requestLogger, startedAt, codes, ...facts } = operation;
      requestLogger.info(
        {
          ...facts,
          durationMs: Date.now() - startedAt,
          ...(codes.size > 0 ? { errorCodes: [...codes] } : {}),
        },
        'subscription ended',
      );
    },
  };
};
