import cors from 'cors';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { CorsOrigins } from '../config/environment.js';

/**
 * What a page on another origin may send and read. Keys travel in the Authorization header, never in cookies, so
 * no credentials are allowed: a page can only use a key it holds itself, never one the browser would add.
 */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-correlation-id',
  'x-request-id',
];
const EXPOSED_HEADERS = ['x-request-id', 'etag', 'retry-after', 'ratelimit', 'ratelimit-policy'];

/** How long a browser may keep a preflight's answer (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS for the API, by the `cors` package: the configured origins (or any, with `*`) are told so, with the headers
 * above; any other origin gets no Access-Control-* header, so its browser refuses it the answer. A preflight is
 * answered 204 either way.
 */
export const crossOrigin = (origins: CorsOrigins): RequestHandler =>
  cors({
    origin: origins === 'any' ? '*' : [...origins],
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_S,
  });

/**
 * Whether a WebSocket handshake may go on. Browsers send Origin on every handshake and do not apply CORS to it, so
 * the server does: the page's own origin (the host it was served from, GraphiQL's) and the configured ones pass.
 * Clients that are not browsers send no Origin and pass; they could send any Origin anyway.
 */
export const webSocketOriginAllowed = (origins: CorsOrigins, request: IncomingMessage): boolean => {
  const origin = request.headers.origin;
  if (origin === undefined || origins === 'any') return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  // The scheme is left out of the own-origin test: behind a proxy ending TLS, the page is https and the socket not.
  return host === request.headers.host || origins.includes(origin.toLowerCase());
};
