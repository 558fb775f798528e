// Both overlays build with kustomize, and every resource they hold passes kubeconform against
// Kubernetes' schemas (kubernetes-validate's, staged offline) and Istio's CRD schemas, strictly:
// a field a schema does not name is an error.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTopology } from "@shopmesh/mesh";
import { renderKubernetesSecrets, repoRoot } from "../src/index.js";
import { type Doc, field, list, yamlDocuments } from "./documents.js";
import { pinnedTool, run, schemaDir } from "./tools.js";

const overlays = ["sidecars", "istio"] as const;

/** Every Secret a resource names: env secretKeyRefs, secret and projected volumes, Istio's TLS credentialName. */
function secretsNamed(doc: Doc): string[] {
  const names: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (Array.isArray(value)) for (const v of value) walk(v, key);
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, k);
    else if (typeof value === "string" && key === "secretName") names.push(value);
    else if (typeof value === "string" && key === "credentialName") names.push(value);
  };
  walk(doc, "");
  const refs = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) refs(v);
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if ((k === "secretKeyRef" || k === "secret") && typeof field(v, "name") === "string") names.push(String(field(v, "name")));
        refs(v);
      }
    }
  };
  refs(doc);
  return names;
}

async function kubeconform(path: string) {
  const location = (kind: "kubernetes" | "istio") => `${schemaDir(kind)}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  // One worker: each would compile Kubernetes' 4 MB of shared definitions again, which costs more than it saves.
  return run(pinnedTool("kubeconform"), [
    "-n",
    "1",
    "-strict",
    "-summary",
    "-schema-location",
    location("kubernetes"),
    "-schema-location",
    location("istio"),
    path,
  ]);
}

describe("the Kubernetes manifests", () => {
  let dir: string;
  const built = new Map<string, string>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-k8s-"));
    for (const overlay of overlays) {
      const result = await run(pinnedTool("kustomize"), ["build", join(repoRoot, "deploy", "k8s", "overlays", overlay)]);
      if (result.code !== 0) throw new Error(`kustomize build ${overlay}: ${result.stderr}`);
      built.set(overlay, result.stdout);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(overlays)("of the %s overlay pass kubeconform, every resource", async (overlay) => {
    const path = join(dir, `${overlay}.yaml`);
    writeFileSync(path, built.get(overlay) ?? "");
    const result = await kubeconform(path);
    const count = yamlDocuments(built.get(overlay) ?? "").length;
    expect(result.stdout).toContain(`Valid: ${count}, Invalid: 0, Errors: 0, Skipped: 0`);
    expect(result.code).toBe(0);
  });

  it("fail kubeconform with a misspelled field, in a Kubernetes kind and in an Istio one (the check can fail)", async () => {
    const broken = (built.get("istio") ?? "")
      .replace("failureThreshold:", "failureThreshhold:")
      .replace("consecutive5xxErrors:", "consecutive5xxErrorz:");
    const path = join(dir, "broken.yaml");
    writeFileSync(path, broken);
    const result = await kubeconform(path);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("failureThreshhold");
    expect(result.stdout).toContain("consecutive5xxErrorz");
  });

  it("reference only Secrets that `make k8s-secrets` renders, none of them committed", async () => {
    const secretsDir = join(dir, "secrets");
    mkdirSync(join(secretsDir, "keys"), { recursive: true });
    // The signing key's content is not what this checks.
    writeFileSync(join(secretsDir, "keys", "jwt-es256.pem"), "signing key\n");
    writeFileSync(join(secretsDir, "keys", "jwks.json"), '{"keys":[]}\n');
    const [secretsPath = ""] = await renderKubernetesSecrets(loadTopology(join(repoRoot, "deploy", "topology.yaml")), secretsDir);
    const rendered = new Set(yamlDocuments(readFileSync(secretsPath, "utf8")).map((d) => String(field(d, "metadata.name"))));
    for (const overlay of overlays) {
      const docs = yamlDocuments(built.get(overlay) ?? "");
      expect(docs.filter((d) => d["kind"] === "Secret")).toEqual([]);
      const named = new Set(docs.flatMap(secretsNamed));
      expect(named.size).toBeGreaterThan(2);
      expect([overlay, [...named].filter((n) => !rendered.has(n))]).toEqual([overlay, []]);
    }
    const result = await kubeconform(secretsPath);
    expect(result.code).toBe(0);
    expect(list(yamlDocuments(readFileSync(secretsPath, "utf8"))).length).toBe(rendered.size);
  });

  it("probe every service over grpc.health.v1 and give the sidecars overlay our Envoy as a native sidecar per service pod", () => {
    const sidecars = yamlDocuments(built.get("sidecars") ?? "");
    const istio = yamlDocuments(built.get("istio") ?? "");
    const services = sidecars.filter((d) => d["kind"] === "Deployment" && field(d, "spec.template.spec.serviceAccountName") !== "gateway");
    const withApp = services.filter((d) => field(d, "spec.template.spec.containers.0.name") === "app");
    expect(withApp.length).toBe(8);
    for (const deployment of withApp) {
      const containers = field(deployment, "spec.template.spec.containers") as unknown[];
      const sidecars = field(deployment, "spec.template.spec.initContainers") as unknown[];
      expect(containers.map((c) => field(c, "name"))).toEqual(["app"]);
      expect(sidecars.map((c) => [field(c, "name"), field(c, "restartPolicy"), field(c, "ports.0.name")])).toEqual([
        ["envoy", "Always", "ingress"],
      ]);
      expect(field(containers[0], "ports.0.name")).toBe("app");
      expect(field(containers[0], "readinessProbe.grpc.port")).toBe(8080);
      expect(field(containers[0], "livenessProbe.grpc.port")).toBe(8080);
    }
    const istioDeployments = istio.filter((d) => d["kind"] === "Deployment" && field(d, "spec.template.spec.containers.0.name") === "app");
    for (const deployment of istioDeployments) expect((field(deployment, "spec.template.spec.containers") as unknown[]).length).toBe(1);
    const namespace = istio.find((d) => d["kind"] === "Namespace");
    expect(field(namespace, "metadata.labels.istio-injection")).toBe("enabled");
    const peer = istio.find((d) => d["kind"] === "PeerAuthentication");
    expect(field(peer, "spec.mtls.mode")).toBe("STRICT");
  });
});
