// The whole shop for the mesh tests: every store, service, sidecar and the gateway, on a port
// base of its own, and clients that reach it only through the gateway — as users would.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { createFaultSwitch, startShop, type FaultSwitch, type RunningShop, type ShopOptions } from "@shopmesh/devstack";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { createGrpcClient, type GrpcClient } from "@shopmesh/kit";
import { startLoad, type LoadHandle, type LoadOptions } from "@shopmesh/load";
import { implOverrides } from "@shopmesh/testkit";

/** MESH_TEST_PORT_BASE, or a base whose ports are all free. */
const meshBase = process.env["MESH_TEST_PORT_BASE"] === undefined ? "free" : Number(process.env["MESH_TEST_PORT_BASE"]);
/** Units of every catalog product in stock when the mesh starts. */
export const initialStock = 1_000;

export interface TestMesh {
  readonly shop: RunningShop;
  /** The failure scenarios of deploy/faults.yaml, switched in the running sidecars as `make fault` does. */
  readonly faults: FaultSwitch;
  /** A grpc-js client through the gateway. */
  grpc<S extends DescService>(service: S): GrpcClient<S>;
  /** A Connect gRPC-web client (fetch) through the gateway, as a browser would use. */
  web<S extends DescService>(service: S): Client<S>;
  /** A service's own socket, bypassing the mesh: for the tests' checks on internal state. */
  direct<S extends DescService>(service: S, name: string): GrpcClient<S>;
  /** Virtual shoppers through the gateway (@shopmesh/load), with tokens signed by this shop's key. */
  load(options: Omit<LoadOptions, "gateway" | "tokens">): Promise<LoadHandle>;
  stop(): Promise<void>;
}

export interface TestMeshOptions {
  /** Replicas per service instead of the topology's, e.g. `{ order: 1 }` for a lighter mesh. */
  readonly replicas?: Readonly<Record<string, number>>;
  /** Traces to a Zipkin started with the mesh (off by default: it takes a JVM's start). */
  readonly tracing?: boolean;
  /** Supervision settings instead of the launcher's (the chaos run kills replicas again and again). */
  readonly supervise?: ShopOptions["supervise"];
  /** The implementation per service instead of the topology's (and SHOP_TEST_IMPL's), e.g. `{ shipping: "go" }`. */
  readonly impl?: ShopOptions["impl"];
}

export async function startTestMesh(options: TestMeshOptions = {}): Promise<TestMesh> {
  const runDir = mkdtempSync(join(tmpdir(), "shopmesh-mesh-"));
  const replicas = options.replicas === undefined ? {} : { replicas: options.replicas };
  const tracing = options.tracing ?? false;
  const supervise = options.supervise === undefined ? {} : { supervise: options.supervise };
  const impl = { ...implOverrides(), ...options.impl };
  const shop = await startShop({ base: meshBase, runDir, seedStock: initialStock, tracing, impl, ...replicas, ...supervise });
  const clients: { close(): void }[] = [];
  const keep = <C extends { close(): void }>(client: C): C => {
    clients.push(client);
    return client;
  };
  const sidecars = shop.running.flatMap(({ component: c }) =>
    c.kind === "sidecar" && c.adminPort !== undefined ? [{ name: c.name, adminPort: c.adminPort }] : [],
  );
  return {
    shop,
    faults: createFaultSwitch(shop.topology.faults, sidecars),
    grpc: (service) => keep(createGrpcClient(service, shop.gatewayAddress, { defaultTimeoutMs: 10_000 })),
    web: (service) => createClient(service, createGrpcWebTransport({ baseUrl: `http://${shop.gatewayAddress}` })),
    direct: (service, name) => keep(createGrpcClient(service, shop.serviceAddress(name), { defaultTimeoutMs: 10_000 })),
    load: (options) =>
      startLoad({
        ...options,
        gateway: shop.gatewayAddress,
        tokens: { signingKeyFile: join(shop.dirs.keyDir, "jwt-es256.pem"), ...shop.topology.gateway.jwt },
      }),
    stop: async () => {
      for (const client of clients) client.close();
      await shop.stop();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

let userSeq = 0;

export interface Shopper {
  readonly userId: string;
  /** Headers that act as this user at the gateway (a bearer token). */
  readonly headers: Record<string, string>;
}

/** Every shopper the tests created, so invariant checks can look at all their orders. */
export const shoppers: Shopper[] = [];

/** Registers a new user through the gateway and logs in. */
export async function newShopper(mesh: TestMesh): Promise<Shopper> {
  const users = mesh.grpc(UserService);
  const email = `shopper-${process.pid}-${++userSeq}-${Date.now()}@example.com`;
  const { user } = await users.register({ email, password: "correct horse battery", displayName: `Shopper ${userSeq}` });
  const { accessToken } = await users.login({ email, password: "correct horse battery" });
  const shopper = { userId: user?.id ?? "", headers: { authorization: `Bearer ${accessToken}` } };
  shoppers.push(shopper);
  return shopper;
}

/** How long `promise` took to settle, and how. */
export async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}
