// Real stores for tests: a redis-server and a MongoDB-protocol server (FerretDB on SQLite, or
// mongod when one is on PATH) on free ports in temporary directories. REDIS_URL / MONGO_URL
// point tests at servers that are already running instead.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChild, freePort, waitForPort, type Child } from "./process.js";
import { onPath, toolPath } from "./tools.js";

export interface TestStore {
  /** Connection URL: redis://127.0.0.1:port or mongodb://127.0.0.1:port. */
  readonly url: string;
  /** False when the URL came from the environment: such a store cannot be stopped or restarted. */
  readonly managed: boolean;
  /** Stops the server but keeps its data, as an outage would. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
}

function external(url: string): TestStore {
  const unsupported = async (): Promise<void> => {
    throw new Error(`cannot stop or start the store at ${url}: it was given by the environment`);
  };
  return { url, managed: false, stop: unsupported, start: unsupported, dispose: async () => undefined };
}

async function managedStore(
  name: string,
  scheme: string,
  command: (port: number, dir: string) => { bin: string; args: string[] },
): Promise<TestStore> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `shopmesh-${name}-`));
  let child: Child | undefined;
  const start = async (): Promise<void> => {
    if (child?.process.exitCode === null) return;
    const { bin, args } = command(port, dir);
    const started = startChild(bin, args, { cwd: dir });
    child = started;
    await waitForPort(port, 15_000, () =>
      started.process.exitCode !== null || started.process.signalCode !== null
        ? `${name} exited before listening: ${started.output()}`
        : undefined,
    );
  };
  await start();
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    managed: true,
    start,
    stop: async () => child?.stop(),
    dispose: async () => {
      await child?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real redis-server, or REDIS_URL. */
export async function startRedis(env: NodeJS.ProcessEnv = process.env): Promise<TestStore> {
  const url = env["REDIS_URL"];
  if (url) return external(url);
  return managedStore("redis", "redis", (port, dir) => ({
    bin: "redis-server",
    // An append-only file, so stop() then start() finds the data again, as after an outage.
    args: ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--loglevel", "warning"],
  }));
}

/** A real MongoDB-protocol server: MONGO_URL, else mongod on PATH, else FerretDB on SQLite. */
export async function startMongo(env: NodeJS.ProcessEnv = process.env): Promise<TestStore> {
  const url = env["MONGO_URL"];
  if (url) return external(url);
  if (onPath("mongod")) {
    return managedStore("mongod", "mongodb", (port, dir) => ({
      bin: "mongod",
      args: ["--port", String(port), "--bind_ip", "127.0.0.1", "--dbpath", dir, "--quiet"],
    }));
  }
  return managedStore("ferretdb", "mongodb", (port, dir) => ({
    bin: toolPath("ferretdb"),
    args: [
      "--handler=sqlite",
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      "--telemetry=disable",
      "--debug-addr=-",
      "--log-level=error",
    ],
  }));
}
