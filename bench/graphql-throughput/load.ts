import autocannon from 'autocannon';
import { BenchVoid } from '../support/lifecycle.js';
import { cpuSecondsOf } from '../support/proc.js';

/**
 * One load of one request on one serving process: autocannon at N connections for D seconds, and the CPU the
 * process used meanwhile (/proc/<pid>/stat). Every answer must be the expected one, byte for byte (autocannon's
 * expectBody) or, for a refusal, of the expected status: anything else voids the run.
 */

export interface Target {
  readonly name: string;
  readonly pid: number;
  readonly graphqlUrl: string;
}

export interface Load {
  readonly connections: number;
  readonly seconds: number;
}

export interface Sent {
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An answer's exact text (a query), or only its status (a refusal: its text names the request). */
  readonly expect: { readonly text: string } | { readonly status: number };
}

export interface Figures {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly cpuMicrosPerRequest: number;
}

export const loadOnce = async (target: Target, sent: Sent, load: Load, what: string): Promise<Figures> => {
  const cpuBefore = cpuSecondsOf(target.pid);
  const result = await autocannon({
    url: target.graphqlUrl,
    method: 'POST',
    connections: load.connections,
    duration: load.seconds,
    headers: { 'content-type': 'application/json', ...sent.headers },
    body: sent.body,
    ...('text' in sent.expect ? { expectBody: sent.expect.text } : {}),
  });
  const cpuSeconds = cpuSecondsOf(target.pid) - cpuBefore;
  const answered = result.requests.total;
  const wrongStatus =
    'text' in sent.expect ? result.non2xx : answered - (result.statusCodeStats?.[`${sent.expect.status}`]?.count ?? 0);
  if (answered === 0 || result.errors > 0 || result.timeouts > 0 || wrongStatus > 0 || result.mismatches > 0) {
    throw new BenchVoid(
      `${target.name}, ${what}: ${answered} answers, ${result.errors} errors, ${result.timeouts} timeouts, ` +
        `${wrongStatus} of another status, ${result.mismatches} other answers`,
    );
  }
  return {
    requestsPerSecond: answered / load.seconds,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: (cpuSeconds * 1e6) / answered,
  };
};

/** One answer, as text, with its status (the check before the load). */
export const askOnce = async (
  target: Target,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ status: number; text: string }> => {
  const response = await fetch(target.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
};
