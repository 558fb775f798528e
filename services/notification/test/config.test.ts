// loadConfig: defaults, and one clear message naming each bad variable.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

const minimal = { GRPC_PORT: "7005", REDIS_URL: "redis://127.0.0.1:6379" };

describe("loadConfig", () => {
  it("fills in the documented defaults", () => {
    expect(loadConfig(minimal)).toEqual({
      server: { host: "127.0.0.1", port: 7005, logLevel: "info", shutdownGraceMs: 5_000, drainDelayMs: 0, probeIntervalMs: 1_000 },
      redis: { url: "redis://127.0.0.1:6379" },
      historyLimit: 1000,
      subscribeBlockMs: 1_000,
      pageTokenSecret: undefined,
    });
  });

  it("reads every variable", () => {
    const secret = "s".repeat(32);
    const config = loadConfig({
      ...minimal,
      NOTIFICATION_HISTORY_LIMIT: "5",
      SUBSCRIBE_BLOCK_MS: "250",
      PROBE_INTERVAL_MS: "100",
      PAGE_TOKEN_SECRET: secret,
    });
    expect(config).toMatchObject({ historyLimit: 5, subscribeBlockMs: 250, server: { probeIntervalMs: 100 }, pageTokenSecret: secret });
  });

  it("names each bad variable", () => {
    expect(() => loadConfig({ GRPC_PORT: "7005" })).toThrow(/REDIS_URL must be set/);
    expect(() => loadConfig({ ...minimal, REDIS_URL: "http://x" })).toThrow(/REDIS_URL must be a redis or rediss URL/);
    expect(() => loadConfig({ ...minimal, NOTIFICATION_HISTORY_LIMIT: "0" })).toThrow(
      /NOTIFICATION_HISTORY_LIMIT must be an integer 1\.\.100000/,
    );
    expect(() => loadConfig({ ...minimal, SUBSCRIBE_BLOCK_MS: "fast" })).toThrow(/SUBSCRIBE_BLOCK_MS/);
  });

  it("refuses a short PAGE_TOKEN_SECRET without printing it", () => {
    let error: unknown;
    try {
      loadConfig({ ...minimal, PAGE_TOKEN_SECRET: "hunter2" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe("config: PAGE_TOKEN_SECRET must be at least 32 characters when set (got 7 characters)");
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
