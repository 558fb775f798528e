// docker-bake.hcl: every image of the shop in one `docker buildx bake`, for linux/amd64 and
// linux/arm64. A service's Dockerfile follows its implementation (deploy/images/<impl>-service.Dockerfile)
// and its image name too (images.ts), so a service in Go gets its own image from the same topology.
import type { Topology } from "@shopmesh/mesh";
import { imagePrefix, imageTag, implementationOf, serviceImageName } from "./images.js";

export const platforms = ["linux/amd64", "linux/arm64"] as const;

const quoted = (s: string): string => JSON.stringify(s);

export function bakeFile(topology: Topology): string {
  const targets = topology.services.map((service) => {
    const name = serviceImageName(service).slice(imagePrefix.length + 1);
    return [
      `target ${quoted(name)} {`,
      `  inherits   = ["_common"]`,
      `  dockerfile = ${quoted(`deploy/images/${implementationOf(service)}-service.Dockerfile`)}`,
      `  args       = { SERVICE = ${quoted(service.name)} }`,
      `  tags       = ["\${REGISTRY}/${name}:\${TAG}"]`,
      "}",
    ].join("\n");
  });
  const names = [...topology.services.map((s) => serviceImageName(s).slice(imagePrefix.length + 1)), "web"];
  return [
    "# Generated from deploy/topology.yaml by `make manifests` (packages/deploy); do not edit.\n" +
      "# `make images` builds every image; REGISTRY=registry.example.com/shop TAG=1.2.3 docker buildx bake --push pushes them.",
    `variable "REGISTRY" {\n  default = ${quoted(imagePrefix)}\n}`,
    `variable "TAG" {\n  default = ${quoted(imageTag)}\n}`,
    `group "default" {\n  targets = [${names.map(quoted).join(", ")}]\n}`,
    `target "_common" {\n  context   = "."\n  platforms = [${platforms.map(quoted).join(", ")}]\n}`,
    ...targets,
    `target "web" {\n  inherits   = ["_common"]\n  dockerfile = "deploy/images/web.Dockerfile"\n  tags       = ["\${REGISTRY}/web:\${TAG}"]\n}`,
  ]
    .join("\n\n")
    .concat("\n");
}
