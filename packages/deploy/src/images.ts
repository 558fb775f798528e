// The container image of each runtime. A service's image follows its implementation: the Node one
// (`shopmesh/<service>`) unless the topology says `impl: go` (`shopmesh/<service>-go`). Third-party
// images are pinned to exact tags; the Envoy tag follows the Envoy the Makefile pins.
import type { ServiceNode } from "@shopmesh/mesh";

export type Implementation = "node" | "go";

/** The registry prefix of the shop's own images; `make images REGISTRY=…` pushes there. */
export const imagePrefix = "shopmesh";

/** The tag of the shop's own images in the generated manifests (a deploy pins its own with kustomize). */
export const imageTag = "0.1.0";

export const thirdPartyImages = {
  envoy: "envoyproxy/envoy:v1.36.4",
  mongodb: "mongo:8.0.12",
  // The nats-server `make up` runs; Alpine's variant for the busybox wget of its health check.
  nats: "nats:2.15.2-alpine",
  redis: "redis:7.4.5",
  zipkin: "openzipkin/zipkin:3.5.1",
} as const;

/** The implementation a service runs, read defensively: a topology without `impl` means node. */
export function implementationOf(service: ServiceNode): Implementation {
  const impl: unknown = (service as { readonly impl?: unknown }).impl;
  if (impl === undefined || impl === "node") return "node";
  if (impl === "go") return "go";
  throw new Error(`services.${service.name}.impl: node or go, not ${String(impl)}`);
}

/** `shopmesh/<service>` (node) or `shopmesh/<service>-go`, without a tag. */
export function serviceImageName(service: ServiceNode): string {
  return implementationOf(service) === "go" ? `${imagePrefix}/${service.name}-go` : `${imagePrefix}/${service.name}`;
}

export function serviceImage(service: ServiceNode): string {
  return `${serviceImageName(service)}:${imageTag}`;
}

export const webImage = `${imagePrefix}/web:${imageTag}`;
