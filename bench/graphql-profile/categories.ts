/**
 * Where a CPU profile's time went, by the code that spent it: a sample's own (self) time is charged to the package or
 * part of Node.js its function belongs to, or to the project's folder under src/. The order of the rules matters:
 * the first that matches wins.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

const NATIVE: Readonly<Record<string, string>> = {
  '(garbage collector)': 'garbage collection',
  '(program)': 'native code (V8, libuv, the HTTP parser)',
  '(idle)': 'idle',
  '(root)': 'native code (V8, libuv, the HTTP parser)',
};

/** Where a file of one of these packages sits: `/node_modules/<name>/`, scoped names included. */
const inPackages = (...names: string[]): RegExp =>
  new RegExp(`/node_modules/(?:${names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})/`);

/** Node's own modules whose URL starts with one of these: `node:<prefix>`. */
const inNode = (...prefixes: string[]): RegExp => new RegExp(`^node:(?:${prefixes.join('|')})`);

const PACKAGES: readonly (readonly [RegExp, string])[] = [
  [/\/graphql\/(execution|jsutils\/(?:promiseReduce|Path|isPromise))/, 'graphql-js execution'],
  [/\/graphql\/(language|validation|utilities)\//, 'graphql-js parse, validate, utilities'],
  [/\/graphql\//, 'graphql-js other'],
  [inPackages('graphql-jit'), 'graphql-jit (compiled execution)'],
  [inPackages('graphql-query-complexity'), 'complexity analysis'],
  [/\/@apollo\//, 'Apollo Server'],
  [
    inPackages(
      '@as-integrations/express5',
      'express',
      'router',
      'body-parser',
      'raw-body',
      'type-is',
      'accepts',
      'negotiator',
      'content-type',
      'finalhandler',
      'send',
      'on-finished',
      'mime-types',
      'qs',
      'parseurl',
      'fresh',
      'etag',
      'vary',
      'iconv-lite',
      'cookie',
      'proxy-addr',
      'forwarded',
    ),
    'express and its middleware',
  ],
  [inPackages('compression', 'compressible'), 'compression'],
  [inPackages('cors'), 'cors'],
  [
    inPackages('pino', 'pino-std-serializers', 'sonic-boom', 'thread-stream', 'fast-redact', 'quick-format-unescaped'),
    'pino (logging)',
  ],
  [inPackages('prom-client', 'tdigest', 'bintrees'), 'prom-client (metrics)'],
  [inPackages('type-graphql'), 'type-graphql'],
  [inPackages('dataloader'), 'dataloader'],
  [inPackages('better-sqlite3'), 'better-sqlite3'],
  [inPackages('lru-cache'), 'lru-cache'],
  [inPackages('ioredis'), 'ioredis'],
  [inPackages('zod'), 'zod'],
];

const NODE: readonly (readonly [RegExp, string])[] = [
  [
    inNode(
      '_http_',
      'http$',
      'internal/http',
      'net$',
      'internal/net',
      'internal/stream_base',
      'internal/streams',
      'stream$',
      'events$',
      'internal/timers',
      'timers$',
      'internal/dns',
      'internal/url',
      'internal/errors',
      'buffer$',
      'internal/buffer',
    ),
    'Node.js HTTP, sockets, streams, timers',
  ],
  [
    inNode(
      'async_hooks',
      'internal/async_hooks',
      'internal/async_local_storage',
      'internal/process/task_queues',
      'internal/process/promises',
    ),
    'Node.js async context and task queues',
  ],
  [inNode('crypto', 'internal/crypto'), 'Node.js crypto (hashing)'],
  [/^node:/, 'Node.js other'],
];

export const categoryOf = ({ functionName, url }: CallFrame): string => {
  if (url === '')
    return NATIVE[functionName] ?? (functionName === '' ? 'native code (V8, libuv, the HTTP parser)' : 'V8 builtins');
  for (const [pattern, name] of NODE) if (pattern.test(url)) return name;
  const project = /\/(?:dist\/)?src\/([a-z-]+)\//.exec(url);
  if (project && !url.includes('/node_modules/')) return `the project: src/${project[1]}/`;
  if (/\/(?:dist\/)?src\/[a-z-]+\.[jt]s$/.test(url) && !url.includes('/node_modules/')) return 'the project: src/';
  for (const [pattern, name] of PACKAGES) if (pattern.test(url)) return name;
  if (/\/bench\/[a-z-]+\.ts$/.test(url)) return "the baseline's own handler";
  const module = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return module ? `other packages (${module[1]})` : 'other';
};
