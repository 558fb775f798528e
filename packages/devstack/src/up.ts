// `make up`: the whole shop on loopback — stores, services, Envoy sidecars, edge gateway — with
// progress as each becomes healthy, a table of what runs where, and a clean stop on Ctrl-C.
import { rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "@shopmesh/launcher";
import { startShop, type RunningShop } from "./shop.js";
import { stateFile, type ShopState } from "./state.js";

const baseEnv = process.env["SHOP_PORT_BASE"];
const base = baseEnv === undefined ? undefined : Number(baseEnv);
if (base !== undefined && (!Number.isInteger(base) || base < 1024 || base > 65_000)) {
  process.stderr.write(`SHOP_PORT_BASE must be an integer 1024..65000 (got "${baseEnv}")\n`);
  process.exit(1);
}
const runDir = join(repoRoot, ".run");
let shop: RunningShop | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write("\nstopping everything…\n");
  await shop?.stop();
  rmSync(stateFile(runDir), { force: true });
  process.stdout.write("stopped.\n");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

const began = Date.now();
process.stdout.write(`shopmesh: starting (logs in ${join(runDir, "logs")})\n`);
try {
  shop = await startShop({
    runDir,
    seedStock: 100,
    ...(base === undefined ? {} : { base }),
    onProgress: (component, event, ms) => {
      if (event === "ready") process.stdout.write(`  ✓ ${component.name.padEnd(22)} ${component.kind.padEnd(8)} ready in ${ms} ms\n`);
    },
  });
} catch (err) {
  process.stderr.write(`\nshopmesh did not come up: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

const state: ShopState = {
  pid: process.pid,
  gateway: shop.gatewayAddress,
  components: shop.running.map(({ component, pid }) => ({
    name: component.name,
    kind: component.kind,
    pid,
    port: component.port,
    ...(component.socket === undefined ? {} : { socket: component.socket }),
    ...(component.adminPort === undefined ? {} : { adminPort: component.adminPort }),
  })),
};
writeFileSync(stateFile(runDir), `${JSON.stringify(state, null, 2)}\n`);

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
gateway: ${shop.gatewayAddress} (gRPC and gRPC-web)${web ? `\nstorefront: http://127.0.0.1:${web.component.port}/ (open it in a browser)` : ""}

  grpcurl -plaintext ${shop.gatewayAddress} list
  grpcurl -plaintext -d '{"page_size": 3}' ${shop.gatewayAddress} shop.catalog.v1.CatalogService/ListProducts
  grpcurl -cacert ${relative(repoRoot, join(shop.dirs.pkiDir, "ca.pem"))} 127.0.0.1:${shop.topology.gateway.tlsPort} list    # the same over TLS

Behind the gateway every hop is mutual TLS: each workload's certificate names it as a SPIFFE ID
(spiffe://${shop.topology.trustDomain}/…), and each sidecar lets only the callers the topology names
call each method. Services listen only on Unix sockets under ${relative(repoRoot, shop.dirs.socketDir)}/.

make status · make logs [NAME=gateway] · make demo · make down (or Ctrl-C here)
`);

// Certificates live 12 hours; new ones every 4, swapped in by every Envoy without a restart.
const rotation = setInterval(() => {
  shop?.rotateCertificates().then(
    () => process.stdout.write("certificates rotated\n"),
    (err: unknown) => process.stderr.write(`! certificate rotation failed: ${err instanceof Error ? err.message : String(err)}\n`),
  );
}, 4 * 3_600_000);
rotation.unref();

for (const { component, process: child } of shop.running) {
  child.once("exit", (code, signal) => {
    if (!stopping) process.stderr.write(`! ${component.name} exited (${signal ?? `code ${code}`}); see .run/logs/${component.name}.log\n`);
  });
}
