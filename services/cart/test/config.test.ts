import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

const required = { GRPC_PORT: "0", REDIS_URL: "redis://127.0.0.1:6379", CATALOG_ADDR: "127.0.0.1:7110" };

describe("cart config", () => {
  it("has the documented defaults", () => {
    expect(loadConfig(required)).toEqual({
      server: { host: "127.0.0.1", port: 0, logLevel: "info", shutdownGraceMs: 5_000, drainDelayMs: 0, probeIntervalMs: 1_000 },
      redis: { url: "redis://127.0.0.1:6379" },
      catalog: { address: "127.0.0.1:7110", timeoutMs: 2_000 },
      cartTtlSeconds: 604_800,
    });
  });

  it("reads the catalog timeout, the cart TTL and the probe interval", () => {
    const config = loadConfig({ ...required, CATALOG_TIMEOUT_MS: "500", CART_TTL_SECONDS: "1", PROBE_INTERVAL_MS: "50" });
    expect(config.catalog.timeoutMs).toBe(500);
    expect(config.cartTtlSeconds).toBe(1);
    expect(config.server.probeIntervalMs).toBe(50);
  });

  it("names every missing or bad variable", () => {
    expect(() => loadConfig({ GRPC_PORT: "0" })).toThrow(/REDIS_URL .*not set.*CATALOG_ADDR .*not set/);
    expect(() => loadConfig({ ...required, REDIS_URL: "http://x" })).toThrow(/REDIS_URL must be a redis or rediss URL/);
    expect(() => loadConfig({ ...required, CATALOG_ADDR: "catalog" })).toThrow(/CATALOG_ADDR must be host:port/);
    expect(() => loadConfig({ ...required, CART_TTL_SECONDS: "0" })).toThrow(/CART_TTL_SECONDS must be an integer 1\.\.31536000/);
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
