// `impl: go` starts the service's Go binary instead of its Node entry point, with the same
// environment, socket and readiness; every other component stays as it was.
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { goServiceBinary, repoRoot, type Component } from "@shopmesh/launcher";
import { loadTopology } from "@shopmesh/mesh";
import { components, layout } from "../src/components.js";

const topologyPath = join(repoRoot, "deploy", "topology.yaml");
const dirs = layout("/run/shop");
const byName = (stages: Component[][]): Map<string, Component> => new Map(stages.flat().map((c) => [c.name, c]));

describe("components with shipping on go", () => {
  const node = byName(components(loadTopology(topologyPath, { base: 20_000 }), dirs, { mesh: true }));
  const go = byName(components(loadTopology(topologyPath, { base: 20_000, impl: { shipping: "go" } }), dirs, { mesh: true }));

  it("runs the Go binary for shipping, with the Node service's environment, socket and readiness", () => {
    const [nodeShipping, goShipping] = [node.get("shipping"), go.get("shipping")];
    expect(nodeShipping?.command).toBe(process.execPath);
    expect(goShipping?.command).toBe(goServiceBinary("shipping"));
    expect(goShipping?.args).toEqual([]);
    expect(goShipping?.env).toEqual(nodeShipping?.env);
    expect(goShipping?.socket).toBe(nodeShipping?.socket);
    expect(goShipping?.ready).toBe("grpc-health");
  });

  it("leaves every other component as it was", () => {
    expect([...go.keys()]).toEqual([...node.keys()]);
    for (const [name, component] of node) if (name !== "shipping") expect(go.get(name)).toEqual(component);
  });
});
