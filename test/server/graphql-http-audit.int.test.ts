import { serverAudits, type Audit, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';

/**
 * The SHOULD audits of graphql-http that our server does not meet, and why. Each is listed in docs/security.md under
 * "GraphQL over HTTP". The tests below fail if one of them starts passing or if another SHOULD stops passing.
 */
const SHOULDS_NOT_MET: Readonly<Record<string, string>> = {
  '572B':
    'Apollo Server answers 400 to a document that does not parse, whatever the Accept header; the spec asks 200 ' +
    'when the client accepts application/json (the legacy media type).',
  FDE2:
    'Same choice of Apollo for documents that fail validation (400, not 200). The audit query `{ 8f31… }` is in ' +
    'fact a parse error, which gets 400 too.',
  '7B9B':
    'Apollo Server 5 answers 400 to variable coercion failures (status400ForVariableCoercionErrors is the default ' +
    'and the other setting is deprecated). The audit query also leaves $id unused, a validation error: 400 as well.',
};

// MAY audits are run and reported but not asserted. When this was written three were not met, all of them GET
// requests without a content-type or apollo-require-preflight header (5A70, D6D5, 6A70): Apollo's CSRF prevention
// refuses them with 400, on purpose, and we keep it on.

let server: InProcessServer;
const audits = serverAudits({ url: () => server.url, fetchFn: fetch });

beforeAll(async () => {
  server = await startInProcessServer();
});

afterAll(async () => {
  await server?.close();
});

const describeFailure = async (result: AuditResult): Promise<string> => {
  if (result.status === 'ok') return 'ok';
  const body = await result.response.text().catch(() => '(unreadable body)');
  return `${result.reason}; got ${result.response.status} ${result.response.headers.get('content-type')}: ${body}`;
};

const check = async (audit: Audit): Promise<void> => {
  const result = await audit.fn();
  const details = await describeFailure(result);
  if (audit.name.startsWith('MUST')) {
    expect(result.status, details).toBe('ok');
  } else if (audit.name.startsWith('SHOULD')) {
    const expected = audit.id in SHOULDS_NOT_MET ? 'not met' : 'met';
    expect(result.status === 'ok' ? 'met' : 'not met', details).toBe(expected);
  }
};

for (const audit of audits) it(`${audit.id} ${audit.name}`, () => check(audit));

it('lists only SHOULD audits that graphql-http still has as not met', () => {
  const shoulds = audits.filter((audit) => audit.name.startsWith('SHOULD')).map((audit) => audit.id);
  expect(shoulds).toEqual(expect.arrayContaining(Object.keys(SHOULDS_NOT_MET)));
});
