// Config parsing as plain functions: defaults, bounds, and messages that name the variable.
import { describe, expect, it } from "@jest/globals";
import { ConfigError, configTable, describeEnv, env, mongoEnvShape, parseEnv, serverConfig, serverEnvShape } from "../src/index.js";

describe("parseEnv", () => {
  it("applies defaults and converts numbers", () => {
    expect(serverConfig(parseEnv(serverEnvShape, { GRPC_PORT: "7001" }))).toEqual({
      host: "127.0.0.1",
      port: 7001,
      logLevel: "info",
      shutdownGraceMs: 5_000,
      drainDelayMs: 0,
      probeIntervalMs: 1_000,
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
    expect(parseEnv(shape, { CATALOG_ADDR: "unix:/run/shop/cart-egress.sock", MONGO_URL: "mongodb://h" }).CATALOG_ADDR).toBe(
      "unix:/run/shop/cart-egress.sock",
    );
    expect(() => parseEnv(shape, { CATALOG_ADDR: "catalog", MONGO_URL: "redis://x" })).toThrow(
      'config: CATALOG_ADDR must be host:port, e.g. 127.0.0.1:7001, or unix:/path/to.sock (got "catalog"); MONGO_URL must be a mongodb URL (got "redis://x")',
    );
  });

  it("checks strings, one-of values, booleans and database names", () => {
    const shape = {
      NAME: env.string({ pattern: /^[a-z]+$/, expects: "lower-case letters" }),
      MODE: env.oneOf(["FAST", "SLOW"]),
      SEED: env.boolean(true),
      ...mongoEnvShape("orders"),
    };
    const good = { NAME: "abc", MONGO_URL: "mongodb://127.0.0.1:1" };
    expect(parseEnv(shape, good)).toEqual({ ...good, MODE: undefined, SEED: true, MONGO_DB: "orders" });
    expect(parseEnv(shape, { ...good, MODE: "", SEED: "false" })).toMatchObject({ MODE: undefined, SEED: false });
    expect(parseEnv(shape, { ...good, MODE: "SLOW" }).MODE).toBe("SLOW");
    expect(() => parseEnv(shape, { MONGO_URL: "mongodb://h", MODE: "x", SEED: "yes", MONGO_DB: "a/b" })).toThrow(
      'config: NAME must be set to lower-case letters (not set); MODE must be one of FAST, SLOW or empty (got "x"); ' +
        'SEED must be true or false (got "yes"); ' +
        "MONGO_DB must be a database name of 1..63 letters, digits, '_' or '-' (got \"a/b\")",
    );
  });

  it("never echoes a URL's password, even in a URL it refuses", () => {
    const shape = { MONGO_URL: env.url(["mongodb"]) };
    expect(() => parseEnv(shape, { MONGO_URL: "http://shop:hunter2@db:27017" })).toThrow(
      'config: MONGO_URL must be a mongodb URL (got "http://shop:***@db:27017")',
    );
    expect(() => parseEnv(shape, { MONGO_URL: "redis://:hunter2@db:6379" })).toThrow(/redis:\/\/:\*\*\*@db:6379/);
  });

  it("never echoes a secret, not even a bad one", () => {
    const shape = { KEY: env.secret(32) };
    expect(parseEnv(shape, {}).KEY).toBeUndefined();
    expect(parseEnv(shape, { KEY: "" }).KEY).toBeUndefined();
    expect(parseEnv(shape, { KEY: "k".repeat(32) }).KEY).toBe("k".repeat(32));
    expect(() => parseEnv(shape, { KEY: "hunter2" })).toThrow("config: KEY must be at least 32 characters when set (got 7 characters)");
  });
});

describe("the documented variables", () => {
  it("list each variable with its default, or says it is required or optional", () => {
    const shape = {
      ...serverEnvShape,
      KEY: env.secret().describe("a key"),
    };
    const rows = describeEnv(shape);
    expect(rows.map((r) => r.name)).toEqual([
      "GRPC_HOST",
      "GRPC_PORT",
      "GRPC_SOCKET",
      "LOG_LEVEL",
      "SHUTDOWN_GRACE_MS",
      "DRAIN_DELAY_MS",
      "PROBE_INTERVAL_MS",
      "METRICS_PORT",
      "KEY",
    ]);
    expect(rows.find((r) => r.name === "GRPC_HOST")).toEqual({
      name: "GRPC_HOST",
      default: "`127.0.0.1`",
      description: "interface to listen on",
    });
    expect(describeEnv({ ADDR: env.address().describe("where") })[0]?.default).toBe("(required)");
    expect(rows.find((r) => r.name === "SHUTDOWN_GRACE_MS")?.default).toBe("`5000`");
    expect(rows.find((r) => r.name === "KEY")?.default).toBe("(unset)");
    expect(rows.find((r) => r.name === "METRICS_PORT")?.default).toBe("(unset)");
    expect(rows.every((r) => r.description !== "")).toBe(true);
    expect(configTable(shape).split("\n")).toContain("| `KEY` | (unset) | a key |");
  });
});
