import Negotiator from 'negotiator';
import type { ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import vary from 'vary';
import type { Exchange } from './exchange.js';

/**
 * Writes an answer's whole body, compressed (brotli or gzip, as the client accepts) above 1 kB, as the `compression`
 * package does for the pages: the same negotiation, threshold and brotli quality 4, a `Vary: Accept-Encoding` on every
 * answer. Every answer of /graphql is one complete text, so it is compressed in one call on libuv's threads rather than
 * through a stream: the package's per-request plumbing (its wrappers and listeners on every response) quadrupled the
 * young-generation pauses of a small query and brought on a full collection every half second (docs/performance.md,
 * "GraphQL throughput").
 */

const THRESHOLD_BYTES = 1_024;
const ENCODINGS = ['br', 'gzip', 'deflate', 'identity'];
const PREFERRED = ['br', 'gzip'];
const NO_TRANSFORM = /(?:^|,)\s*?no-transform\s*?(?:,|$)/;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

const compressed = (encoding: string, body: Buffer): Promise<Buffer> =>
  encoding === 'br'
    ? brotli(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      })
    : encoding === 'gzip'
      ? gzip(body)
      : deflate(body);

const encodingFor = (exchange: Exchange, bytes: number): string => {
  const { request, response } = exchange;
  if (bytes < THRESHOLD_BYTES || request.method === 'HEAD' || !request.headers['accept-encoding']) return 'identity';
  if (response.getHeader('Content-Encoding') || NO_TRANSFORM.test(String(response.getHeader('Cache-Control') ?? ''))) {
    return 'identity';
  }
  // negotiator 1 takes the server's preference among equals as an option (its types are of 0.6, without it).
  const negotiator = new Negotiator(request) as unknown as {
    encoding(available: string[], options: { preferred: string[] }): string | undefined;
  };
  return negotiator.encoding(ENCODINGS, { preferred: PREFERRED }) ?? 'identity';
};

const endWith = (response: ServerResponse, body: string | Buffer, bytes: number): void => {
  response.setHeader('Content-Length', bytes);
  response.end(body);
};

export const sendBody = async (exchange: Exchange, text: string): Promise<void> => {
  const { response } = exchange;
  vary(response, 'Accept-Encoding');
  const bytes = Buffer.byteLength(text);
  const encoding = encodingFor(exchange, bytes);
  if (encoding === 'identity') return endWith(response, text, bytes);
  const body = await compressed(encoding, Buffer.from(text));
  // Answered meanwhile (the time limit's refusal) or the client gone.
  if (response.headersSent || response.destroyed) return;
  response.setHeader('Content-Encoding', encoding);
  endWith(response, body, body.length);
};
