// The environment the Compose file and the Kubernetes Deployments give each service is one its
// own configuration schema accepts (each service's built config.js, as the image runs it), and the
// tracing module's too: a renamed or malformed variable fails here, not in a container. Every service
// that publishes or consumes events gets the broker (BROKER_*, with its own certificate) in both.
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadTopology } from "@shopmesh/mesh";
import { parse } from "yaml";
import { repoRoot } from "../src/index.js";
import { field, list, yamlDocuments } from "./documents.js";

const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
/** Read from the topology itself: a service that publishes or consumes events. */
const eventServices = new Set(topology.services.filter((s) => s.publishes.length + s.consumes.length > 0).map((s) => s.name));

/** The broker settings a service's container reads: its replica's certificate, where the container mounts it. */
const expectedBroker = (name: string) =>
  eventServices.has(name)
    ? {
        url: "tls://broker:4222",
        caFile: "/etc/shopmesh/pki/ca.pem",
        certFile: `/etc/shopmesh/pki/${name}/cert.pem`,
        keyFile: `/etc/shopmesh/pki/${name}/key.pem`,
      }
    : undefined;
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
    const env: Record<string, string> = {
      ...(field(services, `${name}.environment`) as Record<string, string>),
      PAGE_TOKEN_SECRET: secretValue,
    };
    const config = (await serviceConfig(name))(env);
    expect([field(config, "server.host"), field(config, "server.port"), field(config, "server.metricsPort")]).toEqual([
      "127.0.0.1",
      8080,
      9464,
    ]);
    expect(field((await tracingConfig())(env), "enabled")).toBe(true);
    // Its replica's own certificate, mounted where the container reads it.
    const broker = expectedBroker(name);
    expect([name, field(config, "broker")]).toEqual([name, broker]);
    expect([name, env["BROKER_URL"]]).toEqual([name, broker?.url]);
    const volumes = list(field(services, `${name}.volumes`)).map(String);
    if (broker !== undefined) {
      expect(volumes).toContain("../../.run/compose/pki/ca.pem:/etc/shopmesh/pki/ca.pem:ro");
      expect(volumes).toContain(`../../.run/compose/pki/${name}:/etc/shopmesh/pki/${name}:ro`);
    }
  });

  it("names the broker in Compose for exactly the services that publish or consume events, on every replica", () => {
    expect([...eventServices].sort()).toEqual(["inventory", "notification", "order"]);
    const services = field(parse(readFileSync(join(repoRoot, "deploy", "compose", "compose.yaml"), "utf8")), "services") as Record<
      string,
      unknown
    >;
    for (const service of topology.services) {
      for (const replica of service.replicas) {
        const env = field(services, `${replica.name}.environment`) as Record<string, string>;
        const expected = eventServices.has(service.name) ? `/etc/shopmesh/pki/${replica.name}/cert.pem` : undefined;
        expect([replica.name, env["BROKER_CERT_FILE"]]).toEqual([replica.name, expected]);
      }
    }
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
    const config = (await serviceConfig(name))(env);
    expect(field(config, "server.host")).toBe("0.0.0.0");
    expect(field((await tracingConfig())(env), "instance")).toBe(podName);
    // Every pod of a service shows its service's certificate, from the projected volume the container mounts.
    const broker = expectedBroker(name);
    expect([name, field(config, "broker")]).toEqual([name, broker]);
    const volumes = list(field(deployment, "spec.template.spec.volumes"));
    const files = new Set(
      list(field(deployment, "spec.template.spec.containers.0.volumeMounts")).flatMap((mount) => {
        const volume = volumes.find((v) => field(v, "name") === field(mount, "name"));
        return list(field(volume, "projected.sources")).flatMap((source) =>
          list(field(source, "secret.items")).map((item) => `${String(field(mount, "mountPath"))}/${String(field(item, "path"))}`),
        );
      }),
    );
    if (broker !== undefined)
      for (const path of [broker.caFile, broker.certFile, broker.keyFile]) expect([path, files.has(path)]).toEqual([path, true]);
  });
});
