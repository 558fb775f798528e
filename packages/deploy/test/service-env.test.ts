// The environment the Compose file and the Kubernetes Deployments give each service is one its
// own configuration schema accepts (each service's built config.js, as the image runs it), and the
// tracing module's too: a renamed or malformed variable fails here, not in a container.
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadTopology } from "@shopmesh/mesh";
import { parse } from "yaml";
import { repoRoot } from "../src/index.js";
import { field, list, yamlDocuments } from "./documents.js";

const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
type LoadConfig = (env: Record<string, string>) => unknown;

async function serviceConfig(service: string): Promise<LoadConfig> {
  const module = (await import(pathToFileURL(join(repoRoot, "services", service, "dist", "src", "config.js")).href)) as {
    loadConfig: LoadConfig;
  };
  return module.loadConfig;
}

async function tracingConfig(): Promise<LoadConfig> {
  const kit = (await import("@shopmesh/kit")) as unknown as { tracingConfig: LoadConfig };
  return kit.tracingConfig;
}

/** What a page-token Secret or env file holds, and what the downward API gives. */
const secretValue = "k".repeat(43);
const podName = "catalog-5d9f7c6b8-x2x4q";

describe("each service's environment in containers", () => {
  it.each(topology.services.map((s) => s.name))("in Compose is one %s accepts", async (name) => {
    const services = field(parse(readFileSync(join(repoRoot, "deploy", "compose", "compose.yaml"), "utf8")), "services");
    const env = { ...(field(services, `${name}.environment`) as Record<string, string>), PAGE_TOKEN_SECRET: secretValue };
    const config = (await serviceConfig(name))(env);
    expect([field(config, "server.host"), field(config, "server.port"), field(config, "server.metricsPort")]).toEqual([
      "127.0.0.1",
      8080,
      9464,
    ]);
    expect(field((await tracingConfig())(env), "enabled")).toBe(true);
  });

  it.each(topology.services.map((s) => s.name))("in Kubernetes is one %s accepts", async (name) => {
    const deployment = yamlDocuments(readFileSync(join(repoRoot, "deploy", "k8s", "base", `${name}.yaml`), "utf8")).find(
      (d) => d["kind"] === "Deployment",
    );
    const variables = list(field(deployment, "spec.template.spec.containers.0.env"));
    const env = Object.fromEntries(
      variables.map((v) => [
        String(field(v, "name")),
        field(v, "value") ?? (field(v, "valueFrom.secretKeyRef") !== undefined ? secretValue : podName),
      ]),
    ) as Record<string, string>;
    expect(field((await serviceConfig(name))(env), "server.host")).toBe("0.0.0.0");
    expect(field((await tracingConfig())(env), "instance")).toBe(podName);
  });
});
