/**
 * A TCP proxy that forwards every chunk after `delayMs` in each direction: a slow link between Herald and a
 * remote database, on loopback. Writes keep their order (each direction's chunks are delayed by the same time).
 */
import type { Socket } from "bun";

interface ClientSide {
  peer?: Socket<unknown>;
  pending: Uint8Array[];
}

/** Starts the proxy in front of `target`; `stop` closes it and every connection. */
export function delayProxy(target: { host: string; port: number }, delayMs: number) {
  const server = Bun.listen<ClientSide>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        client.data = { pending: [] };
        void Bun.connect<unknown>({
          hostname: target.host,
          port: target.port,
          socket: {
            open(upstream) {
              client.data.peer = upstream;
              for (const chunk of client.data.pending) upstream.write(chunk);
              client.data.pending = [];
            },
            data(_upstream, chunk) {
              const copy = new Uint8Array(chunk);
              setTimeout(() => client.write(copy), delayMs);
            },
            close() {
              setTimeout(() => client.end(), delayMs);
            },
            error() {},
          },
        });
      },
      data(client, chunk) {
        const copy = new Uint8Array(chunk);
        setTimeout(() => {
          const upstream = client.data.peer;
          if (upstream) upstream.write(copy);
          else client.data.pending.push(copy);
        }, delayMs);
      },
      close(client) {
        client.data.peer?.end();
      },
      error() {},
    },
  });
  return { port: server.port, stop: () => server.stop(true) };
}
