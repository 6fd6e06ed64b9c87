/**
 * The baseline for bench/live-fanout.ts: a bare `ws` WebSocketServer with no GraphQL in the way. Clients connect to
 * ws://HOST:PORT/ws; the bench drives it over plain HTTP on the same port:
 *
 *   GET  /readyz     -> 200 once it listens (as the timeline server's, so one launcher starts both)
 *   GET  /stats      -> { clients, broadcasting, sent }
 *   POST /broadcast  <- { template, prefix, count, rate }: sends `count` messages at `rate` per second to every
 *                       client; in `template`, "__ID__" becomes prefix + sequence number and __SENT__ the send
 *                       moment (performance.timeOrigin + performance.now(), in ms), stamped once per broadcast.
 *
 * Only for the bench: it listens on 127.0.0.1, prints {"url": ...} once ready, and exits when its stdin closes
 * (the bench went away) or on SIGTERM/SIGINT.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';

interface BroadcastRequest {
  readonly template: string;
  readonly prefix: string;
  readonly count: number;
  readonly rate: number;
}

const MAX_BODY = 1_000_000;
const ID_TOKEN = '__ID__';
const SENT_TOKEN = '__SENT__';
// Loopback only, whatever the environment says: this is a bench fixture, not a service.
const host = '127.0.0.1';
const port = Number(process.env.PORT ?? '0');

let broadcasting = false;
let sent = 0;

const now = () => performance.timeOrigin + performance.now();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) reject(new Error('body too large'));
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });

const parseBroadcast = (raw: string): BroadcastRequest => {
  const value = JSON.parse(raw) as Partial<BroadcastRequest>;
  const { template, prefix, count, rate } = value;
  if (typeof template !== 'string' || !template.includes(ID_TOKEN) || !template.includes(SENT_TOKEN)) {
    throw new Error('template must be a string holding __ID__ and __SENT__');
  }
  if (typeof prefix !== 'string') throw new Error('prefix must be a string');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new Error('count must be an integer between 1 and 1000000');
  }
  if (typeof rate !== 'number' || !(rate > 0) || rate > 100_000) throw new Error('rate must be in (0, 100000]');
  return { template, prefix, count, rate };
};

/** Sends at absolute target times, so a late tick is followed by an early one and the average rate holds. */
const broadcast = async (wss: WebSocketServer, { template, prefix, count, rate }: BroadcastRequest) => {
  const interval = 1000 / rate;
  const start = performance.now();
  for (let seq = 0; seq < count; seq += 1) {
    await sleep(start + seq * interval - performance.now());
    const message = template.replace(ID_TOKEN, `${prefix}${seq}`).replace(SENT_TOKEN, now().toFixed(3));
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(message);
    }
    sent += 1;
  }
};

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const server = createServer();
const wss = new WebSocketServer({ server, path: '/ws' });

server.on('request', (request: IncomingMessage, response: ServerResponse) => {
  if (request.method === 'GET' && request.url === '/readyz') {
    json(response, 200, { ready: true });
    return;
  }
  if (request.method === 'GET' && request.url === '/stats') {
    json(response, 200, { clients: wss.clients.size, broadcasting, sent });
    return;
  }
  if (request.method === 'POST' && request.url === '/broadcast') {
    readBody(request)
      .then((raw) => {
        if (broadcasting) return json(response, 409, { error: 'already broadcasting' });
        const order = parseBroadcast(raw);
        broadcasting = true;
        sent = 0;
        json(response, 202, { started: true });
        broadcast(wss, order)
          .catch((error: unknown) => process.stderr.write(`broadcast failed: ${String(error)}\n`))
          .finally(() => (broadcasting = false));
      })
      .catch((error: unknown) => json(response, 400, { error: String(error) }));
    return;
  }
  json(response, 404, { error: 'not found' });
});

const shutdown = () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close();
  // Whatever still holds the loop open must not keep a bench child alive.
  setTimeout(() => process.exit(0), 500).unref();
};

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
// The bench holds our stdin open; when it goes away (even killed), stdin ends and so do we.
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();

server.listen(port, host, () => {
  const { port: bound } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://${host}:${bound}` })}\n`);
});
