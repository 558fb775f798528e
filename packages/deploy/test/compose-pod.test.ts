// The Compose file's addressing at work, without a container engine: in a network namespace of
// this test's own (loopback only), the catalog service with its Compose environment, its sidecar
// and the gateway with the Envoy configs Compose mounts (TCP inside the pod, callees by name, mutual
// TLS with certificates issued for the containers' names) answer a call through the gateway.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCertificates, loadTopology } from "@shopmesh/mesh";
import { parse } from "yaml";
import { composeWorkloads, containerFiles, repoRoot } from "../src/index.js";
import { field, list } from "./documents.js";
import { pinnedTool, run } from "./tools.js";

const composeDir = join(repoRoot, "deploy", "compose");

/** A mounted config pointed at the local copies of what Compose mounts. */
function localConfig(file: string, dir: string): Record<string, unknown> {
  const text = readFileSync(join(composeDir, "envoy", file), "utf8")
    .replaceAll(`"${containerFiles.pkiDir}/`, `"${dir}/pki/`)
    .replaceAll(containerFiles.jwksPath, join(dir, "jwks.json"))
    .replaceAll('"/dev/stdout"', JSON.stringify(join(dir, `${file}.access.log`)));
  return JSON.parse(text) as Record<string, unknown>;
}

/** In Compose the gateway has a network namespace of its own; here it shares the pod's, so it moves off the pod's ports. */
function movedOff(gateway: Record<string, unknown>): Record<string, unknown> {
  const moved: Record<number, number> = { 8080: 18080, 8443: 18443, 9901: 19901 };
  const text = JSON.stringify(gateway).replaceAll(/"port_value":(\d+)/g, (whole, port: string) =>
    moved[Number(port)] === undefined ? whole : `"port_value":${moved[Number(port)]}`,
  );
  // Only its own listeners and admin move; its clusters still reach the sidecar on 8443.
  const config = JSON.parse(text) as Record<string, unknown>;
  for (const cluster of list(field(config, "static_resources.clusters"))) {
    for (const endpoints of list(field(cluster, "load_assignment.endpoints"))) {
      for (const endpoint of list(field(endpoints, "lb_endpoints"))) {
        const address = field(endpoint, "endpoint.address.socket_address") as Record<string, unknown>;
        if (address["port_value"] === 18443) address["port_value"] = 8443;
      }
    }
  }
  return config;
}

describe("a Compose pod in a network namespace", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-pod-"));
    await issueCertificates(composeWorkloads(loadTopology(join(repoRoot, "deploy", "topology.yaml"))), { dir: join(dir, "pki") });
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(
      join(dir, "jwks.json"),
      JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), alg: "ES256", use: "sig", kid: "k" }] }),
    );
    const env = field(parse(readFileSync(join(composeDir, "compose.yaml"), "utf8")), "services.catalog.environment") as Record<
      string,
      string
    >;
    const lines = Object.entries({ ...env, PAGE_TOKEN_SECRET: "k".repeat(43), LOG_LEVEL: "warn" }).map(([k, v]) => `${k}='${v}'`);
    writeFileSync(join(dir, "catalog.env"), `${lines.join("\n")}\n`);
    writeFileSync(join(dir, "sidecar-catalog.json"), JSON.stringify(localConfig("sidecar-catalog.json", dir)));
    writeFileSync(join(dir, "gateway.json"), JSON.stringify(movedOff(localConfig("gateway.json", dir))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers ListProducts through the gateway and the catalog's sidecar", async () => {
    for (const tool of ["envoy", "ferretdb", "grpcurl"]) pinnedTool(tool);
    const script = join(repoRoot, "packages", "deploy", "test", "compose-pod.sh");
    const result = await run("unshare", ["--net", "--mount", "--", "bash", script, dir, repoRoot]);
    if (result.code !== 0) throw new Error(`the pod did not answer (unshare needs root):\n${result.stderr}`);
    const answer = JSON.parse(result.stdout) as { products?: unknown[] };
    expect(answer.products?.length).toBe(2);
    // It went through both Envoys: each logged the call, the sidecar's from the gateway's mTLS connection.
    const listProducts = "/shop.catalog.v1.CatalogService/ListProducts";
    expect(readFileSync(join(dir, "gateway.json.access.log"), "utf8")).toContain(listProducts);
    expect(readFileSync(join(dir, "sidecar-catalog.json.access.log"), "utf8")).toContain(listProducts);
  }, 90_000);
});
