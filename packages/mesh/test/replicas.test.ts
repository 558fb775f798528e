// Replicas in the topology: each its own process, sidecar, ports and certificate; callers balance
// across them and retry on another replica what never reached the service.
import { describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { repoRoot } from "@shopmesh/testkit";
import {
  gatewayConfig,
  loadTopology,
  serviceNamed,
  sidecarConfig,
  unsentHeader,
  workloads,
  type MeshFiles,
  type Topology,
  portSpan,
} from "../src/index.js";

const topologyPath = join(repoRoot, "deploy", "topology.yaml");
const files: MeshFiles = { logDir: "/run/logs", pkiDir: "/run/pki", socketDir: "/run/sockets", jwksPath: "/run/jwks.json" };
const twoCatalogs = (): Topology => loadTopology(topologyPath, { base: 20_000, replicas: { catalog: 2, cart: 1 } });

type Json = Record<string, unknown>;
interface Cluster {
  name: string;
  load_assignment: { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { port_value: number } } } }[] }[] };
}
interface RetryPolicy {
  retry_on: string;
  retriable_headers: { name: string }[];
  retry_host_predicate: { name: string }[];
}
interface Route {
  match: { path?: string };
  route?: { retry_policy?: RetryPolicy };
}

const ports = (cluster: Cluster | undefined): number[] =>
  (cluster?.load_assignment.endpoints[0]?.lb_endpoints ?? []).map((e) => e.endpoint.address.socket_address.port_value);
const clusters = (config: Json): Cluster[] => (config["static_resources"] as { clusters: Cluster[] }).clusters;
const first = <T>(items: readonly T[]): T => {
  const [item] = items;
  if (item === undefined) throw new Error("empty");
  return item;
};

function gatewayRoutes(topology: Topology): Route[] {
  const listeners = (gatewayConfig(topology, files)["static_resources"] as { listeners: Json[] }).listeners;
  const chain = first((first(listeners)["filter_chains"] as { filters: { typed_config: Json }[] }[]) ?? []);
  const config = first(chain.filters).typed_config["route_config"] as { virtual_hosts: { routes: Route[] }[] };
  return first(config.virtual_hosts).routes;
}

describe("replicas", () => {
  it("each replica has its own ports and workload name; the first is named like its service", () => {
    const topology = twoCatalogs();
    const catalog = serviceNamed(topology, "catalog");
    expect(catalog.replicas.map((r) => r.name)).toEqual(["catalog", "catalog-2"]);
    expect(first(catalog.replicas).ingressPort).toBe(catalog.ingressPort);
    const all = topology.services.flatMap((s) => s.replicas.flatMap((r) => [r.ingressPort, r.adminPort, r.metricsPort]));
    expect(new Set(all).size).toBe(all.length);
    // A free port base covers them all.
    expect(all.filter((port) => port < topology.base || port >= topology.base + portSpan)).toEqual([]);
    expect(serviceNamed(topology, "cart").replicas.map((r) => r.name)).toEqual(["cart"]);
    // Every replica gets a certificate of its own, with its service's identity.
    expect(
      workloads(topology)
        .filter((w) => w.spiffeId === catalog.identity)
        .map((w) => w.name),
    ).toEqual(["catalog", "catalog-2"]);
  });

  it("the gateway and every caller's sidecar balance across all replicas", () => {
    const topology = twoCatalogs();
    const expected = serviceNamed(topology, "catalog").replicas.map((r) => r.ingressPort);
    expect(ports(clusters(gatewayConfig(topology, files)).find((c) => c.name === "catalog_ingress"))).toEqual(expected);
    const cart = serviceNamed(topology, "cart");
    const sidecar = sidecarConfig(topology, cart, first(cart.replicas), files);
    expect(ports(clusters(sidecar).find((c) => c.name === "catalog_ingress"))).toEqual(expected);
  });

  it("a second replica's sidecar has its own socket, certificate and admin port", () => {
    const topology = twoCatalogs();
    const catalog = serviceNamed(topology, "catalog");
    const second = catalog.replicas[1];
    if (second === undefined) throw new Error("no second replica");
    const text = JSON.stringify(sidecarConfig(topology, catalog, second, files));
    expect(text).toContain(`"port_value":${second.ingressPort}`);
    expect(text).toContain(`"port_value":${second.adminPort}`);
    expect(text).toContain("/run/sockets/catalog-2.sock");
    expect(text).toContain("/run/pki/catalog-2/");
    expect(text).not.toContain("/run/sockets/catalog.sock");
  });

  it("retries what its callee's sidecar marks unsent on another replica, and reads also on UNAVAILABLE and resets", () => {
    const topology = twoCatalogs();
    const policy = (path: string): RetryPolicy | undefined =>
      gatewayRoutes(topology).find((r) => r.match.path === path)?.route?.retry_policy;
    const addItem = policy("/shop.cart.v1.CartService/AddItem");
    expect(addItem?.retry_on.split(",")).toEqual(expect.arrayContaining(["connect-failure", "refused-stream", "retriable-headers"]));
    expect(addItem?.retry_on).not.toContain("unavailable");
    expect(addItem?.retriable_headers.map((h) => h.name)).toEqual([unsentHeader]);
    expect(addItem?.retry_host_predicate.map((p) => p.name)).toEqual(["envoy.retry_host_predicates.previous_hosts"]);
    expect(policy("/shop.catalog.v1.CatalogService/ListProducts")?.retry_on.split(",")).toEqual(
      expect.arrayContaining(["unavailable", "reset"]),
    );
    // The marker stays between Envoys.
    expect(JSON.stringify(gatewayConfig(topology, files))).toContain(`"response_headers_to_remove":["${unsentHeader}"]`);
    // …and within one hop: a caller's egress drops it from what its service gets back.
    const cart = serviceNamed(topology, "cart");
    expect(JSON.stringify(sidecarConfig(topology, cart, first(cart.replicas), files))).toContain(
      `"response_headers_to_remove":["${unsentHeader}"]`,
    );
    const catalog = serviceNamed(topology, "catalog");
    const sidecar = JSON.stringify(sidecarConfig(topology, catalog, first(catalog.replicas), files));
    expect(sidecar).toContain(`"flags":["UF","UH"]`);
    expect(sidecar).toContain(`"key":"${unsentHeader}"`);
  });

  it("passes a unary answer on only once it is whole, so a replica dying mid-answer is a retriable reset; streams flow", () => {
    const topology = twoCatalogs();
    const notification = serviceNamed(topology, "notification");
    const text = JSON.stringify(sidecarConfig(topology, notification, first(notification.replicas), files));
    expect(text).toContain("function envoy_on_response(response) response:body() end");
    const subscribe = text.indexOf('"path":"/shop.notification.v1.NotificationService/Subscribe"');
    expect(subscribe).toBeGreaterThan(0);
    expect(text.slice(subscribe, subscribe + 600)).toContain('"disabled":true');
    const reflection = text.indexOf('"path":"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"');
    expect(reflection).toBeGreaterThan(0);
    expect(text.slice(reflection, reflection + 600)).toContain('"disabled":true');
  });

  it("refuses a replica count the mesh cannot run, naming the service", () => {
    expect(() => loadTopology(topologyPath, { replicas: { catalog: 0 } })).toThrow("replicas of catalog: 1..8, not 0");
    expect(() => loadTopology(topologyPath, { replicas: { nosuch: 2 } })).toThrow("replicas: no service nosuch in the topology");
    expect(() => loadTopology(topologyPath, { replicas: { catalog: 8, cart: 8, order: 8 } })).toThrow(
      "at most 20 replicas in all beyond each service's first",
    );
  });
});
