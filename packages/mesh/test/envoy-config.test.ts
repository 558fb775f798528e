// Every generated Envoy config passes the real `envoy --mode validate`, and the routing rules
// the topology states are what the configs say.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, toolPath } from "@shopmesh/testkit";
import { gatewayConfig, issueCertificates, loadTopology, validateEnvoyConfig, workloads, writeEnvoyConfigs, type MeshFiles, type Topology } from "../src/index.js";

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
    writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: "k", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" }] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("all pass envoy --mode validate (with the test-only fault filter too)", async () => {
    const configs = writeEnvoyConfigs(topology, join(dir, "envoy"), files, { faults: true });
    expect(configs.map((c) => c.name).sort()).toEqual(["gateway", ...topology.services.map((s) => `sidecar-${s.name}`)].sort());
    for (const config of configs) await validateEnvoyConfig(toolPath("envoy"), config.path);
  }, 120_000);

  it("routes only public and user methods at the gateway, and exempts only public ones from the token", () => {
    const config = gatewayConfig(topology, files);
    const text = JSON.stringify(config);
    expect(text).toContain('"path":"/shop.catalog.v1.CatalogService/GetProduct"');
    expect(text).toContain('"path":"/shop.order.v1.OrderService/PlaceOrder"');
    expect(text).not.toContain("/shop.catalog.v1.CatalogService/UpsertProduct");
    expect(text).not.toContain("/shop.payment.v1.PaymentService/");
    expect(text).not.toContain("/shop.inventory.v1.InventoryService/");

    // The JWT rules: every rule without `requires` names one exact public path; the last rule
    // requires a token for everything else.
    const rules = (JSON.stringify(config).match(/"rules":(\[.*?\])\}\}/)?.[1] ?? "[]");
    const parsed = JSON.parse(rules) as { match: { path?: string; prefix?: string }; requires?: unknown }[];
    const exempt = parsed.filter((r) => r.requires === undefined).map((r) => r.match.path);
    const publicPaths = topology.services.flatMap((s) => s.publicMethods.map((m) => `/${s.service}/${m}`));
    expect(exempt.sort()).toEqual(
      [...publicPaths, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"].sort(),
    );
    expect(parsed.at(-1)).toEqual({ match: { prefix: "/" }, requires: { provider_name: "shop" } });
  });
});
