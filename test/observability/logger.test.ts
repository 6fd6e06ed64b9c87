import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';

describe('the logger', () => {
  it('blanks keys, connection params and variables, however a log call passes them', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info({ req: { headers: { authorization: 'Bearer secret-1', host: 'example' } } }, 'request');
    logger.info({ authorization: 'Bearer secret-2', connectionParams: { authorization: 'Bearer secret-3' } }, 'ws');
    logger.info({ payload: { query: '{ a }', variables: { name: 'secret-4' } } }, 'payload');
    logger.child({ requestId: 'r-1' }).info({ variables: { name: 'secret-5' } }, 'child');
    const text = lines.join('');
    for (const secret of ['secret-1', 'secret-2', 'secret-3', 'secret-4', 'secret-5'])
      expect(text).not.toContain(secret);
    expect(text).toContain('"host":"example"');
    expect(text).toContain('"query":"{ a }"');
    expect(text).toContain('"requestId":"r-1"');
  });
});
