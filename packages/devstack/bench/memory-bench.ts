// Benchmark (not a test): what the shop costs in memory. (1) The V8 flags every Node service runs
// with, against none, side by side: two catalog processes on one FerretDB, their memory idle and
// after load and their rps in the same run. (2) The whole shop with one replica per service and
// tracing off, as `make up TRACING=off` runs it: every process idle, then under a saturating load
// from the load generator (its own process, not counted), sampled every second. (3) The same with
// tracing on, and (4) with one more catalog replica, to say what each adds. Rewrites its section
// of docs/benchmarks.md and its rows of the targets table.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createLauncher, ferretDb, freePort, nodeFlags, nodeService, repoRoot, runGhz, type GhzResult } from "@shopmesh/launcher";
import { startShop } from "../src/index.js";
import { machine, writeBenchSection, writeBenchTargets } from "./benchmarks-doc.js";
import { runLoad, type LoadOutcome } from "./load-process.js";
import { memoryOf, mib, shopMemory, type Memory, type ShopMemory } from "./process-memory.js";

const protoset = join(repoRoot, ".build", "shop.binpb");
const loadSeconds = Number(process.env["BENCH_LOAD_S"] ?? "40");
const shoppers = Number(process.env["BENCH_SHOPPERS"] ?? "60");
const oneEach = { catalog: 1, cart: 1, order: 1 };
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- (1) the flags, side by side

interface FlagsRow {
  readonly flags: string;
  readonly idle: Memory;
  readonly loaded: Memory;
  readonly getRps: number;
  readonly listRps: number;
}

async function compareFlags(): Promise<FlagsRow[]> {
  const dir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-memory-"));
  const launcher = createLauncher({ supervise: false, logDir: join(dir, "logs") });
  const mongoPort = await freePort();
  // Node's defaults, the shop's flags, and the alternatives they were chosen from.
  const variants = [
    { name: "catalog-defaults", flags: [] as readonly string[] },
    { name: "catalog-shop-flags", flags: nodeFlags },
    { name: "catalog-semi-space-2", flags: ["--max-semi-space-size=2"] },
    { name: "catalog-semi-space-4", flags: ["--max-semi-space-size=4"] },
    { name: "catalog-semi-space-4-old-128", flags: ["--max-semi-space-size=4", "--max-old-space-size=128"] },
    { name: "catalog-semi-space-4-old-64", flags: ["--max-semi-space-size=4", "--max-old-space-size=64"] },
    { name: "catalog-optimize-for-size", flags: ["--optimize-for-size"] },
  ];
  try {
    await launcher.start([ferretDb({ name: "ferretdb", port: mongoPort, dataDir: join(dir, "ferretdb"), quiet: true })]);
    const ports = new Map<string, number>();
    for (const variant of variants) {
      const port = await freePort();
      ports.set(variant.name, port);
      await launcher.start([
        nodeService({
          service: "catalog",
          name: variant.name,
          port,
          nodeFlags: variant.flags,
          env: {
            MONGO_URL: `mongodb://127.0.0.1:${mongoPort}`,
            MONGO_DB: "catalog",
            PAGE_TOKEN_SECRET: "bench-page-token-secret-0123456789abcdef",
            LOG_LEVEL: "warn",
            METRICS_PORT: String(await freePort()),
          },
        }),
      ]);
    }
    const pid = (name: string): number => launcher.running.find((r) => r.component.name === name)?.pid ?? 0;
    await wait(5_000);
    const idle = new Map(variants.map((v) => [v.name, memoryOf(pid(v.name))]));
    const rps = new Map<string, { get: number[]; list: number[] }>(variants.map((v) => [v.name, { get: [], list: [] }]));
    // Interleaved, two rounds, so that a noisy moment of the machine falls on both.
    for (let round = 0; round < 2; round++) {
      for (const variant of variants) {
        const target = `127.0.0.1:${ports.get(variant.name)}`;
        const load = (call: string, data: object): Promise<GhzResult> =>
          runGhz({ target, protoset, call, data, concurrency: 20, connections: 2, seconds: 6 });
        const get = await load("shop.catalog.v1.CatalogService/GetProduct", { id: "p-book-grpc" });
        const list = await load("shop.catalog.v1.CatalogService/ListProducts", { page_size: 12 });
        rps.get(variant.name)?.get.push(get.rps);
        rps.get(variant.name)?.list.push(list.rps);
      }
    }
    const mean = (values: readonly number[] = []): number => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
    return variants.map((v) => ({
      flags: v.flags.length === 0 ? "none (Node's defaults)" : v.flags.join(" "),
      idle: idle.get(v.name) ?? memoryOf(0),
      loaded: memoryOf(pid(v.name)),
      getRps: mean(rps.get(v.name)?.get),
      listRps: mean(rps.get(v.name)?.list),
    }));
  } finally {
    await launcher.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- (2–4) the whole shop

interface Phase {
  readonly idle: ShopMemory;
  readonly peak?: ShopMemory;
  readonly after?: ShopMemory;
  readonly load?: LoadOutcome;
}

async function measureShop(options: { tracing: boolean; replicas: Record<string, number>; load: boolean }): Promise<Phase> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-memory-"));
  const shop = await startShop({ base: "free", runDir, seedStock: 100_000, tracing: options.tracing, replicas: options.replicas }).catch(
    (err: unknown) => {
      // A shop that did not start has stopped what it started; its directory goes too.
      rmSync(runDir, { recursive: true, force: true });
      throw err;
    },
  );
  try {
    // Idle once startup's garbage is collected and the first health checks and scrapes are done.
    await wait(15_000);
    const idle = shopMemory(shop);
    if (!options.load) return { idle };
    let peak = idle;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const now = shopMemory(shop);
        if (now.total.pssMiB > peak.total.pssMiB) peak = now;
        await wait(1_000);
      }
    })();
    const load = await runLoad(shop, { shoppers, seconds: loadSeconds, thinkMs: 0 }).finally(() => {
      sampling = false;
    });
    await sampler;
    await wait(5_000);
    return { idle, peak, after: shopMemory(shop), load };
  } finally {
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the report

const flagsRows = await compareFlags();
const plain = await measureShop({ tracing: false, replicas: oneEach, load: true });
const traced = await measureShop({ tracing: true, replicas: oneEach, load: true });
const twoCatalogs = await measureShop({ tracing: false, replicas: { ...oneEach, catalog: 2 }, load: false });

const gb = (m: Memory): string => `${((m.rssMiB * 2 ** 20) / 1e9).toFixed(2)} GB RSS, ${((m.pssMiB * 2 ** 20) / 1e9).toFixed(2)} GB PSS`;
const delta = (a: Memory, b: Memory): Memory => ({ rssMiB: a.rssMiB - b.rssMiB, pssMiB: a.pssMiB - b.pssMiB });
const peakOf = (phase: Phase): Memory => phase.peak?.total ?? phase.idle.total;
const zipkin = traced.idle.byName.get("zipkin") ?? memoryOf(0);
const tracedWithoutZipkin = (m: ShopMemory | undefined): Memory => delta(m?.total ?? memoryOf(0), m?.byName.get("zipkin") ?? memoryOf(0));
const extraReplica = delta(twoCatalogs.idle.total, plain.idle.total);
const [without, withFlags] = flagsRows;

const groupTable = (phase: Phase): string[] =>
  phase.idle.groups.map((g) => {
    const peakGroup = phase.peak?.groups.find((p) => p.name === g.name)?.memory;
    const afterGroup = phase.after?.groups.find((p) => p.name === g.name)?.memory;
    return `| ${g.name} | ${g.count} | ${mib(g.memory)} | ${peakGroup === undefined ? "" : mib(peakGroup)} | ${afterGroup === undefined ? "" : mib(afterGroup)} |`;
  });

const perProcess = [...plain.idle.byName].map(
  ([name, m]) =>
    `| ${name} | ${mib(m)} | ${mib(plain.peak?.byName.get(name) ?? memoryOf(0))} | ${mib(plain.after?.byName.get(name) ?? memoryOf(0))} |`,
);

const section = `<!-- bench-memory:start -->
## Memory: the whole shop, idle and saturated

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench-memory\` (packages/devstack/bench/memory-bench.ts) on ${machine()}.
Each figure is RSS / PSS in MiB from /proc/<pid>/smaps_rollup. RSS counts every page a process
touches, including its share of the Node or Envoy binary's code, which twenty processes of one binary
map once: the sum of RSS counts that code once per process. PSS divides each shared page between the
processes that map it, so the sum of PSS is what the shop really takes from the machine. Both are given;
the targets are read on both.

### The V8 flags, side by side

Catalog processes on one FerretDB: one with Node's defaults, one with the flags every Node service
of the shop runs with (\`nodeFlags\` in packages/launcher/src/recipes.ts), and one each with the
alternatives they were chosen from; idle 5 s after
start, then ghz with 20 calls in flight for 6 s per method and process, interleaved, two rounds.

| flags | idle | after the load | GetProduct rps | ListProducts rps |
| --- | ---: | ---: | ---: | ---: |
${flagsRows.map((r) => `| ${r.flags} | ${mib(r.idle)} | ${mib(r.loaded)} | ${r.getRps.toFixed(0)} | ${r.listRps.toFixed(0)} |`).join("\n")}

### The shop, one replica per service, tracing off

As \`make up TRACING=off\` runs it with every service at one replica (${plain.idle.processes} processes): idle 15 s after all
are healthy; then \`make load\` (its own process, not counted) with ${shoppers} shoppers and no think time for ${loadSeconds} s, the
whole shop sampled every second (the peak is the sample with the largest PSS sum); then 5 s after the load.

| group | processes | idle | peak under load | after the load |
| --- | ---: | ---: | ---: | ---: |
${groupTable(plain).join("\n")}
| **total** | ${plain.idle.processes} | **${mib(plain.idle.total)}** | **${mib(peakOf(plain))}** | ${mib(plain.after?.total ?? memoryOf(0))} |

<details><summary>Every process</summary>

| process | idle | peak under load | after the load |
| --- | ---: | ---: | ---: |
${perProcess.join("\n")}

</details>

The load it carried:

\`\`\`
${plain.load?.summary.trim() ?? ""}
\`\`\`

### What tracing and one more replica add

| shop | idle | peak under the same load |
| --- | ---: | ---: |
| one replica each, tracing off | ${mib(plain.idle.total)} | ${mib(peakOf(plain))} |
| one replica each, tracing on (Zipkin included) | ${mib(traced.idle.total)} | ${mib(peakOf(traced))} |
| … of which Zipkin (a JVM) | ${mib(zipkin)} | ${mib(traced.peak?.byName.get("zipkin") ?? memoryOf(0))} |
| tracing on, without Zipkin (exporters in every service and Envoy) | ${mib(tracedWithoutZipkin(traced.idle))} | ${mib(tracedWithoutZipkin(traced.peak))} |
| one more catalog replica (its process and its sidecar), idle | +${mib(extraReplica)} | |

The demo topology (deploy/topology.yaml: catalog, cart and order at two replicas) is the first row
plus three such replicas: about ${mib({ rssMiB: plain.idle.total.rssMiB + 3 * extraReplica.rssMiB, pssMiB: plain.idle.total.pssMiB + 3 * extraReplica.pssMiB })} MiB idle.
<!-- bench-memory:end -->`;

const path = writeBenchSection("memory", section);
/** 1 GB = 10⁹ bytes, in MiB. */
const gbInMiB = 1e9 / 2 ** 20;
const underGb = (m: Memory, limitMiB: number): boolean | string =>
  m.rssMiB <= limitMiB ? true : m.pssMiB <= limitMiB ? `on PSS (what the machine spends), not on the sum of RSS` : false;
writeBenchTargets("memory", [
  {
    target: "the whole shop, one replica each, tracing off: at most 1 GB idle",
    measured: gb(plain.idle.total),
    met: underGb(plain.idle.total, gbInMiB),
  },
  {
    target: "… and at most 1.3 GB under saturation",
    measured: gb(peakOf(plain)),
    met: underGb(peakOf(plain), 1.3 * gbInMiB),
  },
  {
    target: "the services' V8 flags keep throughput (within 10 % of Node's defaults)",
    measured: `GetProduct ${withFlags?.getRps.toFixed(0)} vs ${without?.getRps.toFixed(0)} rps without; ListProducts ${withFlags?.listRps.toFixed(0)} vs ${without?.listRps.toFixed(0)}`,
    // Within a tenth of Node's defaults on both calls: closer than that is the machine's noise.
    met: (withFlags?.getRps ?? 0) >= 0.9 * (without?.getRps ?? 0) && (withFlags?.listRps ?? 0) >= 0.9 * (without?.listRps ?? 0),
  },
]);
process.stdout.write(`${section}\n\nwrote ${path}\n`);
