// A loopback TCP proxy for fault injection: put it between a client and a server, then drop every
// open connection abruptly (RST) with killConnections() to simulate a network failure mid-session.
// The proxy keeps accepting new connections afterwards.
import { connect, createServer, type Socket } from 'node:net';
import { freePort } from './ports.js';

export interface TcpProxy {
  port: number;
  /** Client connections currently open through the proxy. */
  connections(): number;
  /** Resets every open client and upstream socket; new connections are still accepted. */
  killConnections(): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function drop(socket: Socket): void {
  // RST rather than FIN: the peer sees ECONNRESET, as with a real dropped connection.
  if (!socket.destroyed) socket.resetAndDestroy();
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();

  const server = createServer((client) => {
    const upstream = connect({ host: target.host, port: target.port });
    const pair = { client, upstream };
    pairs.add(pair);
    // A reset or error on one side resets the other; a normal close is passed on as a normal close
    // (FIN after the pending data), so a clean LOGOUT through the proxy still delivers its reply.
    client.on('error', () => drop(upstream));
    upstream.on('error', () => drop(client));
    client.on('close', () => {
      pairs.delete(pair);
      if (!upstream.destroyed) upstream.end();
    });
    upstream.on('close', () => {
      if (!client.destroyed) client.end();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const killConnections = () => {
    for (const { client, upstream } of [...pairs]) {
      drop(client);
      drop(upstream);
    }
    pairs.clear();
  };

  return {
    port,
    connections: () => pairs.size,
    killConnections,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        killConnections();
      }),
  };
}
