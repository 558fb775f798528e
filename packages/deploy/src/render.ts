// Every generated deploy file, by its path under deploy/: the Compose file and its Envoy configs,
// the Kubernetes base and both overlays. `make manifests` writes them; a test fails when the
// committed ones differ.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Topology } from "@shopmesh/mesh";
import { stringify } from "yaml";
import { bakeFile } from "./bake.js";
import { composeFiles } from "./compose.js";
import { baseFiles } from "./k8s-base.js";
import { istioFiles } from "./k8s-istio.js";
import { sidecarsFiles } from "./k8s-sidecars.js";

const header = "# Generated from deploy/topology.yaml by `make manifests` (packages/deploy); do not edit.\n";

/** The directories that hold only generated files (relative to the repository root). */
export const generatedDirs = ["deploy/compose", "deploy/k8s"] as const;

function text(path: string, content: unknown): string {
  if (path.endsWith(".json")) return `${JSON.stringify(content, null, 2)}\n`;
  const documents = Array.isArray(content) ? content : [content];
  // No line folding and no anchors: each line says all of itself, and a diff shows what changed. Strings
  // a YAML 1.1 reader would take for booleans ("yes", "on") are quoted, as kubectl and some tools read 1.1.
  const options = { lineWidth: 0, aliasDuplicateObjects: false, version: "1.1" } as const;
  return header + documents.map((d) => stringify(d, options)).join("---\n");
}

/** Path (relative to the repository root) to file content. */
export function renderDeploy(topology: Topology): Map<string, string> {
  const out = new Map<string, string>();
  const add = (prefix: string, files: Map<string, unknown>): void => {
    for (const [path, content] of files) out.set(`${prefix}/${path}`, text(path, content));
  };
  add("deploy/compose", composeFiles(topology));
  add("deploy/k8s/base", baseFiles(topology));
  add("deploy/k8s/overlays/sidecars", sidecarsFiles(topology));
  add("deploy/k8s/overlays/istio", istioFiles(topology));
  out.set("docker-bake.hcl", bakeFile(topology));
  return out;
}

/** Replaces the generated files under `root` (the repository) with what the topology renders. */
export function writeDeploy(topology: Topology, root: string): string[] {
  const files = renderDeploy(topology);
  for (const dir of generatedDirs) rmSync(join(root, dir), { recursive: true, force: true });
  for (const [path, content] of files) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return [...files.keys()];
}

/** Every file under `dir`, relative to it. */
export function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? listFiles(dir, path) : [path];
  });
}
