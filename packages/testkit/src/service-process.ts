// One implementation of a service that owns a MongoDB database, started as its real process the way
// the mesh starts it (the launcher's recipe for `impl: node` or `impl: go`), with a FerretDB of its
// own, on free ports: what the conformance suites run their black-box cases against.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLauncher, freePort, goService, nodeService, type Launcher } from "@shopmesh/launcher";
import { startMongo, type TestStore } from "./stores.js";

export type Implementation = "node" | "go";

export interface ServiceProcessOptions {
  /** Extra environment, on top of the port, the store and short probe and grace intervals. */
  readonly env?: Readonly<Record<string, string>>;
  /** Listen on a Unix socket in a directory of its own (as behind a sidecar) instead of a port. */
  readonly socket?: boolean;
}

export interface ServiceProcess {
  /** host:port, or unix:/path with `socket`. */
  readonly address: string;
  /** Its store, to stop and start (an outage); undefined when MONGO_URL named one from outside. */
  readonly store: TestStore | undefined;
  /** Its database: the store's URL and the database's name. */
  readonly database: { readonly url: string; readonly name: string };
  readonly launcher: Launcher;
  /** The launcher's name for the process: `<service>-<impl>`. */
  readonly name: string;
  /** What the process wrote (its JSON log lines). */
  output(): string;
  /** Stops the process and the store, and removes the store's data. */
  dispose(): Promise<void>;
}

export async function startServiceProcess(
  service: string,
  impl: Implementation,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const store = await startMongo();
  const port = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), `shopmesh-${service}-${impl}-`));
  const socket = options.socket === true ? join(logDir, `${service}.sock`) : undefined;
  const name = `${service}-${impl}`;
  const database = `${service}_conformance_${impl}`;
  const recipe = {
    service,
    name,
    port,
    ...(socket === undefined ? {} : { socket }),
    env: {
      MONGO_URL: store.url,
      MONGO_DB: database,
      PROBE_INTERVAL_MS: "100",
      SHUTDOWN_GRACE_MS: "1000",
      ...options.env,
    },
  };
  const launcher = createLauncher({ logDir, readyTimeoutMs: 30_000, graceMs: 5_000, supervise: false });
  try {
    await launcher.start([impl === "go" ? goService(recipe) : nodeService(recipe)]);
  } catch (err) {
    await launcher.stop();
    await store.dispose();
    // Nothing is left behind: the error already quotes the log's last 2,000 characters.
    rmSync(logDir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n(${logDir} is removed: the lines above are what is left of the log)`, { cause: err });
  }
  return {
    address: socket === undefined ? `127.0.0.1:${port}` : `unix:${socket}`,
    store: store.managed ? store : undefined,
    database: { url: store.url, name: database },
    launcher,
    name,
    output: () => launcher.output(name),
    dispose: async () => {
      await launcher.stop();
      await store.dispose();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
