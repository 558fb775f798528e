// The committed deploy files are exactly what the generator writes from the topology, and what it
// writes follows the topology: images per implementation, replicas, identities, tracing.
import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTopology, type ServiceNode } from "@shopmesh/mesh";
import { parse } from "yaml";
import { generatedDirs, implementationOf, listFiles, renderDeploy, repoRoot, serviceImage } from "../src/index.js";
import { field, yamlDocuments } from "./documents.js";

const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
const rendered = renderDeploy(topology);
const documents = (path: string) => yamlDocuments(rendered.get(path) ?? "");
const composeServices = (): unknown => field(parse(rendered.get("deploy/compose/compose.yaml") ?? ""), "services");

describe("generated deploy files", () => {
  it("are committed as the generator writes them (run `make manifests` after changing the topology or the generator)", () => {
    const committed = generatedDirs.flatMap((dir) =>
      existsSync(join(repoRoot, dir)) ? listFiles(join(repoRoot, dir)).map((f) => `${dir}/${f}`) : [],
    );
    const stale = [...rendered.keys()].filter(
      (path) => !existsSync(join(repoRoot, path)) || readFileSync(join(repoRoot, path), "utf8") !== rendered.get(path),
    );
    const extra = committed.filter((path) => !rendered.has(path));
    expect({ stale, extra }).toEqual({ stale: [], extra: [] });
  });

  it("give each service its implementation's image: shopmesh/<service> for node (the default), shopmesh/<service>-go for go", () => {
    const catalog = topology.services.find((s) => s.name === "catalog") as ServiceNode;
    expect(implementationOf(catalog)).toBe("node");
    expect(serviceImage(catalog)).toMatch(/^shopmesh\/catalog:/);
    const goShipping = { ...catalog, name: "shipping", impl: "go" } as ServiceNode;
    expect(serviceImage(goShipping)).toMatch(/^shopmesh\/shipping-go:/);
    expect(() => implementationOf({ ...catalog, impl: "rust" } as unknown as ServiceNode)).toThrow("node or go");
    const bake = rendered.get("docker-bake.hcl") ?? "";
    expect(bake).toContain('dockerfile = "deploy/images/node-service.Dockerfile"');
    expect(bake).toContain('platforms = ["linux/amd64", "linux/arm64"]');
    // A topology whose shipping runs the Go implementation renders its image everywhere.
    const withGo = { ...topology, services: topology.services.map((s) => (s.name === "shipping" ? { ...s, impl: "go" as const } : s)) };
    const goRendered = renderDeploy(withGo);
    expect(goRendered.get("docker-bake.hcl")).toContain(
      'target "shipping-go" {\n  inherits   = ["_common"]\n  dockerfile = "deploy/images/go-service.Dockerfile"',
    );
    expect(field(parse(goRendered.get("deploy/compose/compose.yaml") ?? ""), "services.shipping.image")).toMatch(/^shopmesh\/shipping-go:/);
    // The Go image has no node to run grpc-health.mjs: the binary checks its own health.
    expect(field(parse(goRendered.get("deploy/compose/compose.yaml") ?? ""), "services.shipping.healthcheck.test")).toEqual([
      "CMD",
      "/service",
      "healthcheck",
      "127.0.0.1:8080",
      "shop.shipping.v1.ShippingService",
    ]);
    expect(goRendered.get("deploy/k8s/base/shipping.yaml")).toContain("image: shopmesh/shipping-go:");
  });

  it("run each service with the topology's replicas, scaling from there, and one Compose container pair per replica", () => {
    for (const service of topology.services) {
      const docs = documents(`deploy/k8s/base/${service.name}.yaml`);
      const deployment = docs.find((d) => d["kind"] === "Deployment");
      const autoscaler = docs.find((d) => d["kind"] === "HorizontalPodAutoscaler");
      expect([service.name, field(deployment, "spec.replicas"), field(autoscaler, "spec.minReplicas")]).toEqual([
        service.name,
        service.replicas.length,
        service.replicas.length,
      ]);
      expect(field(deployment, "spec.template.spec.serviceAccountName")).toBe(service.name);
      expect(field(deployment, "spec.template.spec.containers.0.image")).toBe(serviceImage(service));
    }
    const catalog = topology.services.find((s) => s.name === "catalog") as ServiceNode;
    expect(catalog.replicas.length).toBe(2);
    for (const replica of catalog.replicas) {
      expect(field(composeServices(), `${replica.name}.image`)).toBe(serviceImage(catalog));
      expect(field(composeServices(), `${replica.name}-sidecar.network_mode`)).toBe(`service:${replica.name}`);
    }
  });

  it("render the topology's SPIFFE identities and trace to Zipkin", () => {
    const sidecar = JSON.parse(rendered.get("deploy/compose/envoy/sidecar-order.json") ?? "{}") as unknown;
    const text = JSON.stringify(sidecar);
    // Order tells notification of an order by an event now, not by a call.
    for (const callee of ["cart", "catalog", "inventory", "payment", "shipping"]) {
      expect(text).toContain(`spiffe://${topology.trustDomain}/svc/${callee}`);
    }
    expect(text).toContain('"collector_cluster":"zipkin"');
    expect(text).toContain('"address":"zipkin"');
    expect(field(composeServices(), "order.environment.TRACING_ZIPKIN_URL")).toBe("http://zipkin:9411/api/v2/spans");
    expect(field(composeServices(), "zipkin.image")).toMatch(/^openzipkin\/zipkin:\d+\.\d+\.\d+$/);
    expect(text).not.toContain(`spiffe://${topology.trustDomain}/svc/notification`);
  });

  // A variant of an exact version too (`nats:2.15.2-alpine`); Istio's gateway injection fills in its own `auto`.
  it("name every image by an exact version", () => {
    const images = [...rendered.entries()]
      .filter(([path]) => path.endsWith(".yaml"))
      .flatMap(([, content]) => [...content.matchAll(/^\s*(?:- )?image: (\S+)$/gm)].map((m) => m[1] ?? ""));
    expect(images.length).toBeGreaterThan(20);
    expect(images.filter((image) => image !== "auto" && !/^[a-z0-9./-]+:v?\d+\.\d+\.\d+(-[a-z][a-z0-9.]*)?$/.test(image))).toEqual([]);
  });

  it("never carry a private key: the manifests reference Secrets", () => {
    for (const [path, content] of rendered) expect([path, /PRIVATE KEY/.test(content)]).toEqual([path, false]);
  });
});
