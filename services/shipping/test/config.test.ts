import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("needs GRPC_PORT and MONGO_URL, and defaults the rest", () => {
    expect(loadConfig({ GRPC_PORT: "0", MONGO_URL: "mongodb://127.0.0.1:27017" })).toEqual({
      server: { host: "127.0.0.1", port: 0, logLevel: "info", shutdownGraceMs: 5_000, drainDelayMs: 0, probeIntervalMs: 1_000 },
      mongo: { url: "mongodb://127.0.0.1:27017", db: "shipping" },
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      GRPC_HOST: "0.0.0.0",
      GRPC_PORT: "7170",
      LOG_LEVEL: "warn",
      SHUTDOWN_GRACE_MS: "2000",
      MONGO_URL: "mongodb://db:27017",
      MONGO_DB: "shipping_test",
      PROBE_INTERVAL_MS: "250",
    });
    expect(config).toEqual({
      server: { host: "0.0.0.0", port: 7170, logLevel: "warn", shutdownGraceMs: 2_000, drainDelayMs: 0, probeIntervalMs: 250 },
      mongo: { url: "mongodb://db:27017", db: "shipping_test" },
    });
  });

  it("names every bad variable in one message", () => {
    const attempt = (): unknown => loadConfig({ GRPC_PORT: "x", MONGO_URL: "redis://h:1", MONGO_DB: "a/b", PROBE_INTERVAL_MS: "0" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /GRPC_PORT .*PROBE_INTERVAL_MS.*MONGO_URL must be a mongodb or mongodb\+srv URL.*MONGO_DB must be a database name/,
    );
  });

  it("says MONGO_URL is not set when it is missing", () => {
    expect(() => loadConfig({ GRPC_PORT: "0" })).toThrow(/MONGO_URL .*\(not set\)/);
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
