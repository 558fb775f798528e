// Benchmark (not a test): what the mesh costs, and what mutual TLS adds to it. Brings the whole
// shop up on its own port base twice in one run (plaintext between Envoys, then mTLS), and
// measures CatalogService.GetProduct with ghz three ways each time — straight to the service's
// socket, through the catalog's sidecar, through the gateway and the sidecar — at fixed rates and
// at saturation; plus the mesh's memory idle and under load, and its time to all-healthy.
// Rewrites its section of docs/benchmarks.md.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { grpcurl, repoRoot, runGhz, machine, writeBenchSection } from "@shopmesh/launcher";
import { startShop, type RunningShop } from "../src/index.js";
import { benchRateLimit, benchRateLimitNote } from "./edge.js";

const base = Number(process.env["BENCH_PORT_BASE"] ?? "7800");
const seconds = Number(process.env["BENCH_DURATION_S"] ?? "10");
/** The fixed rate, and a light one where no hop is near saturation on 2 shared cores. */
const fixedRates = [100, 1_000] as const;
const concurrency = 50;
const protoset = join(repoRoot, ".build", "shop.binpb");

interface Row {
  readonly path: string;
  readonly load: string;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly errors: number;
}

interface Target {
  readonly path: string;
  readonly target: string;
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
}

async function ghz(target: Target, productId: string, rps?: number): Promise<Row> {
  const call = "shop.catalog.v1.CatalogService/GetProduct";
  const load = rps === undefined ? {} : { rps };
  const tls = target.clientCertificate === undefined ? {} : { clientCertificate: target.clientCertificate };
  const result = await runGhz({
    target: target.target,
    protoset,
    call,
    data: { id: productId },
    concurrency,
    connections: 2,
    seconds,
    ...load,
    ...tls,
  });
  return { path: target.path, load: rps === undefined ? "saturation" : `${rps} rps`, ...result };
}

/** Resident memory of every process of the shop, in MiB. */
function meshRssMiB(shop: RunningShop): number {
  let kib = 0;
  for (const { pid } of shop.running) {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}

interface MeshRun {
  readonly rows: Row[];
  readonly upSeconds: number;
  readonly idleMiB: number;
  readonly loadedMiB: number;
  readonly processes: number;
}

/** One whole shop, with mutual TLS between its Envoys or (`insecure`) without, measured three ways. */
async function measure(insecure: boolean): Promise<MeshRun> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-"));
  const began = performance.now();
  // One replica of each service: the hops are measured, not the balancing.
  const shop = await startShop({
    base,
    runDir,
    seedStock: 100,
    insecure,
    replicas: { catalog: 1, cart: 1, order: 1 },
    gatewayRateLimit: benchRateLimit,
  });
  const upSeconds = (performance.now() - began) / 1000;
  const label = insecure ? "plaintext" : "mTLS";
  try {
    await new Promise((r) => setTimeout(r, 3_000)); // let start-up garbage settle
    const idleMiB = meshRssMiB(shop);
    const catalog = shop.topology.services.find((s) => s.name === "catalog");
    if (catalog === undefined) throw new Error("no catalog in the topology");
    const direct = shop.serviceAddress("catalog").replace(/^unix:/, "unix://");
    const listed = await grpcurl([direct, "shop.catalog.v1.CatalogService/ListProducts"], { data: { page_size: 1 } });
    if (listed.exitCode !== 0) throw new Error(`ListProducts failed: ${listed.stderr}`);
    const productId = (JSON.parse(listed.stdout) as { products: { id: string }[] }).products[0]?.id ?? "";
    // At the sidecar, the bench calls as the gateway would: with the gateway's certificate.
    const gatewayIdentity = { cert: join(shop.dirs.pkiDir, "gateway", "cert.pem"), key: join(shop.dirs.pkiDir, "gateway", "key.pem") };
    const targets: Target[] = [
      { path: `${label}: direct to the service`, target: direct },
      {
        path: `${label}: through the catalog's sidecar`,
        target: `127.0.0.1:${catalog.ingressPort}`,
        ...(insecure ? {} : { clientCertificate: gatewayIdentity }),
      },
      { path: `${label}: through the gateway and the sidecar`, target: shop.gatewayAddress },
    ];
    for (const target of targets) await ghz(target, productId, 500);
    const rows: Row[] = [];
    for (const rps of fixedRates) for (const target of targets) rows.push(await ghz(target, productId, rps));
    let loadedMiB = 0;
    for (const target of targets) {
      const sampling = new Promise<void>((resolve) =>
        setTimeout(
          () => {
            loadedMiB = Math.max(loadedMiB, meshRssMiB(shop));
            resolve();
          },
          (seconds * 1000) / 2,
        ),
      );
      rows.push(await ghz(target, productId));
      await sampling;
    }
    return { rows, upSeconds, idleMiB, loadedMiB, processes: shop.running.length };
  } finally {
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(protoset)) throw new Error(`${protoset} is missing: run 'make bench', which builds it`);
  // The same shop twice, one after the other in one run: without mTLS, then as it runs.
  const plaintext = await measure(true);
  const mtls = await measure(false);
  writeReport(plaintext, mtls);
}

function writeReport(plaintext: MeshRun, mtls: MeshRun): void {
  const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
  const at = (run: MeshRun, rps: number) => run.rows.filter((r) => r.load === `${rps} rps`);
  const hops = (run: MeshRun, rps: number): string => {
    const rows = at(run, rps);
    const hop = (i: number, key: "p50" | "p90"): string => f((rows[i]?.[key] ?? Number.NaN) - (rows[i - 1]?.[key] ?? Number.NaN));
    return `at ${rps} rps the sidecar adds ${hop(1, "p50")} ms at p50 and ${hop(1, "p90")} ms at p90, the gateway another ${hop(2, "p50")} / ${hop(2, "p90")} ms`;
  };
  // mTLS cost: the same path, the same rate, with and without it (rows 1 and 2: sidecar, gateway path).
  const tlsCost = (rps: number): string => {
    const [p, m] = [at(plaintext, rps), at(mtls, rps)];
    const diff = (i: number, key: "p50" | "p90"): string => f((m[i]?.[key] ?? Number.NaN) - (p[i]?.[key] ?? Number.NaN));
    return `at ${rps} rps: one mTLS hop (client → sidecar) ${diff(1, "p50")} ms at p50, ${diff(1, "p90")} ms at p90; the whole gateway path (client → gateway → sidecar, one mTLS hop) ${diff(2, "p50")} / ${diff(2, "p90")} ms`;
  };
  const rows = [...plaintext.rows, ...mtls.rows];
  const table = [
    "| path | load | rps | p50 ms | p90 ms | p99 ms | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) => `| ${r.path} | ${r.load} | ${f(r.rps, 0)} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${r.errors} |`),
  ].join("\n");
  const section = `<!-- bench-mesh:start -->
## Mesh: what each hop costs, with and without mutual TLS

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench\` on ${machine()}.
The whole shop (${mtls.processes} processes: stores, eight services on Unix sockets, eight Envoy sidecars
with \`--concurrency 1\`, the gateway) runs on loopback, twice in one run: first with plaintext between
the Envoys and no authorization (\`insecure\`, only for this comparison), then as \`make up\` runs it, with
mutual TLS and per-method RBAC at every sidecar. ghz calls CatalogService.GetProduct (one FerretDB
read) with ${concurrency} requests in flight on 2 connections for ${seconds} s per row, after a warm-up of each
path; at the sidecar it presents the gateway's certificate. ghz, Envoy, Node and FerretDB share the
same 2 cores, so the saturation rows measure the machine as much as the mesh; the 100 rps rows show
a hop's own cost. ${benchRateLimitNote}

${table}

Added latency per hop: plaintext ${hops(plaintext, 100)}; mTLS ${hops(mtls, 100)}.

What mutual TLS costs (mTLS rows minus plaintext rows): ${tlsCost(100)}; ${tlsCost(1_000)}.

| mesh | plaintext | mTLS |
| --- | ---: | ---: |
| start to all healthy (tools installed, code built) | ${f(plaintext.upSeconds, 1)} s | ${f(mtls.upSeconds, 1)} s |
| memory, all processes, idle (RSS) | ${f(plaintext.idleMiB, 0)} MiB | ${f(mtls.idleMiB, 0)} MiB |
| memory, all processes, under saturation (RSS, sampled mid-run) | ${f(plaintext.loadedMiB, 0)} MiB | ${f(mtls.loadedMiB, 0)} MiB |
<!-- bench-mesh:end -->`;
  const path = writeBenchSection("mesh", section);
  process.stdout.write(`${table}\n\n${tlsCost(100)}\n${tlsCost(1_000)}\nwrote ${path}\n`);
}

await main();
