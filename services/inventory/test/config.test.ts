// loadConfig: defaults, overrides, and one line naming each bad variable.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

const base = { GRPC_PORT: "0", REDIS_URL: "redis://127.0.0.1:6379" };

describe("loadConfig", () => {
  it("fills the documented defaults", () => {
    expect(loadConfig(base)).toEqual({
      server: { host: "127.0.0.1", port: 0, logLevel: "info", shutdownGraceMs: 5_000, drainDelayMs: 0, probeIntervalMs: 1_000 },
      redis: { url: "redis://127.0.0.1:6379" },
      reservationDefaultTtlMs: 900_000,
      reservationSweepIntervalMs: 1_000,
    });
  });

  it("takes overrides", () => {
    const config = loadConfig({
      ...base,
      RESERVATION_DEFAULT_TTL_MS: "1000",
      RESERVATION_SWEEP_INTERVAL_MS: "50",
      PROBE_INTERVAL_MS: "100",
    });
    expect(config).toMatchObject({ reservationDefaultTtlMs: 1_000, reservationSweepIntervalMs: 50, server: { probeIntervalMs: 100 } });
  });

  it("names every bad variable", () => {
    expect(() => loadConfig({ GRPC_PORT: "0", REDIS_URL: "http://x", RESERVATION_DEFAULT_TTL_MS: "999" })).toThrow(
      new ConfigError(
        'config: REDIS_URL must be a redis or rediss URL (got "http://x"); RESERVATION_DEFAULT_TTL_MS must be a whole number of milliseconds 1000..3600000 (got "999")',
      ),
    );
    expect(() => loadConfig({ GRPC_PORT: "0" })).toThrow(/REDIS_URL must be set to a redis or rediss URL \(not set\)/);
    expect(() => loadConfig({ ...base, RESERVATION_DEFAULT_TTL_MS: "3600001" })).toThrow(/RESERVATION_DEFAULT_TTL_MS must be/);
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
