import { createServer } from 'node:net';

// Below Linux' ephemeral range (32768-60999 by default): the Temporal dev server picks the ports of
// its internal services (history, matching, worker) from that range, and one of them once took a
// port that a parallel test file had just found free for its own server's frontend; that file then
// connected to the other server's history service ("unknown service OperatorService").
const [low, high] = [20_000, 32_000];

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1, outside the range the OS hands out itself. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tryListen(low + Math.floor(Math.random() * (high - low)));
    if (port !== undefined) return port;
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('No free TCP port on 127.0.0.1.');
  return port;
}
