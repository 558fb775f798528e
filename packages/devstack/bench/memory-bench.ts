// Benchmark (not a test): what the shop costs in memory. (0) What a Node service and the launcher
// hold once their modules are loaded, step by step, each in a fresh process. (1) The V8 flags every
// Node service runs with, against none and the alternatives, side by side: catalog processes on one
// FerretDB, their memory idle, at its peak under load and after it, and their rps in the same run.
// (2) The whole shop as `make up TRACING=off REPLICAS=1` runs it (its own process, counted as the
// launcher): every process idle, then under a saturating load from the load generator (its own
// process, not counted), sampled every second. (3) The same with tracing on, and (4) the demo topology (three services at two
// replicas), idle, to say what each adds. Rewrites its section of docs/benchmarks.md and its rows of
// the targets table.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
  createLauncher,
  ferretDb,
  freePort,
  nodeFlags,
  nodeService,
  repoRoot,
  runGhz,
  type GhzResult,
  machine,
  writeBenchSection,
  writeBenchTargets,
} from "@shopmesh/launcher";
import type { ImportStep } from "./import-steps.js";
import { runLoad, type LoadOutcome } from "./load-process.js";
import { memoryOf, mib, shopMemory, sumMemory, upProcesses, type Memory, type ShopMemory } from "./process-memory.js";
import { startUp, upNodeFlags } from "./up-process.js";

const protoset = join(repoRoot, ".build", "shop.binpb");
const loadSeconds = Number(process.env["BENCH_LOAD_S"] ?? "40");
const shoppers = Number(process.env["BENCH_SHOPPERS"] ?? "60");
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- (0) what loading the code costs

interface ImportProfile {
  readonly name: string;
  readonly steps: readonly ImportStep[];
}

/** `modules` ([label, specifier]) imported one after another in a fresh Node process with `flags`. */
async function importProfile(
  name: string,
  flags: readonly string[],
  modules: ReadonlyArray<readonly [string, string]>,
): Promise<ImportProfile> {
  const script = fileURLToPath(new URL("./import-steps.js", import.meta.url));
  const args = [...flags, "--expose-gc", script, ...modules.map(([label, specifier]) => `${label}=${specifier}`)];
  const { stdout } = await promisify(execFile)(process.execPath, args);
  return { name, steps: JSON.parse(stdout) as ImportStep[] };
}

const built = (...path: string[]): string => pathToFileURL(join(repoRoot, ...path)).href;
const serviceSteps = (service: string, driver: "mongo" | "redis"): Array<readonly [string, string]> => [
  ["@grpc/grpc-js", "@grpc/grpc-js"],
  ["@bufbuild/protobuf", "@bufbuild/protobuf"],
  ["@connectrpc/connect", "@connectrpc/connect"],
  ["the rest of @shopmesh/kit: pino, prom-client, zod, health, reflection, every contract's descriptors", "@shopmesh/kit"],
  [`@shopmesh/stores/${driver}: the ${driver === "mongo" ? "MongoDB driver" : "Redis client"}`, `@shopmesh/stores/${driver}`],
  [`${service}'s own code`, built("services", service, "dist", "src", "app.js")],
  [
    `(the other driver too, as every service loaded it before @shopmesh/stores had an entry point per driver)`,
    driver === "mongo" ? "@redis/client" : "mongodb",
  ],
];

async function importProfiles(): Promise<ImportProfile[]> {
  return [
    await importProfile("catalog (a MongoDB service)", nodeFlags, serviceSteps("catalog", "mongo")),
    await importProfile("cart (a Redis service)", nodeFlags, serviceSteps("cart", "redis")),
    await importProfile("the launcher (`make up`'s process)", upNodeFlags, [
      ["@grpc/grpc-js", "@grpc/grpc-js"],
      ["@shopmesh/launcher: processes, health checks, recipes", "@shopmesh/launcher"],
      ["@shopmesh/mesh: topology (YAML, zod), Envoy configs, certificates (@peculiar/x509), the kit", "@shopmesh/mesh"],
      ["the shop's start and control (devstack), the broker's client", built("packages", "devstack", "dist", "src", "shop.js")],
      [
        "the control socket of `make restart` (the rest of up.js starts the shop)",
        built("packages", "devstack", "dist", "src", "control.js"),
      ],
    ]),
  ];
}

// ---------------------------------------------------------------- (1) the flags, side by side

interface FlagsRow {
  readonly flags: string;
  readonly idle: Memory;
  /** The largest PSS sampled while ghz called it. */
  readonly peak: Memory;
  readonly loaded: Memory;
  readonly getRps: number;
  readonly listRps: number;
}

/** The young generation's flag without the old generation's: the shop's flags before. */
const youngGenerationOnly: readonly string[] = ["--max-semi-space-size=4"];

async function compareFlags(): Promise<FlagsRow[]> {
  const dir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-memory-"));
  const launcher = createLauncher({ supervise: false, logDir: join(dir, "logs") });
  const mongoPort = await freePort();
  // Node's defaults, the shop's flags, and the alternatives they were chosen from.
  const alternatives: ReadonlyArray<readonly string[]> = [
    youngGenerationOnly,
    ["--max-semi-space-size=2", "--heap-growing-percent=100"],
    ["--max-semi-space-size=4", "--heap-growing-percent=50"],
    ["--max-semi-space-size=4", "--heap-growing-percent=200"],
    ["--max-semi-space-size=4", "--max-old-space-size=128"],
    ["--optimize-for-size"],
  ];
  const variants = [
    { name: "catalog-defaults", flags: [] as readonly string[] },
    { name: "catalog-shop-flags", flags: nodeFlags },
    ...alternatives
      .filter((flags) => flags.join(" ") !== nodeFlags.join(" "))
      .map((flags, i) => ({ name: `catalog-alternative-${i + 1}`, flags })),
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
    const peak = new Map(idle);
    // Interleaved, three rounds, each process's median taken: a noisy moment of the machine falls
    // on one round of several processes, not on every round of one.
    for (let round = 0; round < 3; round++) {
      for (const variant of variants) {
        const target = `127.0.0.1:${ports.get(variant.name)}`;
        const load = (call: string, data: object): Promise<GhzResult> =>
          runGhz({ target, protoset, call, data, concurrency: 20, connections: 2, seconds: 6 });
        let loading = true;
        const sampler = (async () => {
          while (loading) {
            const now = memoryOf(pid(variant.name));
            if (now.pssMiB > (peak.get(variant.name)?.pssMiB ?? 0)) peak.set(variant.name, now);
            await wait(250);
          }
        })();
        const [get, list] = await (async () => {
          try {
            return [
              await load("shop.catalog.v1.CatalogService/GetProduct", { id: "p-book-grpc" }),
              await load("shop.catalog.v1.CatalogService/ListProducts", { page_size: 12 }),
            ];
          } finally {
            loading = false;
            await sampler;
          }
        })();
        rps.get(variant.name)?.get.push(get.rps);
        rps.get(variant.name)?.list.push(list.rps);
      }
    }
    const median = (values: readonly number[] = []): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    return variants.map((v) => ({
      flags:
        v.flags.length === 0 ? "none (Node's defaults)" : v.flags === nodeFlags ? `${v.flags.join(" ")} (the shop's)` : v.flags.join(" "),
      idle: idle.get(v.name) ?? memoryOf(0),
      peak: peak.get(v.name) ?? memoryOf(0),
      loaded: memoryOf(pid(v.name)),
      getRps: median(rps.get(v.name)?.get),
      listRps: median(rps.get(v.name)?.list),
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

/** The shop as `make up` runs it (its own process, the launcher counted), idle, then under load. */
async function measureShop(options: { tracing: boolean; replicas?: number; load: boolean }): Promise<Phase> {
  const up = await startUp({ ...options, seedStock: 100_000 });
  // Read again for every sample: a component restarted by supervision has a new pid.
  const processes = () => upProcesses(up.current());
  try {
    // Idle once startup's garbage is collected and the first health checks and scrapes are done.
    await wait(15_000);
    const idle = shopMemory(processes());
    if (!options.load) return { idle };
    let peak = idle;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const now = shopMemory(processes());
        if (now.total.pssMiB > peak.total.pssMiB) peak = now;
        await wait(1_000);
      }
    })();
    const load = await runLoad({ gateway: up.state.gateway, runDir: up.runDir }, { shoppers, seconds: loadSeconds, thinkMs: 0 }).finally(
      () => {
        sampling = false;
      },
    );
    await sampler;
    await wait(5_000);
    // A process that died and came back under the load would have counted as nothing meanwhile.
    const restarted = up.current().components.filter((c) => c.restarts > 0);
    if (restarted.length > 0) throw new Error(`restarted under the load: ${restarted.map((c) => c.name).join(", ")}`);
    return { idle, peak, after: shopMemory(processes()), load };
  } finally {
    await up.stop();
  }
}

// ---------------------------------------------------------------- the report

const profiles = await importProfiles();
const flagsRows = await compareFlags();
const plain = await measureShop({ tracing: false, replicas: 1, load: true });
const traced = await measureShop({ tracing: true, replicas: 1, load: true });
// As the topology says (catalog, cart and order at two replicas): what the demo takes, and one replica's share.
const demo = await measureShop({ tracing: false, load: false });

const gb = (m: Memory): string => `${((m.rssMiB * 2 ** 20) / 1e9).toFixed(2)} GB RSS, ${((m.pssMiB * 2 ** 20) / 1e9).toFixed(2)} GB PSS`;
const delta = (a: Memory, b: Memory): Memory => ({ rssMiB: a.rssMiB - b.rssMiB, pssMiB: a.pssMiB - b.pssMiB });
const peakOf = (phase: Phase): Memory => phase.peak?.total ?? phase.idle.total;
const zipkin = traced.idle.byName.get("zipkin") ?? memoryOf(0);
const tracedWithoutZipkin = (m: ShopMemory | undefined): Memory => delta(m?.total ?? memoryOf(0), m?.byName.get("zipkin") ?? memoryOf(0));
/** A second replica of catalog: its own process and its sidecar. */
const extraReplica = sumMemory([
  demo.idle.byName.get("catalog-2") ?? memoryOf(0),
  demo.idle.byName.get("sidecar-catalog-2") ?? memoryOf(0),
]);
const [without, withFlags] = flagsRows;
const youngOnly = flagsRows.find((r) => r.flags === youngGenerationOnly.join(" "));
const pct = (part = 0, whole = 0): string => `${whole === 0 ? 0 : Math.round((100 * part) / whole)} %`;
const idleServices = plain.idle.groups.find((g) => g.name === "Node services");
/** RSS less PSS of an idle Node service: its share of the pages it maps with the others. */
const sharedPerService = idleServices === undefined ? 0 : (idleServices.memory.rssMiB - idleServices.memory.pssMiB) / idleServices.count;

const groupTable = (phase: Phase): string[] =>
  phase.idle.groups.map((g) => {
    const peakGroup = phase.peak?.groups.find((p) => p.name === g.name)?.memory;
    const afterGroup = phase.after?.groups.find((p) => p.name === g.name)?.memory;
    return `| ${g.name} | ${g.count} | ${mib(g.memory)} | ${peakGroup === undefined ? "" : mib(peakGroup)} | ${afterGroup === undefined ? "" : mib(afterGroup)} |`;
  });

function profileTable(profile: ImportProfile): string {
  const rows = profile.steps.map((step, i) => {
    const before = profile.steps[i - 1];
    const added = before === undefined ? "" : ` (+${(step.rssMiB - before.rssMiB).toFixed(1)})`;
    const heap = before === undefined ? "" : ` (+${(step.heapMiB - before.heapMiB).toFixed(1)})`;
    return `| ${step.label} | ${step.rssMiB.toFixed(1)}${added} | ${step.heapMiB.toFixed(1)}${heap} |`;
  });
  return [`| ${profile.name}: after importing | RSS | V8 heap used |`, "| --- | ---: | ---: |", ...rows].join("\n");
}

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

### What a process holds once its code is loaded

Each a fresh Node process with the flags it runs with in the shop (the services' or \`make up\`'s) and \`--expose-gc\`
(packages/devstack/bench/import-steps.ts): it imports the modules below one after another, as the
process's start does, and after each one waits 200 ms, runs a full GC and reads its RSS and V8 heap
in use (MiB). The last row of each service is not loaded any more: it shows what the other store
driver cost every service when both came with \`@shopmesh/stores\`.

${profiles.map(profileTable).join("\n\n")}

Of a service's ${Math.round(profiles[0]?.steps.at(-2)?.rssMiB ?? 0)} MiB or so before it serves, ${Math.round(profiles[0]?.steps[0]?.rssMiB ?? 0)} are Node itself, mostly the binary's
code, which every Node process of the shop maps once: in the shop below, an idle service's PSS is
${Math.round(sharedPerService)} MiB under its RSS on average. The table of the shop shows each one idle, serving.

### The V8 flags, side by side

Catalog processes on one FerretDB: one with Node's defaults, one with the flags every Node service
of the shop runs with (\`nodeFlags\` in packages/launcher/src/recipes.ts), and one each with the
alternatives they were chosen from; idle 5 s after
start, then ghz with 20 calls in flight for 6 s per method and process, interleaved, three rounds
(each rps the process's median round). The peak is the sample with the largest PSS, read every 250 ms
while ghz called the process; "after the load" is read once all rounds are over.

| flags | idle | peak under load | after the load | GetProduct rps | ListProducts rps |
| --- | ---: | ---: | ---: | ---: | ---: |
${flagsRows.map((r) => `| ${r.flags} | ${mib(r.idle)} | ${mib(r.peak)} | ${mib(r.loaded)} | ${r.getRps.toFixed(0)} | ${r.listRps.toFixed(0)} |`).join("\n")}

Under load a catalog with Node's defaults peaked at ${without?.peak.pssMiB.toFixed(0)} MiB PSS, with the young-generation flag alone
at ${youngOnly?.peak.pssMiB.toFixed(0)}, and with the shop's flags at ${withFlags?.peak.pssMiB.toFixed(0)}, serving ${pct(withFlags?.getRps, without?.getRps)} of the defaults' GetProduct rps
and ${pct(withFlags?.listRps, without?.listRps)} of their ListProducts. A full GC leaves about 30 MiB of heap in use in a loaded
service (the soak's last table): the flags decide how much garbage V8 lets pile up past that before it collects.

### The shop, one replica per service, tracing off

As \`make up TRACING=off REPLICAS=1\` runs it, every service at one replica (${plain.idle.processes} processes, \`make up\`'s
own included: the benchmark starts it as a process of its own): idle 15 s after all are healthy; then \`make load\` (its own process, not counted) with ${shoppers} shoppers and no think time for ${loadSeconds} s, the
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
| the demo topology (catalog, cart and order at two replicas, as \`make up TRACING=off\` runs it), idle | ${mib(demo.idle.total)} | |
| … of which the second catalog replica (its process and its sidecar) | ${mib(extraReplica)} | |

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
    // The peak grows with what the shop carries, which depends on the machine's speed that day.
    measured: `${gb(peakOf(plain))}, carrying ${/calls \(([\d.]+)\/s\)/.exec(plain.load?.summary ?? "")?.[1] ?? "?"} calls/s`,
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
