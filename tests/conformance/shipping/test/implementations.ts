// Starts one implementation of ShippingService as its real process, the way the mesh starts it (the
// launcher's recipe for `impl: node` or `impl: go`), with a FerretDB of its own, on free ports.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLauncher, freePort, goService, nodeService, type Launcher } from "@shopmesh/launcher";
import { startMongo, type TestStore } from "@shopmesh/testkit";
import type { ContractTarget } from "./shipping-contract.js";

export type Implementation = "node" | "go";

export interface RunningImplementation extends ContractTarget {
  readonly launcher: Launcher;
  /** What the process wrote (its JSON log lines). */
  output(): string;
  /** Stops the process and the store, and removes the store's data. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment for the service, on top of the port, the store and short intervals. */
  readonly env?: Readonly<Record<string, string>>;
  /** Listen on a Unix socket in a directory of its own (as behind a sidecar) instead of a port. */
  readonly socket?: boolean;
}

export async function startImplementation(impl: Implementation, start: StartOptions = {}): Promise<RunningImplementation> {
  const store: TestStore = await startMongo();
  const port = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), `shopmesh-shipping-${impl}-`));
  const socket = start.socket === true ? join(logDir, "shipping.sock") : undefined;
  const options = {
    service: "shipping",
    name: `shipping-${impl}`,
    port,
    ...(socket === undefined ? {} : { socket }),
    env: {
      MONGO_URL: store.url,
      MONGO_DB: `shipping_conformance_${impl}`,
      PROBE_INTERVAL_MS: "100",
      SHUTDOWN_GRACE_MS: "1000",
      ...start.env,
    },
  };
  const launcher = createLauncher({ logDir, readyTimeoutMs: 30_000, graceMs: 5_000, supervise: false });
  try {
    await launcher.start([impl === "go" ? goService(options) : nodeService(options)]);
  } catch (err) {
    await launcher.stop();
    await store.dispose();
    throw err;
  }
  return {
    address: socket === undefined ? `127.0.0.1:${port}` : `unix:${socket}`,
    store: store.managed ? store : undefined,
    launcher,
    output: () => launcher.output(options.name),
    dispose: async () => {
      await launcher.stop();
      await store.dispose();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
