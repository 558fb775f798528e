// The implementation per service (`impl` in the topology): node unless the file or a run says go,
// and nothing the mesh generates depends on it: a Go service drops in behind the same sidecar.
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "@shopmesh/testkit";
import { gatewayConfig, loadTopology, parseTopology, serviceNamed, sidecarConfig, type MeshFiles } from "../src/index.js";

const topologyPath = join(repoRoot, "deploy", "topology.yaml");
const files: MeshFiles = { logDir: "/run/logs", pkiDir: "/run/pki", socketDir: "/run/sockets", jwksPath: "/run/jwks.json" };
const fileData = (): { services: Record<string, Record<string, unknown>> } => parse(readFileSync(topologyPath, "utf8"));

describe("impl", () => {
  it("is node for every service unless the topology says otherwise", () => {
    const topology = loadTopology(topologyPath, { base: 20_000 });
    expect(new Set(topology.services.map((s) => s.impl))).toEqual(new Set(["node"]));
  });

  it("is go where the file says so, or where a run overrides it", () => {
    const data = fileData();
    data.services["shipping"] = { ...data.services["shipping"], impl: "go" };
    expect(serviceNamed(parseTopology(data, "topology.yaml"), "shipping").impl).toBe("go");
    const overridden = loadTopology(topologyPath, { base: 20_000, impl: { shipping: "go" } });
    expect(serviceNamed(overridden, "shipping").impl).toBe("go");
    expect(serviceNamed(overridden, "catalog").impl).toBe("node");
  });

  it("refuses an implementation it does not know, and a service that is not there", () => {
    const data = fileData();
    data.services["shipping"] = { ...data.services["shipping"], impl: "rust" };
    expect(() => parseTopology(data, "topology.yaml")).toThrow(/topology\.yaml: services\.shipping\.impl/);
    expect(() => loadTopology(topologyPath, { impl: { billing: "go" } })).toThrow("impl: no service billing in the topology");
  });

  it("changes nothing in the Envoy configs", () => {
    const node = loadTopology(topologyPath, { base: 20_000 });
    const go = loadTopology(topologyPath, { base: 20_000, impl: { shipping: "go" } });
    expect(gatewayConfig(go, files)).toEqual(gatewayConfig(node, files));
    for (const service of node.services) {
      const goService = serviceNamed(go, service.name);
      for (const [i, replica] of service.replicas.entries()) {
        expect(sidecarConfig(go, goService, goService.replicas[i]!, files)).toEqual(sidecarConfig(node, service, replica, files));
      }
    }
  });
});
