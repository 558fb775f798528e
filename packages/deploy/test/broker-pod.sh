#!/usr/bin/env bash
# The broker's pod without a container engine: in a network namespace of its own with only loopback
# (`unshare --net --mount`), nats-server with the configuration Compose or Kubernetes mounts, the names resolved
# from a hosts file as Docker's or the cluster's DNS would; then the one-shot setup with its environment, then
# the services' clients (broker-pod-client.ts), whose JSON the test reads (broker.test.ts).
#   broker-pod.sh <work dir> <repo root>   (the test writes the configs and environments first)
set -euo pipefail
work="$1"
root="$2"
bin="$root/.tools/bin"

ip link set lo up
printf '127.0.0.1 localhost broker\n' > "$work/hosts"
mount --bind "$work/hosts" /etc/hosts

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$bin/nats-server" --config "$work/nats.json" > "$work/broker.log" 2>&1 &
pids+=($!)
# The monitoring's /healthz, as the container's health check asks it.
healthy() { (exec 3<>/dev/tcp/127.0.0.1/8222 && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && grep -q '"ok"' <&3) 2>/dev/null; }
for _ in $(seq 1 100); do healthy && break; sleep 0.1; done
healthy || { echo "the broker is not healthy after 10 s" >&2; cat "$work/broker.log" >&2; exit 1; }

(
  set -a
  # shellcheck disable=SC1091
  . "$work/broker-setup.env"
  set +a
  exec "$bin/node" "$root/packages/events/dist/src/setup-main.js"
) > "$work/setup.log" 2>&1 || { cat "$work/setup.log" "$work/broker.log" >&2; exit 1; }

"$bin/node" "$root/packages/deploy/dist/test/broker-pod-client.js" "$work" "$root" || { cat "$work/broker.log" >&2; exit 1; }
