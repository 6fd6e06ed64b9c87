import { Cluster, Redis, type ChainableCommander } from 'ioredis';
import { keySlot } from './redis-read-keys.js';
import { defineScripts } from './scripts.js';

export type RedisConnection = Redis | Cluster;

export type RedisTarget =
  | { readonly url: string; readonly nodes?: undefined }
  | { readonly nodes: readonly { readonly host: string; readonly port: number }[]; readonly url?: undefined };

/**
 * Opens the connection and defines the store's scripts. ioredis connects at once and holds commands until it is
 * ready (a cluster: until it knows the slots), so opening needs no await; trouble shows in the first commands.
 */
export const connect = (target: RedisTarget, onError: (error: Error) => void): RedisConnection => {
  const connection: RedisConnection = target.nodes
    ? new Cluster([...target.nodes], {
        redisOptions: { maxRetriesPerRequest: 2, connectTimeout: 5_000 },
        clusterRetryStrategy: (times) => (times > 10 ? null : Math.min(100 * times, 1_000)),
      })
    : new Redis(target.url, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  connection.on('error', onError);
  defineScripts(connection);
  return connection;
};

/** Resolves once a cluster knows its slots and nodes (sendAll groups commands by node; clear walks the masters). */
export const clusterReady = (cluster: Cluster): Promise<void> =>
  cluster.status === 'ready'
    ? Promise.resolve()
    : new Promise((resolve, reject) => {
        const settle = (error?: Error) => {
          cluster.off('ready', onReady);
          cluster.off('end', onEnd);
          if (error) reject(error);
          else resolve();
        };
        const onReady = () => settle();
        const onEnd = () => settle(new Error('the Redis Cluster connection of the read-model store has ended'));
        cluster.once('ready', onReady);
        cluster.once('end', onEnd);
      });

/** One command (or script call) of a pipeline, with the key that routes it. */
export interface Routed {
  readonly key: string;
  queue(pipeline: ChainableCommander): void;
}

const unwrap = (results: [Error | null, unknown][] | null): unknown[] => {
  if (results === null) throw new Error('a Redis pipeline was discarded');
  return results.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
};

/**
 * Sends commands in one round trip, answers in their order. A single Redis takes one pipeline, in order. ioredis
 * sends a cluster pipeline to one node only, so the commands go as one pipeline per node (concurrently), each
 * keeping the order the commands have among themselves: the commands of one slot run in the order given.
 */
export const sendAll = async (connection: RedisConnection, commands: readonly Routed[]): Promise<unknown[]> => {
  if (commands.length === 0) return [];
  if (!(connection instanceof Cluster)) {
    const pipeline = connection.pipeline();
    for (const command of commands) command.queue(pipeline);
    return unwrap(await pipeline.exec());
  }
  await clusterReady(connection);
  const groups = new Map<string, number[]>();
  commands.forEach((command, at) => {
    const slot = keySlot(command.key);
    const node = connection.slots[slot]?.join(';') ?? `slot ${slot}`;
    let members = groups.get(node);
    if (!members) groups.set(node, (members = []));
    members.push(at);
  });
  const answers = new Array<unknown>(commands.length);
  await Promise.all(
    [...groups.values()].map(async (members) => {
      const pipeline = connection.pipeline();
      for (const at of members) commands[at]!.queue(pipeline);
      unwrap(await pipeline.exec()).forEach((answer, at) => (answers[members[at]!] = answer));
    }),
  );
  return answers;
};

/** Every key of one node that matches a SCAN pattern (a cluster is scanned node by node: SCAN is per node). */
export const scanKeys = async (node: Redis, pattern: string): Promise<string[]> => {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...page);
    cursor = next;
  } while (cursor !== '0');
  return found;
};
