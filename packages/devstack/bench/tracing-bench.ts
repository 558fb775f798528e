// Benchmark (not a test): what tracing costs. The same shop twice in one run, tracing off then
// on (every request sampled, spans to Zipkin), and the same path each time: ghz calls
// CatalogService.GetProduct through the gateway and the catalog's sidecar at a fixed rate and at
// saturation. Reports the latency and throughput side by side, the memory of the shop's own
// processes with and without tracing, and Zipkin's own start time and memory.
// Rewrites its section of docs/benchmarks.md.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { grpcurl, repoRoot, runGhz, type GhzResult, machine, writeBenchSection } from "@shopmesh/launcher";
import { startShop, type RunningShop } from "../src/index.js";
import { benchRateLimit, benchRateLimitNote } from "./edge.js";

const base = Number(process.env["BENCH_PORT_BASE"] ?? "7800");
const seconds = Number(process.env["BENCH_DURATION_S"] ?? "10");
const fixedRate = Number(process.env["BENCH_TRACING_RPS"] ?? "50");
const protoset = join(repoRoot, ".build", "shop.binpb");

interface Run {
  readonly fixed: GhzResult;
  readonly saturation: GhzResult;
  /** RSS of the stores, services and Envoys (not Zipkin), idle and sampled mid-saturation, MiB. */
  readonly idleMiB: number;
  readonly loadedMiB: number;
  readonly zipkinMiB?: number;
  readonly zipkinReadyMs?: number;
}

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

/** The shop's own processes' memory, without the trace collector's. */
function shopRssMiB(shop: RunningShop): number {
  return shop.running.filter((r) => r.component.kind !== "tracing").reduce((sum, r) => sum + rssMiB(r.pid), 0);
}

async function measure(tracing: boolean): Promise<Run> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-"));
  let zipkinReadyMs: number | undefined;
  const shop = await startShop({
    base,
    runDir,
    seedStock: 100,
    tracing,
    replicas: { catalog: 1, cart: 1, order: 1 },
    gatewayRateLimit: benchRateLimit,
    onProgress: (component, event, ms) => {
      if (component.kind === "tracing" && event === "ready") zipkinReadyMs = ms;
    },
  });
  try {
    const listed = await grpcurl([shop.gatewayAddress, "shop.catalog.v1.CatalogService/ListProducts"], { data: { page_size: 1 } });
    if (listed.exitCode !== 0) throw new Error(`ListProducts failed: ${listed.stderr}`);
    const productId = (JSON.parse(listed.stdout) as { products: { id: string }[] }).products[0]?.id ?? "";
    const ghz = (rps?: number, duration = seconds) =>
      runGhz({
        target: shop.gatewayAddress,
        protoset,
        call: "shop.catalog.v1.CatalogService/GetProduct",
        data: { id: productId },
        concurrency: 50,
        connections: 2,
        seconds: duration,
        ...(rps === undefined ? {} : { rps }),
      });
    await ghz(fixedRate, Math.min(seconds, 3)); // warm-up
    await new Promise((r) => setTimeout(r, 2_000));
    const idleMiB = shopRssMiB(shop);
    const fixed = await ghz(fixedRate);
    let loadedMiB = 0;
    const sample = setTimeout(() => (loadedMiB = shopRssMiB(shop)), (seconds * 1000) / 2);
    const saturation = await ghz();
    clearTimeout(sample);
    const zipkin = shop.running.find((r) => r.component.kind === "tracing");
    return {
      fixed,
      saturation,
      idleMiB,
      loadedMiB,
      ...(zipkin === undefined ? {} : { zipkinMiB: rssMiB(zipkin.pid) }),
      ...(zipkinReadyMs === undefined ? {} : { zipkinReadyMs }),
    };
  } finally {
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function writeReport(off: Run, on: Run): void {
  const f = (n: number | undefined, digits = 2): string => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "n/a");
  const row = (what: string, key: "rps" | "p50" | "p90" | "p99" | "errors", digits = 2) =>
    `| ${what} | ${f(off.fixed[key], digits)} | ${f(on.fixed[key], digits)} | ${f(off.saturation[key], digits)} | ${f(on.saturation[key], digits)} |`;
  const table = [
    `| GetProduct through the gateway | off, ${fixedRate} rps | on, ${fixedRate} rps | off, saturation | on, saturation |`,
    "| --- | ---: | ---: | ---: | ---: |",
    row("rps", "rps", 0),
    row("p50 ms", "p50"),
    row("p90 ms", "p90"),
    row("p99 ms", "p99"),
    row("errors", "errors", 0),
  ].join("\n");
  const section = `<!-- bench-tracing:start -->
## Tracing: what a traced request costs

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench\` on ${machine()}.
The same shop twice in one run (one replica a service, mutual TLS as \`make up\` runs it), tracing off and
then on with every request sampled; ghz calls CatalogService.GetProduct through the gateway and the
catalog's sidecar (three spans a call: the gateway's, the sidecar's, the catalog's server span) with
50 requests in flight on 2 connections for ${seconds} s a row. Zipkin shares the same 2 cores.
${benchRateLimitNote}

${table}

Tracing adds ${f(on.fixed.p50 - off.fixed.p50)} ms at p50 and ${f(on.fixed.p90 - off.fixed.p90)} ms at p90 at ${fixedRate} rps; at saturation the shop answers
${f(on.saturation.rps, 0)} rps instead of ${f(off.saturation.rps, 0)} (${f((1 - on.saturation.rps / off.saturation.rps) * 100, 0)} % fewer).

| memory (RSS) | tracing off | tracing on |
| --- | ---: | ---: |
| stores, services and Envoys, idle | ${f(off.idleMiB, 0)} MiB | ${f(on.idleMiB, 0)} MiB |
| stores, services and Envoys, under saturation | ${f(off.loadedMiB, 0)} MiB | ${f(on.loadedMiB, 0)} MiB |
| Zipkin (in-memory storage), after the run | — | ${f(on.zipkinMiB, 0)} MiB |

Zipkin was ready (its /health answering) ${f((on.zipkinReadyMs ?? Number.NaN) / 1000, 1)} s after it was started; the stores start beside it.
<!-- bench-tracing:end -->`;
  const path = writeBenchSection("tracing", section);
  process.stdout.write(`${table}\nwrote ${path}\n`);
}

async function main(): Promise<void> {
  if (!existsSync(protoset)) throw new Error(`${protoset} is missing: run 'make bench', which builds it`);
  const off = await measure(false);
  const on = await measure(true);
  writeReport(off, on);
}

await main();
