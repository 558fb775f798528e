// Ports on 127.0.0.1: free ones for tests, and waiting until one accepts connections.
import { once } from "node:events";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
    if (free && claimBase(base)) return base;
  }
  throw new Error(`no ${span} free ports in a row between 20000 and 32000`);
}

/** Where processes on this machine mark the bases they took, until the ports are bound. */
const claimsDir = join(tmpdir(), "shopmesh-port-bases");
/** Longer than any shop takes to bind its ports; after that its bound ports keep others away. */
const claimMs = 10 * 60_000;

/**
 * Takes `base` for this process unless another took it less than `claimMs` ago: two processes
 * that both found a span free while neither had bound it yet (a shop takes seconds to start)
 * would otherwise both start a shop on it.
 */
function claimBase(base: number): boolean {
  mkdirSync(claimsDir, { recursive: true });
  const path = join(claimsDir, String(base));
  try {
    if (Date.now() - statSync(path).mtimeMs < claimMs) return false;
    rmSync(path, { force: true });
  } catch {
    // No claim yet.
  }
  try {
    writeFileSync(path, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    return false; // Another process claimed it a moment ago.
  }
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
