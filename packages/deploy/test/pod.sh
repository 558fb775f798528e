#!/usr/bin/env bash
# A pod without a container engine: run in a network namespace of its own with only loopback
# (`unshare --net --mount`), FerretDB as the `ferretdb` store, the catalog service with the
# environment its container gets, its Envoy sidecar and the gateway with the configs the container
# mounts, names resolved from a hosts file as Docker's or the cluster's DNS would. Then one call
# through the gateway, printed for the test to read (pod.test.ts).
#   pod.sh <work dir> <repo root>   (the test writes the env file and the configs first)
set -euo pipefail
work="$1"
root="$2"
bin="$root/.tools/bin"

ip link set lo up
printf '127.0.0.1 localhost catalog catalog-2 ferretdb zipkin gateway\n' > "$work/hosts"
mount --bind "$work/hosts" /etc/hosts

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # host port seconds
  for _ in $(seq 1 $(($3 * 10))); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on $1:$2 after $3 s" >&2
  return 1
}

mkdir -p "$work/ferretdb"
"$bin/ferretdb" --handler=sqlite "--sqlite-url=file:$work/ferretdb/" --listen-addr=127.0.0.1:27017 "--state-dir=$work/ferretdb" \
  --telemetry=disable --debug-addr=- --log-level=error > "$work/ferretdb.log" 2>&1 &
pids+=($!)
wait_for 127.0.0.1 27017 20

(
  set -a
  # shellcheck disable=SC1091
  . "$work/catalog.env"
  set +a
  cd "$root/services/catalog"
  exec node --import "$root/packages/kit/dist/src/tracing-register.js" dist/src/main.js
) > "$work/catalog.log" 2>&1 &
pids+=($!)

"$bin/envoy" -c "$work/sidecar-catalog.json" --log-level error --disable-hot-restart > "$work/sidecar.log" 2>&1 &
pids+=($!)
"$bin/envoy" -c "$work/gateway.json" --log-level error --disable-hot-restart > "$work/gateway.log" 2>&1 &
pids+=($!)
wait_for 127.0.0.1 18080 20

for _ in $(seq 1 100); do
  if out=$("$bin/grpcurl" -plaintext -d '{"page_size": 2}' 127.0.0.1:18080 shop.catalog.v1.CatalogService/ListProducts 2>&1); then
    printf '%s\n' "$out"
    exit 0
  fi
  sleep 0.2
done
printf 'no answer through the gateway: %s\n' "$out" >&2
tail -n 20 "$work"/*.log >&2
exit 1
