// Every generated Envoy config passes the real `envoy --mode validate`, and the routing rules
// the topology states are what the configs say.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, toolPath } from "@shopmesh/testkit";
import {
  gatewayConfig,
  issueCertificates,
  loadTopology,
  sidecarConfig,
  validateEnvoyConfig,
  workloads,
  writeEnvoyConfigs,
  type MeshFiles,
  type Replica,
  type Topology,
} from "../src/index.js";

describe("generated Envoy configs", () => {
  let dir: string;
  let topology: Topology;
  let files: MeshFiles;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-envoy-"));
    topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
    files = { logDir: dir, pkiDir: join(dir, "pki"), socketDir: join(dir, "sockets"), jwksPath: join(dir, "jwks.json") };
    // Envoy reads the SDS files at load time, so validation needs real certificates.
    await issueCertificates(workloads(topology), { dir: files.pkiDir });
    // A JWKS file must exist for validation; the key itself does not matter here.
    writeFileSync(
      join(dir, "jwks.json"),
      JSON.stringify({
        keys: [
          {
            kty: "EC",
            crv: "P-256",
            alg: "ES256",
            use: "sig",
            kid: "k",
            x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
          },
        ],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("all pass envoy --mode validate, with every fault scenario's filter and the admin runtime layer", async () => {
    expect(topology.faults.length).toBeGreaterThan(0);
    const configs = writeEnvoyConfigs(topology, join(dir, "envoy"), files);
    const sidecars = topology.services.flatMap((s) => s.replicas.map((r) => `sidecar-${r.name}`));
    expect(configs.map((c) => c.name).sort()).toEqual(["gateway", ...sidecars].sort());
    expect(sidecars).toEqual(expect.arrayContaining(["sidecar-catalog", "sidecar-catalog-2"]));
    for (const config of configs) await validateEnvoyConfig(toolPath("envoy"), config.path);
  }, 120_000);

  it("routes only public and user methods at the gateway, and exempts only public ones from the token", () => {
    const manager = httpConnectionManager(gatewayConfig(topology, files));
    const paths = manager.route_config.virtual_hosts.flatMap((host) =>
      host.routes.map((route) => route.match.path ?? `${route.match.prefix}*`),
    );
    // Every route names one method exactly: no prefix lets an unlisted (internal) method through.
    // The one prefix route is the last, and answers 404 itself (it exists so it has a rate limit).
    expect(paths.filter((path) => path.endsWith("*"))).toEqual(["/*"]);
    const routes = manager.route_config.virtual_hosts.flatMap((host) => host.routes);
    expect(routes.at(-1)).toMatchObject({ match: { prefix: "/" }, direct_response: { status: 404 } });
    expect(paths).toContain("/shop.catalog.v1.CatalogService/GetProduct");
    expect(paths).toContain("/shop.order.v1.OrderService/PlaceOrder");
    expect(paths).not.toContain("/shop.catalog.v1.CatalogService/UpsertProduct");
    for (const internal of ["/shop.payment.v1.PaymentService/", "/shop.inventory.v1.InventoryService/"]) {
      expect(paths.filter((path) => path.startsWith(internal))).toEqual([]);
    }

    // The JWT rules: every rule without `requires` names one exact public path; the last rule
    // requires a token for everything else.
    const jwtFilter = manager.http_filters.find((filter) => filter.name === "envoy.filters.http.jwt_authn");
    const jwt = jwtFilter?.typed_config as JwtAuthentication | undefined;
    expect(jwt?.["@type"]).toBe("type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication");
    const rules = jwt?.rules ?? [];
    const exempt = rules.filter((r) => r.requires === undefined).map((r) => r.match.path);
    const publicPaths = topology.services.flatMap((s) => s.publicMethods.map((m) => `/${s.service}/${m}`));
    expect(exempt.sort()).toEqual(
      [
        ...publicPaths,
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      ].sort(),
    );
    expect(rules.at(-1)).toEqual({ match: { prefix: "/" }, requires: { provider_name: "shop" } });
  });

  it("gives streams neither a deadline nor an idle timeout at every Envoy, unary routes no exemption, and pings peers", () => {
    const streamingPaths = new Set([
      ...topology.services.flatMap((s) => s.streaming.map((m) => `/${s.service}/${m}`)),
      "/grpc.health.v1.Health/Watch",
      "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ]);
    const options = { streamIdleTimeout: "7s" };
    const gateway = gatewayConfig(topology, files, options);
    const configs: [string, unknown][] = [
      ["gateway", gateway],
      ...topology.services.map((s): [string, unknown] => [s.name, sidecarConfig(topology, s, s.replicas[0] as Replica, files, options)]),
    ];
    for (const [name, config] of configs) {
      const managers = (config as Bootstrap).static_resources.listeners.flatMap((listener) =>
        listener.filter_chains.flatMap((chain) => chain.filters.filter((f) => f.name === "envoy.filters.network.http_connection_manager")),
      );
      expect(managers.length).toBeGreaterThan(0);
      for (const manager of managers.map((m) => m.typed_config as HttpConnectionManager)) {
        expect({ name, idle: manager.stream_idle_timeout }).toEqual({ name, idle: "7s" });
        expect(manager.http2_protocol_options?.connection_keepalive).toEqual({ interval: "30s", timeout: "10s" });
        const routes = manager.route_config.virtual_hosts.flatMap((host) => host.routes).filter((r) => r.route !== undefined);
        const streams = routes.filter((r) => r.match.path !== undefined && streamingPaths.has(r.match.path));
        const unary = routes.filter((r) => r.match.path !== undefined && !streamingPaths.has(r.match.path));
        for (const route of streams)
          expect({ name, path: route.match.path, ...route.route }).toMatchObject({ timeout: "0s", idle_timeout: "0s" });
        for (const route of unary)
          expect({ name, path: route.match.path, idle: route.route?.idle_timeout }).toEqual({
            name,
            path: route.match.path,
            idle: undefined,
          });
      }
    }
    const subscribe = "/shop.notification.v1.NotificationService/Subscribe";
    const gatewayRoutes = httpConnectionManager(gateway).route_config.virtual_hosts.flatMap((host) => host.routes);
    expect(gatewayRoutes.find((r) => r.match.path === subscribe)?.route).toMatchObject({ timeout: "0s", idle_timeout: "0s" });
    expect(gatewayRoutes.find((r) => r.match.path === "/shop.order.v1.OrderService/PlaceOrder")?.route?.timeout).not.toBe("0s");
  });

  it("gives a benchmark's bucket to every route without one of its own; Login and Register keep theirs", () => {
    const lifted = loadTopology(join(repoRoot, "deploy", "topology.yaml"), { gatewayRateLimit: { perSecond: 50_000, burst: 60_000 } });
    const bucketOf = (t: Topology, path: string) =>
      httpConnectionManager(gatewayConfig(t, files))
        .route_config.virtual_hosts.flatMap((host) => host.routes)
        .find((r) => r.match.path === path)?.typed_per_filter_config?.["envoy.filters.http.local_ratelimit"]?.token_bucket;
    const listing = "/shop.catalog.v1.CatalogService/ListProducts";
    const login = "/shop.user.v1.UserService/Login";
    expect(bucketOf(topology, listing)).toMatchObject({ tokens_per_fill: 2000, max_tokens: 4000 });
    expect(bucketOf(lifted, listing)).toMatchObject({ tokens_per_fill: 50_000, max_tokens: 60_000 });
    expect(bucketOf(lifted, login)).toEqual(bucketOf(topology, login));
    expect(bucketOf(lifted, login)).toMatchObject({ tokens_per_fill: 1, max_tokens: 10 });
    expect(() => loadTopology(join(repoRoot, "deploy", "topology.yaml"), { gatewayRateLimit: { perSecond: 0, burst: 1 } })).toThrow(
      /gatewayRateLimit: perSecond and burst must be whole numbers of at least 1/,
    );
  });
});

// The parts of Envoy's v3 bootstrap this file reads, as the generator writes them.
interface RouteMatch {
  readonly path?: string;
  readonly prefix?: string;
}
interface Route {
  readonly match: RouteMatch;
  readonly route?: { readonly timeout?: string; readonly idle_timeout?: string };
  readonly typed_per_filter_config?: {
    readonly "envoy.filters.http.local_ratelimit"?: {
      readonly token_bucket: { readonly max_tokens: number; readonly tokens_per_fill: number };
    };
  };
}
interface HttpConnectionManager {
  readonly stream_idle_timeout?: string;
  readonly http2_protocol_options?: { readonly connection_keepalive?: unknown };
  readonly route_config: { readonly virtual_hosts: readonly { readonly routes: readonly Route[] }[] };
  readonly http_filters: readonly { readonly name: string; readonly typed_config: { readonly "@type": string } }[];
}
interface JwtAuthentication {
  readonly "@type": string;
  readonly rules: readonly { readonly match: RouteMatch; readonly requires?: unknown }[];
}
interface Bootstrap {
  readonly static_resources: {
    readonly listeners: readonly {
      readonly name: string;
      readonly filter_chains: readonly { readonly filters: readonly { readonly name: string; readonly typed_config: unknown }[] }[];
    }[];
  };
}

/**
 * The HTTP connection manager of the gateway: its plaintext and its TLS listener serve the same
 * one, so what one routes and exempts the other does too.
 */
function httpConnectionManager(config: unknown): HttpConnectionManager {
  const listeners = (config as Bootstrap).static_resources.listeners;
  expect(listeners.map((l) => l.name)).toEqual(["gateway", "gateway-tls"]);
  const managers = listeners.map((listener) => {
    const filters = listener.filter_chains.flatMap((chain) => chain.filters);
    const manager = filters.find((f) => f.name === "envoy.filters.network.http_connection_manager");
    if (manager === undefined) throw new Error(`listener ${listener.name} has no http_connection_manager`);
    return manager.typed_config as HttpConnectionManager;
  });
  expect(managers[1]).toEqual(managers[0]);
  const [manager] = managers;
  if (manager === undefined) throw new Error("no listener");
  return manager;
}
