// The containers' addressing at work, without a container engine or a cluster: in a network
// namespace of this test's own (loopback only), the catalog service with the environment Compose
// (or its Kubernetes Deployment) gives it, its sidecar and the gateway with the Envoy configs Compose
// mounts (or the sidecars overlay ships) answer a call through the gateway: TCP inside the pod,
// callees by name, mutual TLS with certificates issued for the containers' names.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCertificates, loadTopology } from "@shopmesh/mesh";
import { parse } from "yaml";
import { composeWorkloads, containerFiles, repoRoot } from "../src/index.js";
import { field, list, yamlDocuments } from "./documents.js";
import { pinnedTool, run } from "./tools.js";

const secretValue = "k".repeat(43);

interface Rendering {
  readonly envoyDir: string;
  readonly catalogEnv: () => Record<string, string>;
}

const renderings: Readonly<Record<string, Rendering>> = {
  Compose: {
    envoyDir: join(repoRoot, "deploy", "compose", "envoy"),
    catalogEnv: () => {
      const compose = parse(readFileSync(join(repoRoot, "deploy", "compose", "compose.yaml"), "utf8"));
      return field(compose, "services.catalog.environment") as Record<string, string>;
    },
  },
  "the Kubernetes sidecars overlay": {
    envoyDir: join(repoRoot, "deploy", "k8s", "overlays", "sidecars", "envoy"),
    catalogEnv: () => {
      const docs = yamlDocuments(readFileSync(join(repoRoot, "deploy", "k8s", "base", "catalog.yaml"), "utf8"));
      const variables = list(
        field(
          docs.find((d) => d["kind"] === "Deployment"),
          "spec.template.spec.containers.0.env",
        ),
      );
      // Secrets and the pod's name come from Kubernetes; here, stand-ins.
      return Object.fromEntries(variables.map((v) => [String(field(v, "name")), String(field(v, "value") ?? "catalog-pod")]));
    },
  },
};

/** A mounted config pointed at the local copies of what the container mounts. */
function localConfig(envoyDir: string, file: string, dir: string): Record<string, unknown> {
  const text = readFileSync(join(envoyDir, file), "utf8")
    .replaceAll(`"${containerFiles.pkiDir}/`, `"${dir}/pki/`)
    .replaceAll(containerFiles.jwksPath, join(dir, "jwks.json"))
    .replaceAll('"/dev/stdout"', JSON.stringify(join(dir, `${file}.access.log`)));
  return JSON.parse(text) as Record<string, unknown>;
}

/** The gateway has a network namespace of its own in containers; here it shares the pod's, so its own listeners and admin move off the pod's ports. */
function movedOff(gateway: Record<string, unknown>): Record<string, unknown> {
  const moved: Readonly<Record<number, number>> = { 8080: 18080, 8443: 18443, 9901: 19901 };
  const config = JSON.parse(JSON.stringify(gateway)) as Record<string, unknown>;
  const move = (address: unknown): void => {
    const socket = field(address, "socket_address") as Record<string, unknown>;
    socket["port_value"] = moved[Number(socket["port_value"])] ?? socket["port_value"];
  };
  move(field(config, "admin.address"));
  for (const listener of list(field(config, "static_resources.listeners"))) move(field(listener, "address"));
  return config;
}

describe("a pod in a network namespace", () => {
  let pki: string;
  beforeAll(async () => {
    pki = mkdtempSync(join(tmpdir(), "shopmesh-pod-pki-"));
    await issueCertificates(composeWorkloads(loadTopology(join(repoRoot, "deploy", "topology.yaml"))), { dir: pki });
  });
  afterAll(() => rmSync(pki, { recursive: true, force: true }));

  it.each(Object.keys(renderings))(
    "of %s answers ListProducts through the gateway and the catalog's sidecar",
    async (name) => {
      for (const tool of ["envoy", "ferretdb", "grpcurl"]) pinnedTool(tool);
      const rendering = renderings[name] as Rendering;
      const dir = mkdtempSync(join(tmpdir(), "shopmesh-pod-"));
      cpSync(pki, join(dir, "pki"), { recursive: true });
      const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = { ...publicKey.export({ format: "jwk" }), alg: "ES256", use: "sig", kid: "k" };
      writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [jwk] }));
      const env = { ...rendering.catalogEnv(), PAGE_TOKEN_SECRET: secretValue, LOG_LEVEL: "warn" };
      writeFileSync(
        join(dir, "catalog.env"),
        `${Object.entries(env)
          .map(([k, v]) => `${k}='${v}'`)
          .join("\n")}\n`,
      );
      writeFileSync(join(dir, "sidecar-catalog.json"), JSON.stringify(localConfig(rendering.envoyDir, "sidecar-catalog.json", dir)));
      writeFileSync(join(dir, "gateway.json"), JSON.stringify(movedOff(localConfig(rendering.envoyDir, "gateway.json", dir))));

      const result = await run("unshare", [
        "--net",
        "--mount",
        "--",
        "bash",
        join(repoRoot, "packages", "deploy", "test", "pod.sh"),
        dir,
        repoRoot,
      ]);
      if (result.code !== 0) throw new Error(`the pod did not answer (unshare needs root):\n${result.stderr}`);
      const answer = JSON.parse(result.stdout) as { products?: unknown[] };
      expect(answer.products?.length).toBe(2);
      // It went through both Envoys: each logged the call, the sidecar's from the gateway's mTLS connection.
      const listProducts = "/shop.catalog.v1.CatalogService/ListProducts";
      expect(readFileSync(join(dir, "gateway.json.access.log"), "utf8")).toContain(listProducts);
      expect(readFileSync(join(dir, "sidecar-catalog.json.access.log"), "utf8")).toContain(listProducts);
      rmSync(dir, { recursive: true, force: true });
    },
    90_000,
  );
});
