// Benchmark (not a test): what replicas and supervision buy. One shop with two catalog replicas;
// ghz calls CatalogService.ListProducts through the gateway at a fixed rate while (1) the catalog
// is restarted replica by replica and (2) one replica is killed with SIGKILL, counting the calls
// that failed and the time from the kill to the replica serving again; then ListProducts at
// saturation with both replicas and with one of them stopped, side by side in the same run.
// Rewrites its section of docs/benchmarks.md.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { healthClient, repoRoot, runGhz, type GhzResult, machine, writeBenchSection } from "@shopmesh/launcher";
import { startShop, type RunningShop } from "../src/index.js";
import { benchRateLimit, benchRateLimitNote } from "./edge.js";

const base = Number(process.env["BENCH_PORT_BASE"] ?? "7800");
const seconds = Number(process.env["BENCH_DURATION_S"] ?? "10");
const protoset = join(repoRoot, ".build", "shop.binpb");
const fixedRate = 200;

function listProducts(shop: RunningShop, options: { rps?: number; seconds?: number } = {}): Promise<GhzResult> {
  return runGhz({
    target: shop.gatewayAddress,
    protoset,
    call: "shop.catalog.v1.CatalogService/ListProducts",
    data: { page_size: 12 },
    concurrency: 20,
    connections: 2,
    seconds: options.seconds ?? seconds,
    ...(options.rps === undefined ? {} : { rps: options.rps }),
  });
}

async function servingAgain(shop: RunningShop, replica: string, since: number): Promise<number> {
  for (;;) {
    const health = healthClient(shop.serviceAddress(replica));
    const status = await health.check("").catch(() => "");
    health.close();
    if (status === "SERVING") return Date.now() - since;
    if (Date.now() - since > 60_000) throw new Error(`${replica} is not serving a minute after the kill`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Results {
  readonly rolling: GhzResult & { readonly restartSeconds: number };
  readonly kill: GhzResult & { readonly backMs: number };
  readonly two: GhzResult;
  readonly one: GhzResult;
}

async function measure(): Promise<Results> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-"));
  const shop = await startShop({
    base,
    runDir,
    seedStock: 100,
    replicas: { catalog: 2, cart: 1, order: 1 },
    gatewayRateLimit: benchRateLimit,
  });
  try {
    await listProducts(shop, { rps: 500, seconds: 3 }); // warm-up
    // A rolling restart under a steady load: ghz runs long enough to cover it.
    const rollingLoad = listProducts(shop, { rps: fixedRate, seconds: 30 });
    await wait(2_000);
    const began = Date.now();
    await shop.restartService("catalog");
    const restartSeconds = (Date.now() - began) / 1000;
    const rolling = { ...(await rollingLoad), restartSeconds };
    // A kill -9 of one replica under the same load; supervision brings it back.
    const killLoad = listProducts(shop, { rps: fixedRate, seconds: 15 });
    await wait(3_000);
    const victim = shop.running.find((r) => r.component.name === "catalog-2");
    if (victim === undefined) throw new Error("no catalog-2");
    const killedAt = Date.now();
    process.kill(victim.pid, "SIGKILL");
    const backMs = await servingAgain(shop, "catalog-2", killedAt);
    const kill = { ...(await killLoad), backMs };
    // Throughput with two replicas, then with one (the other stopped; the gateway stops routing to it).
    const two = await listProducts(shop);
    await shop.stop("catalog-2");
    await wait(5_000);
    const one = await listProducts(shop);
    return { rolling, kill, two, one };
  } finally {
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function writeReport(r: Results): void {
  const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
  const failures = (g: GhzResult): string =>
    Object.entries(g.errorsByMessage)
      .map(([message, n]) => `${n}× ${message.replace(/\|/g, "/")}`)
      .join("; ");
  const row = (what: string, g: GhzResult, extra: string): string =>
    `| ${what} | ${f(g.rps, 0)} | ${f(g.p50)} | ${f(g.p99)} | ${g.errors} | ${[extra, failures(g)].filter((x) => x !== "").join("; ")} |`;
  const table = [
    "| ListProducts through the gateway | rps | p50 ms | p99 ms | failed calls | |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    row(
      `${fixedRate} rps for 30 s, catalog restarted replica by replica`,
      r.rolling,
      `the restart took ${f(r.rolling.restartSeconds, 1)} s`,
    ),
    row(`${fixedRate} rps for 15 s, one replica killed (SIGKILL)`, r.kill, `serving again ${f(r.kill.backMs / 1000, 1)} s after the kill`),
    row("saturation, two catalog replicas", r.two, ""),
    row("saturation, one catalog replica (the other stopped)", r.one, `two replicas: ${f(r.two.rps / r.one.rps)}× the rps of one`),
  ].join("\n");
  const section = `<!-- bench-replicas:start -->
## Replicas: calls lost to restarts and kills, and what a second replica serves

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench\` on ${machine()}.
One shop with two catalog replicas (each its own process and sidecar), everything else once. ghz calls
CatalogService.ListProducts (a page of 12) through the gateway, 20 in flight on 2 connections. The
catalog's rolling restart drains each replica (NOT_SERVING for 2 s while still answering, then no new
calls, then in-flight calls finish) and waits until every Envoy sees it healthy before the next; the
kill is \`kill -9\` from outside, and the launcher restarts the replica on its own. Failed calls are
what ghz counted as errors. Everything shares 2 cores, so the saturation rows say how much a second
replica helps on this machine, not on one with a core per replica. ${benchRateLimitNote}

${table}
<!-- bench-replicas:end -->`;
  const path = writeBenchSection("replicas", section);
  process.stdout.write(`${table}\nwrote ${path}\n`);
}

if (!existsSync(protoset)) throw new Error(`${protoset} is missing: run 'make bench', which builds it`);
writeReport(await measure());
