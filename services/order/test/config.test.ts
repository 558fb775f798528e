// loadConfig: defaults, and a clear message naming each bad variable.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, withConfigTable } from "@shopmesh/kit";
import { envShape, loadConfig } from "../src/config.js";

const base = {
  GRPC_PORT: "0",
  MONGO_URL: "mongodb://127.0.0.1:27017",
  CART_ADDR: "127.0.0.1:7001",
  CATALOG_ADDR: "127.0.0.1:7002",
  INVENTORY_ADDR: "127.0.0.1:7003",
  PAYMENT_ADDR: "127.0.0.1:7004",
  SHIPPING_ADDR: "127.0.0.1:7005",
  NOTIFICATION_ADDR: "127.0.0.1:7006",
};

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("fills in the defaults", () => {
    const config = loadConfig(base);
    expect(config.mongo).toEqual({ url: base.MONGO_URL, db: "orders" });
    expect(config.downstream).toMatchObject({ payment: "127.0.0.1:7004", timeoutMs: 3_000 });
    expect(config.saga).toEqual({
      recoveryIntervalMs: 2_000,
      leaseMs: 15_000,
      retryBaseMs: 1_000,
      retryMaxMs: 60_000,
      waitMs: 30_000,
      replyMs: 8_000,
      maxInFlight: 8,
      reservationTtlMs: 900_000,
    });
    expect(config.crash).toEqual({ afterState: undefined, beforePersistStep: undefined });
    expect(config.pageTokenSecret).toBeUndefined();
    // Without a broker the order events wait in the outbox.
    expect(config.broker).toBeUndefined();
    expect(config.outboxSweepMs).toBe(1_000);
  });

  it("reads where the broker is and the workload's certificate", () => {
    const files = { BROKER_CA_FILE: "/pki/ca.pem", BROKER_CERT_FILE: "/pki/order/cert.pem", BROKER_KEY_FILE: "/pki/order/key.pem" };
    expect(loadConfig({ ...base, BROKER_URL: "tls://127.0.0.1:7105", ...files }).broker).toEqual({
      url: "tls://127.0.0.1:7105",
      caFile: "/pki/ca.pem",
      certFile: "/pki/order/cert.pem",
      keyFile: "/pki/order/key.pem",
    });
  });

  it("reads the crash points of crash tests", () => {
    expect(loadConfig({ ...base, SAGA_CRASH_AFTER: "PAID", SAGA_CRASH_BEFORE_PERSIST: "CHARGE" }).crash).toEqual({
      afterState: "PAID",
      beforePersistStep: "CHARGE",
    });
  });

  it("names each bad variable", () => {
    expect(configError({ ...base, PAYMENT_ADDR: "nope" })).toContain("PAYMENT_ADDR must be host:port");
    const { CART_ADDR: _, ...noCart } = base;
    expect(configError(noCart)).toContain("CART_ADDR");
    expect(configError({ ...base, SAGA_CRASH_AFTER: "DELIVERED" })).toContain(
      "SAGA_CRASH_AFTER must be one of PENDING, RESERVED, PAID, SHIPPED, CONFIRMED, CANCELLED",
    );
    expect(configError({ ...base, BROKER_URL: "nats://127.0.0.1:4222" })).toContain("BROKER_URL");
    const brokerWithoutFiles = configError({ ...base, BROKER_URL: "tls://127.0.0.1:4222", BROKER_CA_FILE: "/ca.pem" });
    expect(brokerWithoutFiles).toContain("BROKER_CERT_FILE is required when BROKER_URL is set");
    expect(brokerWithoutFiles).toContain("BROKER_KEY_FILE is required when BROKER_URL is set");
    expect(configError({ ...base, BROKER_CERT_FILE: "/pki/order/cert.pem" })).toContain("BROKER_CERT_FILE is set but BROKER_URL is not");
    expect(configError({ ...base, SAGA_CRASH_BEFORE_PERSIST: "x" })).toContain("SAGA_CRASH_BEFORE_PERSIST");
    expect(configError({ ...base, DOWNSTREAM_TIMEOUT_MS: "5000", ORDER_LEASE_MS: "8000" })).toContain(
      "ORDER_LEASE_MS must be greater than twice",
    );
    expect(configError({ ...base, RETRY_BASE_MS: "5000", RETRY_MAX_MS: "10" })).toContain("RETRY_MAX_MS");
    expect(configError({ ...base, PAGE_TOKEN_SECRET: "short" })).toContain("PAGE_TOKEN_SECRET");
    expect(configError({ ...base, MONGO_DB: "bad name" })).toContain("MONGO_DB");
    expect(configError({ ...base, PLACE_ORDER_MAX_IN_FLIGHT: "0" })).toContain("PLACE_ORDER_MAX_IN_FLIGHT");
  });
});

describe("the README", () => {
  it("documents every variable of the schema, and no other (make docs rewrites it)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withConfigTable(readme, envShape)).toBe(readme);
  });
});
