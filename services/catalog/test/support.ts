// Helpers shared by the catalog's integration tests.
import { randomBytes } from "node:crypto";
import { createLogger } from "@shopmesh/kit";
import { loadConfig, type CatalogConfig } from "../src/config.js";

export { rejection } from "@shopmesh/testkit";

/** A config as main would load it: port 0, a database of its own, quick health probes. */
export function testConfig(mongoUrl: string, env: Record<string, string> = {}): CatalogConfig {
  return loadConfig({
    GRPC_PORT: "0",
    MONGO_URL: mongoUrl,
    MONGO_DB: `catalog_test_${randomBytes(4).toString("hex")}`,
    PROBE_INTERVAL_MS: "100",
    SHUTDOWN_GRACE_MS: "1000",
    ...env,
  });
}

export const quietLogger = () => createLogger("catalog", "silent");

/** `value`, failing the test when it is undefined (a message field that must be set). */
export function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("expected a value");
  return value;
}
