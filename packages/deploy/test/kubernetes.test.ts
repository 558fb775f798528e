// Both overlays build with kustomize, and every resource they hold passes kubeconform against
// Kubernetes' schemas (kubernetes-validate's, staged offline) and Istio's CRD schemas, strictly:
// a field a schema does not name is an error.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../src/index.js";
import { field, yamlDocuments } from "./documents.js";
import { pinnedTool, run, schemaDir } from "./tools.js";

const overlays = ["sidecars", "istio"] as const;

async function kubeconform(path: string) {
  const location = (kind: "kubernetes" | "istio") => `${schemaDir(kind)}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  return run(pinnedTool("kubeconform"), [
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

  it("probe every service over grpc.health.v1 and give the sidecars overlay a second container per service pod", () => {
    const sidecars = yamlDocuments(built.get("sidecars") ?? "");
    const istio = yamlDocuments(built.get("istio") ?? "");
    const services = sidecars.filter((d) => d["kind"] === "Deployment" && field(d, "spec.template.spec.serviceAccountName") !== "gateway");
    const withApp = services.filter((d) => field(d, "spec.template.spec.containers.0.name") === "app");
    expect(withApp.length).toBe(8);
    for (const deployment of withApp) {
      const containers = field(deployment, "spec.template.spec.containers") as unknown[];
      expect(containers.map((c) => field(c, "name"))).toEqual(["app", "envoy"]);
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
