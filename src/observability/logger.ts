import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino blanks out whatever a log call passes: a second line of defence behind the rule that keys, connection
 * params and variables are never logged at all. Variables may hold anything a client sends; connection params
 * carry the key of a WebSocket client.
 */
const REDACTED_PATHS: readonly string[] = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'request.headers.cookie',
  'connectionParams',
  '*.connectionParams',
  'variables',
  '*.variables',
  'variableValues',
  '*.variableValues',
];

/** The process's logger: structured JSON lines at `level`, to stdout unless a destination is given (tests). */
export const createLogger = (level: string, destination?: DestinationStream): Logger => {
  const options = { level, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
};
