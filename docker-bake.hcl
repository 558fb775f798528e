# Generated from deploy/topology.yaml by `make manifests` (packages/deploy); do not edit.
# `make images` builds every image; REGISTRY=registry.example.com/shop TAG=1.2.3 docker buildx bake --push pushes them.

variable "REGISTRY" {
  default = "shopmesh"
}

variable "TAG" {
  default = "0.1.0"
}

group "default" {
  targets = ["catalog", "inventory", "cart", "user", "payment", "shipping", "notification", "order", "web"]
}

target "_common" {
  context   = "."
  platforms = ["linux/amd64", "linux/arm64"]
}

target "catalog" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "catalog" }
  tags       = ["${REGISTRY}/catalog:${TAG}"]
}

target "inventory" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "inventory" }
  tags       = ["${REGISTRY}/inventory:${TAG}"]
}

target "cart" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "cart" }
  tags       = ["${REGISTRY}/cart:${TAG}"]
}

target "user" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "user" }
  tags       = ["${REGISTRY}/user:${TAG}"]
}

target "payment" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "payment" }
  tags       = ["${REGISTRY}/payment:${TAG}"]
}

target "shipping" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "shipping" }
  tags       = ["${REGISTRY}/shipping:${TAG}"]
}

target "notification" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "notification" }
  tags       = ["${REGISTRY}/notification:${TAG}"]
}

target "order" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/node-service.Dockerfile"
  args       = { SERVICE = "order" }
  tags       = ["${REGISTRY}/order:${TAG}"]
}

target "web" {
  inherits   = ["_common"]
  dockerfile = "deploy/images/web.Dockerfile"
  tags       = ["${REGISTRY}/web:${TAG}"]
}
