import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/**
 * A redis-server of a test's own (the machine's binary, on a free port, its files in a temp directory), to stop
 * and start again under running servers: the shared Redis on 6379 is everybody's and must stay up.
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Starts it and resolves once it answers; `persist` keeps what it holds across a restart (append-only file). */
  start(options?: { readonly persist?: boolean }): Promise<void>;
  /** SIGTERM, and resolves once it is gone (with `persist`, it writes its file first). */
  stop(): Promise<void>;
  /** Stops it and removes its files. */
  dispose(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

export const privateRedis = async (): Promise<PrivateRedis> => {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'timeline-private-redis-'));
  let server: ChildProcess | null = null;
  const stop = async () => {
    const running = server;
    server = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start: async ({ persist = false } = {}) => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
      server = spawn('redis-server', [...args, '--appendonly', persist ? 'yes' : 'no'], { stdio: 'ignore' });
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        for (let tries = 0; (await probe.ping().catch(() => null)) !== 'PONG'; tries++) {
          if (tries > 400) throw new Error(`redis-server on ${port} did not answer within 10 s`);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      } finally {
        probe.disconnect();
      }
    },
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
