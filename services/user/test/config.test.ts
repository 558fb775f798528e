// The user service's configuration: defaults, and one line naming every bad variable.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

const minimal = { GRPC_PORT: "0", MONGO_URL: "mongodb://127.0.0.1:27017", JWT_PRIVATE_KEY_FILE: "/run/keys/jwt-es256.pem" };

describe("loadConfig", () => {
  it("fills in the defaults", () => {
    expect(loadConfig(minimal)).toEqual({
      server: { host: "127.0.0.1", port: 0, logLevel: "info", shutdownGraceMs: 5_000, drainDelayMs: 0, probeIntervalMs: 1_000 },
      mongo: { url: "mongodb://127.0.0.1:27017", db: "users" },
      jwt: { privateKeyFile: "/run/keys/jwt-es256.pem", issuer: "shopmesh", audience: "shopmesh", ttlSeconds: 3_600 },
    });
  });

  it("takes every variable it documents", () => {
    const config = loadConfig({
      ...minimal,
      MONGO_DB: "users_eu",
      JWT_ISSUER: "https://auth.shop.example",
      JWT_AUDIENCE: "shop-edge",
      TOKEN_TTL_SECONDS: "900",
      PROBE_INTERVAL_MS: "250",
    });
    expect(config.mongo.db).toBe("users_eu");
    expect(config.jwt).toMatchObject({ issuer: "https://auth.shop.example", audience: "shop-edge", ttlSeconds: 900 });
    expect(config.server.probeIntervalMs).toBe(250);
  });

  it("names every bad variable in one message", () => {
    const bad = () =>
      loadConfig({ GRPC_PORT: "x", MONGO_URL: "http://db", MONGO_DB: "bad name", JWT_AUDIENCE: "", TOKEN_TTL_SECONDS: "0" });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      'config: GRPC_PORT must be an integer 0..65535 (got "x"); MONGO_URL must be a mongodb or mongodb+srv URL (got "http://db"); ' +
        "MONGO_DB must be a database name of 1..63 letters, digits, '_' or '-' (got \"bad name\"); " +
        "JWT_PRIVATE_KEY_FILE must be set to the path of the PEM file with the token signing key (not set); " +
        'JWT_AUDIENCE must be a non-empty audience name without spaces (got ""); ' +
        'TOKEN_TTL_SECONDS must be an integer 1..604800 (got "0")',
    );
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
