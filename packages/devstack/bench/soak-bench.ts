// Benchmark (not a test): does any process's memory grow without bound under a sustained load? The
// shop with one replica per service and tracing off carries the load generator's shoppers (its own
// process) for ten minutes; every process's RSS and PSS is sampled every 30 s. A process whose
// memory still climbs in the last half of the run, when every cache and pool has long filled, is
// what a leak looks like. Rewrites its section of docs/benchmarks.md and its row of the targets.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { startShop } from "../src/index.js";
import { machine, writeBenchSection, writeBenchTargets } from "./benchmarks-doc.js";
import { runLoad } from "./load-process.js";
import { shopMemory, type ShopMemory } from "./process-memory.js";

const minutes = Number(process.env["BENCH_SOAK_MIN"] ?? "10");
const shoppers = Number(process.env["BENCH_SHOPPERS"] ?? "30");
const sampleMs = 30_000;
/** Growth over the last half of the run, per process, above which it counts as still growing. */
const growthLimitMiB = 5;
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-soak-"));
const shop = await startShop({
  base: "free",
  runDir,
  seedStock: 1_000_000,
  tracing: false,
  replicas: { catalog: 1, cart: 1, order: 1 },
}).catch((err: unknown) => {
  // A shop that did not start has stopped what it started; its directory goes too.
  rmSync(runDir, { recursive: true, force: true });
  throw err;
});
const samples: { minute: number; memory: ShopMemory }[] = [];
let summary = "";
try {
  await wait(10_000);
  const began = Date.now();
  samples.push({ minute: 0, memory: shopMemory(shop) });
  let loading = true;
  const load = runLoad(shop, { shoppers, seconds: minutes * 60 }).finally(() => {
    loading = false;
  });
  while (loading) {
    await Promise.race([wait(sampleMs), load.catch(() => undefined)]);
    if (loading) samples.push({ minute: (Date.now() - began) / 60_000, memory: shopMemory(shop) });
  }
  summary = (await load).summary;
  samples.push({ minute: (Date.now() - began) / 60_000, memory: shopMemory(shop) });
} finally {
  await shop.stop();
  rmSync(runDir, { recursive: true, force: true });
}

const first = samples[0]?.memory;
const last = samples.at(-1)?.memory;
const middle = samples.find((s) => s.minute >= minutes / 2)?.memory;
if (first === undefined || last === undefined || middle === undefined) throw new Error("too few samples");
const names = [...first.byName.keys()];
const rssAt = (memory: ShopMemory, name: string): number => memory.byName.get(name)?.rssMiB ?? 0;
// Every other sample, so that the table stays readable: minutes 0, 1, 2, … and the last.
const shown = samples.filter((_, i) => i % 2 === 0 || i === samples.length - 1);
const growing = names.filter((name) => rssAt(last, name) - rssAt(middle, name) > growthLimitMiB);
const rows = names.map((name) => {
  const late = rssAt(last, name) - rssAt(middle, name);
  return `| ${name} | ${shown.map((s) => Math.round(rssAt(s.memory, name))).join(" | ")} | ${late >= 0 ? "+" : ""}${late.toFixed(1)} |`;
});

const section = `<!-- bench-soak:start -->
## Soak: memory over ${minutes} minutes of load

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench-soak\` (packages/devstack/bench/soak-bench.ts) on ${machine()}.
The shop with one replica per service and tracing off carries \`make load\` with ${shoppers} shoppers
(browse, search, view, add to cart, check out, notifications, a Subscribe stream) for ${minutes} minutes;
every process's RSS is sampled every 30 s (MiB; the columns are minutes into the load). The last
column is the growth over the second half of the run, when pools, caches and the V8 heaps have
long settled: a process that still grows there by more than ${growthLimitMiB} MiB is flagged.

| process | ${shown.map((s) => s.minute.toFixed(0)).join(" | ")} | second half |
| --- | ${shown.map(() => "---:").join(" | ")} | ---: |
${rows.join("\n")}
| **total RSS / PSS** | ${shown.map((s) => `${Math.round(s.memory.total.rssMiB)} / ${Math.round(s.memory.total.pssMiB)}`).join(" | ")} | |

${growing.length === 0 ? "No process grew by more than that in the second half." : `Still growing in the second half: ${growing.join(", ")}.`}

The load it carried:

\`\`\`
${summary.trim()}
\`\`\`
<!-- bench-soak:end -->`;

const path = writeBenchSection("soak", section);
writeBenchTargets("soak", [
  {
    target: `no service's RSS grows without bound under sustained load (${minutes} min)`,
    measured:
      growing.length === 0
        ? `every process within ${growthLimitMiB} MiB over the second half; shop total ${Math.round(first.total.rssMiB)} → ${Math.round(last.total.rssMiB)} MiB RSS`
        : `still growing: ${growing.map((n) => `${n} +${(rssAt(last, n) - rssAt(middle, n)).toFixed(0)} MiB`).join(", ")}`,
    met: growing.length === 0,
  },
]);
process.stdout.write(`${section}\n\nwrote ${path}\n`);
