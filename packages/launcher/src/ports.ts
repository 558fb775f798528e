// Ports on 127.0.0.1: free ones for tests, and waiting until one accepts connections.
import { once } from "node:events";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A TCP port that was free a moment ago on 127.0.0.1, for one process to bind soon: drawn from
 * 12000..19999, below both the bases of `freePortBase` and the kernel's ephemeral range
 * (32768..60999 by default). A port the kernel picked from that range could be given, before the
 * process bound it, to any outgoing connection on the machine as its source port; and it is
 * claimed like a base, so that two test processes never get the same one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 12_000 + Math.floor(Math.random() * 8_000);
    if ((await isFree(port)) && claim(`port-${port}`, portClaimMs)) return port;
  }
  throw new Error("no free port between 12000 and 19999");
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
 * Bases are drawn from 20000..31999: above freePort's ports and below the kernel's ephemeral range,
 * where outgoing connections take their source ports.
 */
export async function freePortBase(span = 100): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + span * Math.floor(Math.random() * Math.floor(12_000 / span));
    let free = true;
    for (let port = base; port < base + span && free; port++) free = await isFree(port);
    if (free && claim(String(base), baseClaimMs)) return base;
  }
  throw new Error(`no ${span} free ports in a row between 20000 and 32000`);
}

/** Where processes on this machine mark the bases and ports they took, until the ports are bound. */
const claimsDir = join(tmpdir(), "shopmesh-port-bases");
/** Longer than any shop takes to bind its ports; after that its bound ports keep others away. */
const baseClaimMs = 10 * 60_000;
/** Longer than a process takes to start and bind the one port `freePort` gave it. */
const portClaimMs = 2 * 60_000;

/**
 * Takes `name` (a base or a port) for this process unless another took it less than `forMs` ago:
 * two processes that both found it free while neither had bound it yet (a shop takes seconds to
 * start) would otherwise both start on it.
 */
function claim(name: string, forMs: number): boolean {
  mkdirSync(claimsDir, { recursive: true });
  const path = join(claimsDir, name);
  try {
    if (Date.now() - statSync(path).mtimeMs < forMs) return false;
    rmSync(path, { force: true });
  } catch {
    // No claim yet.
  }
  try {
    writeFileSync(path, String(process.pid), { flag: "wx" });
    return true;
  } catch (err) {
    // Another process claimed it a moment ago; anything else (a directory not ours) is said as it is.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
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
