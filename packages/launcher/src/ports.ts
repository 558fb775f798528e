// Ports on 127.0.0.1: free ones for tests, and waiting until one accepts connections.
import { once } from "node:events";
import { createConnection, createServer } from "node:net";

/** A TCP port that was free a moment ago on 127.0.0.1 (from the kernel's ephemeral range). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  const listening = once(server, "listening").then(() => true);
  const failed = once(server, "error").then(() => false);
  server.listen(port, "127.0.0.1");
  const free = await Promise.race([listening, failed]);
  if (free) {
    server.close();
    await once(server, "close");
  }
  return free;
}

/**
 * A base B such that B..B+span-1 were all free a moment ago: for a whole topology on ports of its own.
 * Bases are drawn below the ephemeral range, where freePort() and outgoing connections never land.
 */
export async function freePortBase(span = 100): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + span * Math.floor(Math.random() * Math.floor(12_000 / span));
    let free = true;
    for (let port = base; port < base + span && free; port++) free = await isFree(port);
    if (free) return base;
  }
  throw new Error(`no ${span} free ports in a row between 20000 and 32000`);
}

/** True when something accepts connections on 127.0.0.1:`target`, or on the Unix socket at that path. */
export function accepts(target: number | string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = typeof target === "string" ? createConnection({ path: target }) : createConnection({ host: "127.0.0.1", port: target });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves once `port` accepts TCP connections; rejects after `timeoutMs` or once `alive()` names a failure. */
export async function waitForPort(port: number, timeoutMs: number, alive: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accepts(port)) return;
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
