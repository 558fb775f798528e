// The event broker as the topology renders it: streams per producer, a durable consumer per
// consuming service, and per service a broker user allowed exactly its own subjects. The
// rendered configuration is checked by nats-server itself.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { parse } from "yaml";
import { repoRoot, toolPath } from "@shopmesh/testkit";
import {
  consumerSettings,
  eventConsumers,
  eventStreams,
  issueCertificates,
  loadTopology,
  natsConfig,
  parseTopology,
  permissionsOf,
  serviceNamed,
  workloads,
  type Topology,
} from "../src/index.js";

const topologyPath = join(repoRoot, "deploy", "topology.yaml");
const topology: Topology = loadTopology(topologyPath);
const file = parse(readFileSync(topologyPath, "utf8")) as { services: Record<string, Record<string, unknown>> };

/** The topology file with `change` applied to a copy of its services. */
function withServices(change: (services: Record<string, Record<string, unknown>>) => void): Topology {
  const copy = structuredClone(file);
  change(copy.services);
  return parseTopology(copy, "topology.yaml");
}

describe("events in the topology", () => {
  it("gives each producer a stream of its events and each consumer a durable consumer per producer", () => {
    expect(eventStreams(topology)).toEqual([
      { name: "ORDER_EVENTS", producer: "order", subjects: ["shop.order.v1.OrderConfirmed", "shop.order.v1.OrderCancelled"] },
    ]);
    expect(eventConsumers(topology)).toEqual([
      { service: "inventory", stream: "ORDER_EVENTS", durable: "inventory", events: ["shop.order.v1.OrderConfirmed"] },
      {
        service: "notification",
        stream: "ORDER_EVENTS",
        durable: "notification",
        events: ["shop.order.v1.OrderConfirmed", "shop.order.v1.OrderCancelled"],
      },
    ]);
    const broker = topology.broker;
    if (broker === undefined) throw new Error("no broker");
    const [inventory] = eventConsumers(topology);
    if (inventory === undefined) throw new Error("no consumer");
    expect(consumerSettings(inventory, broker)).toMatchObject({ max_deliver: 5, ack_wait: 10_000_000_000, ack_policy: "explicit" });
  });

  it("refuses events no contract defines, consumers of unpublished events, and events without a broker", () => {
    expect(() =>
      withServices((s) => Object.assign(s["order"] ?? {}, { publishes: ["OrderConfirmed", "OrderCancelled", "OrderShipped"] })),
    ).toThrow(/services.order.publishes: no contract defines shop.order.v1.OrderShipped/);
    expect(() =>
      withServices((s) => Object.assign(s["inventory"] ?? {}, { consumes: { order: ["OrderCancelled"], cart: ["X"] } })),
    ).toThrow(/services.inventory.consumes.cart: cart does not publish X/);
    const noBroker = structuredClone(file) as Record<string, unknown>;
    delete noBroker["broker"];
    expect(() => parseTopology(noBroker, "topology.yaml")).toThrow(/services publish events, but the topology has no broker/);
  });
});

describe("who may do what on the broker", () => {
  it("lets a producer publish its events and read its own replies, nothing else", () => {
    expect(permissionsOf(topology, serviceNamed(topology, "order"))).toEqual({
      publish: ["shop.order.v1.OrderConfirmed", "shop.order.v1.OrderCancelled"],
      subscribe: ["_INBOX_order.>"],
    });
  });

  it("lets a consumer pull from and ack on its own consumer and write its own dead letters", () => {
    expect(permissionsOf(topology, serviceNamed(topology, "notification"))).toEqual({
      publish: [
        "$JS.API.CONSUMER.INFO.ORDER_EVENTS.notification",
        "$JS.API.CONSUMER.MSG.NEXT.ORDER_EVENTS.notification",
        "$JS.ACK.ORDER_EVENTS.notification.>",
        "deadletter.notification.>",
      ],
      subscribe: ["_INBOX_notification.>"],
    });
  });

  it("has a broker user per service that uses events, each its SPIFFE ID, and the mesh's admin", () => {
    const config = JSON.parse(natsConfig(topology, topology.broker ?? fail(), { pkiDir: "/pki", dataDir: "/data" })) as {
      authorization: { users: { user: string }[] };
      tls: { verify_and_map: boolean };
    };
    expect(config.tls.verify_and_map).toBe(true);
    expect(config.authorization.users.map((u) => u.user).sort()).toEqual([
      "spiffe://shopmesh.local/broker-admin",
      "spiffe://shopmesh.local/svc/inventory",
      "spiffe://shopmesh.local/svc/notification",
      "spiffe://shopmesh.local/svc/order",
    ]);
  });
});

describe("the rendered configuration", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-broker-"));
    await issueCertificates(workloads(topology), { dir: join(dir, "pki") });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is accepted by nats-server", async () => {
    const configFile = join(dir, "nats.json");
    writeFileSync(configFile, natsConfig(topology, topology.broker ?? fail(), { pkiDir: join(dir, "pki"), dataDir: join(dir, "data") }));
    const { stderr, stdout } = await promisify(execFile)(toolPath("nats-server"), ["--config", configFile, "-t"]);
    expect(`${stdout}${stderr}`).toMatch(/configuration file .* is valid/);
  });

  it("is refused by nats-server when it is broken", async () => {
    const configFile = join(dir, "broken.json");
    writeFileSync(
      configFile,
      natsConfig(topology, topology.broker ?? fail(), { pkiDir: join(dir, "missing"), dataDir: join(dir, "data") }),
    );
    await expect(promisify(execFile)(toolPath("nats-server"), ["--config", configFile, "-t"])).rejects.toThrow();
  });
});

function fail(): never {
  throw new Error("the topology has no broker");
}
