import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './private-redis.js';

/**
 * A real Redis Cluster of three masters on 127.0.0.1 for a test: the machine's redis-server on free ports (and free
 * cluster bus ports, given with --cluster-port, so that no port + 10000 can fall outside the port range), joined by
 * `redis-cli --cluster create`, ready once every node says cluster_state:ok. Its files (node configs, logs) live in a
 * temp directory that dispose removes with the processes.
 */
export interface RedisClusterNodes {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  dispose(): Promise<void>;
}

const HOST = '127.0.0.1';
const NODE_COUNT = 3;
const STEP_TIMEOUT_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const logTail = (file: string): string => {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
};

/** Not worth waiting on: a node is gone. */
class NodeExited extends Error {}

/** Polls `check` until it is true, or throws `what` (with the nodes' logs) after the step timeout. */
const waitFor = async (what: string, check: () => Promise<boolean>, logs: () => string): Promise<void> => {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  const attempt = () =>
    check().catch((error: unknown) => {
      if (error instanceof NodeExited) throw new Error(`redis cluster: ${error.message}\n${logs()}`);
      return false;
    });
  while (!(await attempt())) {
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} within ${STEP_TIMEOUT_MS} ms\n${logs()}`);
    await sleep(25);
  }
};

const stopProcess = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(3_000).then(() => false)]);
  if (!killed) {
    child.kill('SIGKILL');
    await exited;
  }
};

/**
 * Starts the cluster; tries again (on other ports) when a start fails, as when another process takes a port between
 * the probe that found it free and the server binding it.
 */
export const startRedisCluster = async (attempts = 3): Promise<RedisClusterNodes> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
};

const startOnce = async (): Promise<RedisClusterNodes> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'timeline-redis-cluster-'));
  const children: ChildProcess[] = [];
  const probes: Redis[] = [];
  const ports: number[] = [];

  const dispose = async () => {
    for (const probe of probes.splice(0)) probe.disconnect();
    await Promise.all(children.splice(0).map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
  const logs = () =>
    ports.map((port) => `--- node ${port}:\n${logTail(path.join(dir, `redis-${port}.log`))}`).join('\n');

  try {
    const taken = new Set<number>();
    const port = async () => {
      for (;;) {
        const found = await freePort();
        if (!taken.has(found)) {
          taken.add(found);
          return found;
        }
      }
    };
    for (let node = 0; node < NODE_COUNT; node++) {
      const client = await port();
      const bus = await port();
      ports.push(client);
      // prettier-ignore
      const args = [
        '--port', String(client), '--cluster-port', String(bus), '--bind', HOST,
        '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${client}.conf`),
        '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', dir,
        '--logfile', path.join(dir, `redis-${client}.log`),
      ];
      const child = spawn('redis-server', args, { stdio: 'ignore' });
      child.once('error', () => undefined);
      children.push(child);
      const probe = new Redis(client, HOST, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      probe.on('error', () => undefined);
      probes.push(probe);
    }

    await waitFor(
      'the nodes did not all answer PING',
      async () => {
        const exited = children.find((child) => child.exitCode !== null);
        if (exited) throw new NodeExited(`a redis-server exited with ${exited.exitCode} before answering`);
        const answers = await Promise.all(probes.map((probe) => probe.ping().catch(() => null)));
        return answers.every((answer) => answer === 'PONG');
      },
      logs,
    );

    const nodes = ports.map((port) => `${HOST}:${port}`);
    await new Promise<void>((resolve, reject) => {
      execFile(
        'redis-cli',
        ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
        { timeout: STEP_TIMEOUT_MS },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`redis-cli --cluster create failed: ${error.message}\n${stdout}\n${stderr}`));
          else resolve();
        },
      );
    });

    await waitFor(
      'the nodes did not all reach cluster_state:ok',
      async () => {
        const infos = await Promise.all(probes.map((probe) => probe.cluster('INFO') as Promise<string>));
        return infos.every((info) => /cluster_state:ok/.test(info) && /cluster_known_nodes:3/.test(info));
      },
      logs,
    );
    for (const probe of probes.splice(0)) probe.disconnect();
    return { nodes: ports.map((port) => ({ host: HOST, port })), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
};
