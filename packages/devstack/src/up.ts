// `make up`: the whole shop on loopback — stores, services, Envoy sidecars, edge gateway — with
// progress as each becomes healthy, a table of what runs where, and a clean stop on Ctrl-C.
import { rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join, relative, resolve } from "node:path";
import { describeExit, repoRoot, type SupervisionEvent } from "@shopmesh/launcher";
import { loadTopology } from "@shopmesh/mesh";
import { controlSocket, serveControl } from "./control.js";
import { prometheusConfig } from "./prometheus-config.js";
import { everyService, startShop, topologyFile, type RunningShop } from "./shop.js";
import { shopState, stateFile, writeState } from "./state.js";

const baseEnv = process.env["SHOP_PORT_BASE"];
const base = baseEnv === undefined ? undefined : Number(baseEnv);
if (base !== undefined && (!Number.isInteger(base) || base < 1024 || base > 65_000)) {
  process.stderr.write(`SHOP_PORT_BASE must be an integer 1024..65000 (got "${baseEnv}")\n`);
  process.exit(1);
}
// TRACING=off (make up TRACING=off): no Zipkin, no exporter; otherwise as deploy/topology.yaml says.
const tracingEnv = process.env["TRACING"] ?? "on";
if (tracingEnv !== "on" && tracingEnv !== "off") {
  process.stderr.write(`TRACING must be on or off (got "${tracingEnv}")\n`);
  process.exit(1);
}
// REPLICAS=1 (make up REPLICAS=1): every service at that many replicas; otherwise as the topology says.
const replicasEnv = process.env["REPLICAS"] ?? "";
const replicas = replicasEnv === "" ? undefined : everyService(Number(replicasEnv));
if (replicas !== undefined) {
  try {
    // The topology says how many replicas it has ports for.
    loadTopology(topologyFile, { replicas });
  } catch (err) {
    process.stderr.write(`REPLICAS=${replicasEnv}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
// For the benchmarks that run this process beside a shop of yours: where the shop keeps its state,
// logs and data (SHOP_RUN_DIR, .run otherwise), and how many units of each product it stocks at its
// first start (SHOP_SEED_STOCK, 100 otherwise).
const runDir = resolve(process.env["SHOP_RUN_DIR"] || join(repoRoot, ".run"));
const seedStockEnv = process.env["SHOP_SEED_STOCK"] || "100";
const seedStock = Number(seedStockEnv);
if (!Number.isSafeInteger(seedStock) || seedStock < 0) {
  process.stderr.write(`SHOP_SEED_STOCK must be a whole number (got "${seedStockEnv}")\n`);
  process.exit(1);
}
let shop: RunningShop | undefined;
let control: Server | undefined;
let restarting: Promise<void> | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write("\nstopping everything…\n");
  control?.close();
  // A rolling restart under way finishes its replica first, so that stop() sees its new process.
  await restarting?.catch(() => undefined);
  await shop?.stop();
  rmSync(stateFile(runDir), { force: true });
  rmSync(controlSocket(runDir), { force: true });
  process.stdout.write("stopped.\n");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

/**
 * What supervision did, on the terminal and in the state file (a restarted component has a new pid):
 * a component that exited by itself is started again after a growing delay, or given up on.
 */
function onEvent(event: SupervisionEvent): void {
  if (stopping) return;
  const { component, status } = event;
  const log = relative(process.cwd(), join(runDir, "logs", `${component.name}.log`));
  if (event.type === "exited") {
    const how = status.lastExit === undefined ? "" : ` (${describeExit(status.lastExit)})`;
    const next = event.restartInMs === undefined ? "" : `; restart ${status.restarts + 1} in ${event.restartInMs / 1000} s`;
    process.stderr.write(`! ${component.name} exited${how}${next}; see ${log}\n`);
  } else if (event.type === "ready") {
    process.stdout.write(`  ✓ ${component.name.padEnd(22)} ${component.kind.padEnd(8)} back after restart ${status.restarts}\n`);
  } else if (event.type === "crash-loop") {
    process.stderr.write(`! ${event.error.message}\n! ${component.name} is not restarted again: fix it and run make up again\n`);
  }
  if (shop !== undefined) writeState(runDir, shopState(process.pid, shop));
}

const began = Date.now();
process.stdout.write(`shopmesh: starting (logs in ${join(runDir, "logs")})\n`);
try {
  shop = await startShop({
    runDir,
    seedStock,
    tracing: tracingEnv === "off" ? false : "as-topology",
    ...(base === undefined ? {} : { base }),
    ...(replicas === undefined ? {} : { replicas }),
    onProgress: (component, event, ms) => {
      if (event === "ready") process.stdout.write(`  ✓ ${component.name.padEnd(22)} ${component.kind.padEnd(8)} ready in ${ms} ms\n`);
    },
    onEvent,
  });
} catch (err) {
  process.stderr.write(`\nshopmesh did not come up: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

const state = shopState(process.pid, shop);
writeState(runDir, state);
// Every Envoy's and every replica's metrics, for a Prometheus on this host.
const prometheusFile = join(runDir, "prometheus.yml");
writeFileSync(prometheusFile, prometheusConfig(shop.topology));

// `make restart NAME=<service>`: a rolling restart, asked for over the control socket.
const running = shop;
control = await serveControl(controlSocket(runDir), {
  restart: async (service, say) => {
    if (!running.topology.services.some((s) => s.name === service)) {
      throw new Error(`no service ${service}; the services are ${running.topology.services.map((s) => s.name).join(", ")}`);
    }
    restarting = running.restartService(service, (replica, event) => {
      writeState(runDir, shopState(process.pid, running));
      const note = event === "restarting" ? "draining and restarting" : "healthy again, in every Envoy that routes to it";
      say(`${replica}: ${note}`);
      process.stdout.write(`  ↻ ${replica} ${note}\n`);
      // Ctrl-C or make down meanwhile: no next replica.
      if (stopping) throw new Error("make up is stopping; the rest of the restart is left undone");
    });
    try {
      await restarting;
    } finally {
      restarting = undefined;
    }
  },
});

const rows = state.components.map((c) => [
  c.name,
  c.kind,
  String(c.pid),
  c.socket === undefined ? `127.0.0.1:${c.port}` : `unix:${relative(runDir, c.socket)}`,
  c.adminPort ? `admin :${c.adminPort}` : "",
]);
const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), 6));
const line = (cells: string[]): string =>
  cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join("  ")
    .trimEnd();
process.stdout.write(`\nall healthy in ${((Date.now() - began) / 1000).toFixed(1)} s\n\n${line(["name", "kind", "pid", "address", ""])}\n`);
for (const row of rows) process.stdout.write(`${line(row)}\n`);
const web = shop.running.find((r) => r.component.kind === "web");
process.stdout.write(`
gateway: ${shop.gatewayAddress} (gRPC and gRPC-web)${web ? `\nstorefront: http://127.0.0.1:${web.component.port}/ (open it in a browser)` : ""}${
  shop.zipkinUrl === undefined ? "" : `\ntraces: ${shop.zipkinUrl}/zipkin/ (every request's trace, by service or by trace id)`
}

  grpcurl -plaintext ${shop.gatewayAddress} list
  grpcurl -plaintext -d '{"page_size": 3}' ${shop.gatewayAddress} shop.catalog.v1.CatalogService/ListProducts
  grpcurl -cacert ${relative(repoRoot, join(shop.dirs.pkiDir, "ca.pem"))} 127.0.0.1:${shop.topology.gateway.tlsPort} list    # the same over TLS

Behind the gateway every hop is mutual TLS: each workload's certificate names it as a SPIFFE ID
(spiffe://${shop.topology.trustDomain}/…), and each sidecar lets only the callers the topology names
call each method. Services listen only on Unix sockets under ${relative(repoRoot, shop.dirs.socketDir)}/.

Events: order publishes OrderConfirmed and OrderCancelled on the broker (NATS JetStream, TLS with the
same certificates); notification and inventory consume them. make status shows each consumer's lag
and dead letters.

Metrics: make stat [NAME=order] [WATCH=1] (per service and method, from the Envoys' stats); for
Prometheus: prometheus --config.file=${relative(repoRoot, prometheusFile)} (every Envoy and every replica).

make status · make logs [NAME=gateway] · make restart NAME=catalog · make demo · make down (or Ctrl-C here)
`);

// Certificates live 12 hours; new ones every 4, swapped in by every Envoy without a restart.
const rotation = setInterval(() => {
  shop?.rotateCertificates().then(
    () => process.stdout.write("certificates rotated\n"),
    (err: unknown) => process.stderr.write(`! certificate rotation failed: ${err instanceof Error ? err.message : String(err)}\n`),
  );
}, 4 * 3_600_000);
rotation.unref();
