// Real stores for tests: a redis-server and a MongoDB-protocol server (FerretDB on SQLite, or
// mongod when one is on PATH) on free ports in temporary directories, started by the launcher.
// REDIS_URL / MONGO_URL point tests at servers that are already running instead.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLauncher, ferretDb, freePort, mongod, onPath, redisServer, type Component } from "@shopmesh/launcher";

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
  /** SIGSTOP: its connections stay open and nothing is answered, as from a hung server. */
  pause(): void;
  /** SIGCONT after pause(): it answers what it was sent meanwhile. */
  resume(): void;
}

function external(url: string): TestStore {
  const unsupported = async (): Promise<void> => {
    throw new Error(`cannot stop or start the store at ${url}: it was given by the environment`);
  };
  const refused = (): void => {
    throw new Error(`cannot pause or resume the store at ${url}: it was given by the environment`);
  };
  return { url, managed: false, stop: unsupported, start: unsupported, dispose: async () => undefined, pause: refused, resume: refused };
}

async function managedStore(scheme: string, component: (port: number, dataDir: string) => Component): Promise<TestStore> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `shopmesh-${scheme}-`));
  const store = component(port, dataDir);
  const launcher = createLauncher({ readyTimeoutMs: 15_000, graceMs: 5_000 });
  await launcher.start([store]);
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    managed: true,
    start: async () => {
      if (launcher.running[0]?.running() !== true) await launcher.restart(store.name);
    },
    stop: () => launcher.stop(),
    dispose: async () => {
      // A paused server would not stop on SIGTERM.
      launcher.signal(store.name, "SIGCONT");
      await launcher.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    pause: () => launcher.signal(store.name, "SIGSTOP"),
    resume: () => launcher.signal(store.name, "SIGCONT"),
  };
}

/** A real redis-server, or REDIS_URL. */
export async function startRedis(env: NodeJS.ProcessEnv = process.env): Promise<TestStore> {
  const url = env["REDIS_URL"];
  if (url) return external(url);
  // Every write in the append-only file, so stop() then start() finds all the data again, as after an outage.
  return managedStore("redis", (port, dataDir) =>
    redisServer({ name: "redis", port, dataDir, aof: "every-write", snapshots: false, quiet: true }),
  );
}

/** A real MongoDB-protocol server: MONGO_URL, else mongod on PATH, else FerretDB on SQLite. */
export async function startMongo(env: NodeJS.ProcessEnv = process.env): Promise<TestStore> {
  const url = env["MONGO_URL"];
  if (url) return external(url);
  const server = onPath("mongod") ? mongod : ferretDb;
  return managedStore("mongodb", (port, dataDir) => server({ name: "mongodb", port, dataDir, quiet: true }));
}
