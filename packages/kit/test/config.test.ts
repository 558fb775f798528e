// Config parsing as plain functions: defaults, bounds, and messages that name the variable.
import { describe, expect, it } from "@jest/globals";
import { ConfigError, env, parseEnv, serverConfig, serverEnvShape } from "../src/index.js";

describe("parseEnv", () => {
  it("applies defaults and converts numbers", () => {
    expect(serverConfig(parseEnv(serverEnvShape, { GRPC_PORT: "7001" }))).toEqual({
      host: "127.0.0.1",
      port: 7001,
      logLevel: "info",
      shutdownGraceMs: 5_000,
    });
  });

  it("accepts port 0 (a free port, for tests)", () => {
    expect(parseEnv(serverEnvShape, { GRPC_PORT: "0" }).GRPC_PORT).toBe(0);
  });

  it.each([
    ["GRPC_PORT", "65536", "GRPC_PORT must be an integer 0..65535"],
    ["GRPC_PORT", "-1", "GRPC_PORT must be an integer 0..65535"],
    ["SHUTDOWN_GRACE_MS", "0", "SHUTDOWN_GRACE_MS must be a whole number of milliseconds 1..60000"],
    ["SHUTDOWN_GRACE_MS", "1.5", "SHUTDOWN_GRACE_MS must be a whole number of milliseconds 1..60000"],
    ["LOG_LEVEL", "verbose", "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent"],
  ])("rejects %s=%s with a message naming it", (name, value, message) => {
    const vars = { GRPC_PORT: "7001", [name]: value };
    expect(() => parseEnv(serverEnvShape, vars)).toThrow(ConfigError);
    expect(() => parseEnv(serverEnvShape, vars)).toThrow(`config: ${message} (got "${value}")`);
  });

  it("checks addresses and URLs", () => {
    const shape = { CATALOG_ADDR: env.address(), MONGO_URL: env.url(["mongodb"]) };
    expect(parseEnv(shape, { CATALOG_ADDR: "127.0.0.1:7010", MONGO_URL: "mongodb://127.0.0.1:27017" })).toEqual({
      CATALOG_ADDR: "127.0.0.1:7010",
      MONGO_URL: "mongodb://127.0.0.1:27017",
    });
    expect(() => parseEnv(shape, { CATALOG_ADDR: "catalog", MONGO_URL: "redis://x" })).toThrow(
      'config: CATALOG_ADDR must be host:port, e.g. 127.0.0.1:7001 (got "catalog"); MONGO_URL must be a mongodb URL (got "redis://x")',
    );
  });
});
