import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

const minimal = { GRPC_PORT: "7110", MONGO_URL: "mongodb://127.0.0.1:27017" };

describe("catalog config", () => {
  it("needs only a port and a MongoDB URL", () => {
    expect(loadConfig(minimal)).toEqual({
      server: { host: "127.0.0.1", port: 7110, logLevel: "info", shutdownGraceMs: 5_000, drainDelayMs: 0, probeIntervalMs: 1_000 },
      mongo: { url: "mongodb://127.0.0.1:27017", db: "catalog" },
      seedDemoCatalog: true,
      pageTokenSecret: undefined,
      listingCache: { maxAgeMs: 5_000, maxBytes: 16 * 1024 * 1024 },
    });
  });

  it("reads every catalog variable", () => {
    const config = loadConfig({
      ...minimal,
      MONGO_DB: "catalog_test",
      SEED_DEMO_CATALOG: "false",
      PAGE_TOKEN_SECRET: "0123456789abcdef0123456789abcdef",
      PROBE_INTERVAL_MS: "100",
      LISTING_CACHE_MAX_AGE_MS: "0",
      LISTING_CACHE_MAX_BYTES: "1000000",
    });
    expect(config).toMatchObject({
      listingCache: { maxAgeMs: 0, maxBytes: 1_000_000 },
      mongo: { db: "catalog_test" },
      seedDemoCatalog: false,
      pageTokenSecret: "0123456789abcdef0123456789abcdef",
      server: { probeIntervalMs: 100 },
    });
  });

  it.each([
    [{ MONGO_URL: undefined }, "MONGO_URL"],
    [{ MONGO_URL: "redis://127.0.0.1:6379" }, "MONGO_URL must be a mongodb or mongodb+srv URL"],
    [{ MONGO_DB: "no/slashes" }, "MONGO_DB"],
    [{ SEED_DEMO_CATALOG: "yes" }, "SEED_DEMO_CATALOG must be true or false"],
    [{ PAGE_TOKEN_SECRET: "short" }, "PAGE_TOKEN_SECRET must be at least 32 characters"],
    [{ PROBE_INTERVAL_MS: "0" }, "PROBE_INTERVAL_MS"],
    [{ LISTING_CACHE_MAX_AGE_MS: "-1" }, "LISTING_CACHE_MAX_AGE_MS"],
    [{ LISTING_CACHE_MAX_AGE_MS: "3600001" }, "LISTING_CACHE_MAX_AGE_MS"],
    [{ LISTING_CACHE_MAX_BYTES: "0" }, "LISTING_CACHE_MAX_BYTES"],
  ])("stops on a bad value, naming the variable: %p", (change, message) => {
    expect(() => loadConfig({ ...minimal, ...change })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, ...change })).toThrow(message);
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
