import { createServer, type Socket } from 'node:net';

/** A port that accepts connections and never says a word (where a client's own calls can hang), and its closing. */
export const silentPort = async (): Promise<{ port: number; close: () => Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

/** A port where nothing listens: one that was free a moment ago. */
export const closedPort = async (): Promise<number> => {
  const { port, close } = await silentPort();
  await close();
  return port;
};
