// Ports on the loopback interface for servers the tests start.
import net, { type AddressInfo } from 'node:net';

/** A port nobody listens on right now (for a child process to take, or to stand for a server that is down). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Something Fastify-like: the harness's app. */
export interface Listenable {
  listen(opts: { port: number; host: string }): Promise<unknown>;
  server: { address(): AddressInfo | string | null };
}

/** Listens on a free loopback port; returns the base URL. */
export async function listen(h: { app: Listenable }): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}
