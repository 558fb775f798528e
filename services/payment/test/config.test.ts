import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

describe("payment config", () => {
  it("needs only a port and a MongoDB URL; the database defaults to payments", () => {
    const config = loadConfig({ GRPC_PORT: "0", MONGO_URL: "mongodb://127.0.0.1:27017" });
    expect(config.mongo).toEqual({ url: "mongodb://127.0.0.1:27017", db: "payments" });
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 0 });
    expect(config.server.probeIntervalMs).toBe(1_000);
  });

  it("names every bad variable", () => {
    const load = () => loadConfig({ GRPC_PORT: "x", MONGO_URL: "redis://h:1", MONGO_DB: "a b", PROBE_INTERVAL_MS: "0" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/GRPC_PORT.*PROBE_INTERVAL_MS.*MONGO_URL.*MONGO_DB/);
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
