// Benchmark (not a test): does any process's memory grow without bound under a sustained load? The
// shop as `make up TRACING=off REPLICAS=1` runs it (its own process, counted as the launcher) carries
// the load generator's shoppers (its own process) for ten minutes; every process's RSS and PSS is
// sampled every 30 s. A process whose memory still climbs in the last half of the run, when every
// cache and pool has long filled, is what a leak looks like; for a Node process, what it holds right
// after a full GC is compared instead, since between GCs garbage V8 has put off collecting looks the
// same. Rewrites its section of docs/benchmarks.md and its row of the targets.
import { defaultInspectorPort, forceFullGc, type HeldAfterGc } from "./full-gc.js";
import { runLoad } from "./load-process.js";
import { shopMemory, upProcesses, type ShopMemory } from "./process-memory.js";
import { startUp } from "./up-process.js";
import { machine, writeBenchSection, writeBenchTargets } from "@shopmesh/launcher";

const minutes = Number(process.env["BENCH_SOAK_MIN"] ?? "10");
const shoppers = Number(process.env["BENCH_SHOPPERS"] ?? "30");
const sampleMs = 30_000;
/** The V8 heap is read this often, and each sample keeps its lowest reading since the last. */
const heapReadMs = 5_000;
/** Growth over the last half of the run, per process, above which it counts as still growing. */
const growthLimitMiB = 5;
/** The load runs this much past the last sample, so that the last full GCs are taken under it too. */
const marginS = 45;
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const up = await startUp({ tracing: false, replicas: 1, seedStock: 1_000_000 });
const samples: { minute: number; memory: ShopMemory; heap: Map<string, number> }[] = [];
let summary = "";
// Each Node service's V8 heap in use (prom-client's nodejs_heap_size_used_bytes from its /metrics).
// A reading includes garbage not yet collected; the lowest of several, taken between GCs at
// different points, comes close to what the heap keeps alive, so a leak in JavaScript shows as that
// lowest reading rising, and RSS growth without it is memory outside the heap or heap room V8 keeps.
const metricsPorts = new Map(up.topology.services.flatMap((s) => s.replicas.map((r) => [r.name, r.metricsPort] as const)));
const lowestHeap = new Map<string, number>();
async function heapOf(port: number): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) })
    .then((r) => r.text())
    .catch(() => "");
  const used = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
  return used === undefined ? Number.NaN : Number(used) / 2 ** 20;
}
async function readHeaps(): Promise<void> {
  const readings = await Promise.all([...metricsPorts].map(async ([name, port]) => [name, await heapOf(port)] as const));
  for (const [name, mib] of readings) {
    if (!Number.isNaN(mib)) lowestHeap.set(name, Math.min(mib, lowestHeap.get(name) ?? Number.POSITIVE_INFINITY));
  }
}
const heapReader = setInterval(() => void readHeaps(), heapReadMs);
async function sample(minute: number): Promise<void> {
  await readHeaps();
  samples.push({ minute, memory: shopMemory(upProcesses(up.current())), heap: new Map(lowestHeap) });
  lowestHeap.clear();
}
// What each Node process (the services, the web server, the launcher) holds right after a full GC, at
// the middle of the run and at its last sample (both under the load), one process after the other.
interface AfterGc extends HeldAfterGc {
  readonly pid: number;
}
const collected: { middle?: Map<string, AfterGc>; end?: Map<string, AfterGc> } = {};
const notCollected = new Map<string, string>();
async function collectAll(): Promise<Map<string, AfterGc>> {
  const readings = new Map<string, AfterGc>();
  const { components, pid: launcherPid } = up.current();
  const nodeProcesses = [
    ...components.filter((c) => c.kind === "service" || c.kind === "web"),
    { name: "launcher", pid: launcherPid, state: "running" },
  ];
  for (const { name, pid, state } of nodeProcesses) {
    const gc = state === "running" ? await forceFullGc(pid) : { done: false as const, why: `${state}, not running` };
    if (gc.done) readings.set(name, { pid, ...gc });
    else notCollected.set(name, gc.why);
  }
  return readings;
}
try {
  await wait(10_000);
  const began = Date.now();
  await sample(0);
  let loading = true;
  const load = runLoad({ gateway: up.state.gateway, runDir: up.runDir }, { shoppers, seconds: minutes * 60 + marginS }).finally(() => {
    loading = false;
  });
  let minute = 0;
  while (minute < minutes) {
    await Promise.race([wait(sampleMs), load.catch(() => undefined)]);
    if (!loading) throw new Error(`the load ended after ${minute.toFixed(1)} of ${minutes} minutes`);
    minute = (Date.now() - began) / 60_000;
    await sample(minute);
    if (minute >= minutes / 2 && collected.middle === undefined) collected.middle = await collectAll();
  }
  collected.end = await collectAll();
  summary = (await load).summary;
} finally {
  clearInterval(heapReader);
  await up.stop();
}

const firstSample = samples[0];
const lastSample = samples.at(-1);
const middleSample = samples.find((s) => s.minute >= minutes / 2);
if (firstSample === undefined || lastSample === undefined || middleSample === undefined) throw new Error("too few samples");
const [first, last, middle] = [firstSample.memory, lastSample.memory, middleSample.memory];
const names = [...first.byName.keys()];
const rssAt = (memory: ShopMemory, name: string): number => memory.byName.get(name)?.rssMiB ?? 0;
const heapAt = (heap: ReadonlyMap<string, number>, name: string): number => heap.get(name) ?? Number.NaN;
const signed = (n: number): string => `${n >= 0 ? "+" : ""}${n.toFixed(1)}`;
// Every other sample, so that the table stays readable: minutes 0, 1, 2, … and the last.
const shown = samples
  .filter((_, i) => i % 2 === 0 || i === samples.length - 1)
  // Of two columns that would bear the same minute (the last two samples may), the later.
  .filter((s, i, all) => all[i + 1]?.minute.toFixed(0) !== s.minute.toFixed(0));
/** RSS growth over the second half, between GCs. */
const secondHalf = (name: string): number => rssAt(last, name) - rssAt(middle, name);
const rising = names.filter((name) => secondHalf(name) > growthLimitMiB);
const { middle: middleCollected, end: endCollected } = collected;
interface Growth {
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly heapCommittedMiB: number;
  readonly externalMiB: number;
  /** The V8 spaces whose room grew by 0.5 MiB or more, most first: "new_space +6.0". */
  readonly spaces: string;
}
function growthBetween(from: AfterGc, to: AfterGc): Growth {
  const spaces = Object.entries(to.spacesMiB)
    .map(([space, mib]) => [space, mib - (from.spacesMiB[space] ?? 0)] as const)
    .filter(([, grew]) => grew >= 0.5)
    .sort((a, b) => b[1] - a[1]);
  return {
    rssMiB: to.rssMiB - from.rssMiB,
    heapMiB: to.heapMiB - from.heapMiB,
    heapCommittedMiB: to.heapCommittedMiB - from.heapCommittedMiB,
    externalMiB: to.externalMiB - from.externalMiB,
    spaces: spaces.map(([space, grew]) => `${space} ${signed(grew)}`).join(", "),
  };
}
/** From the full GC at the middle to the one at the end, for each process collected both times. */
const growthAfterGc = new Map<string, Growth>();
for (const [name, to] of endCollected ?? []) {
  const from = middleCollected?.get(name);
  if (from === undefined) continue;
  if (from.pid === to.pid) growthAfterGc.set(name, growthBetween(from, to));
  else notCollected.set(name, "restarted between the two full GCs");
}
// A Node process collected both times is judged by what it holds right after them; any other process
// (Envoy, the stores, the broker, a Node process not collected) by its RSS between GCs.
const growing = names.filter((name) => (growthAfterGc.get(name)?.rssMiB ?? secondHalf(name)) > growthLimitMiB);
const rows = names.map(
  (name) => `| ${name} | ${shown.map((s) => Math.round(rssAt(s.memory, name))).join(" | ")} | ${signed(secondHalf(name))} |`,
);
const heapNames = names.filter((name) => !Number.isNaN(heapAt(firstSample.heap, name)));
const heapLate = (name: string): number => heapAt(lastSample.heap, name) - heapAt(middleSample.heap, name);
const heapRows = heapNames.map(
  (name) => `| ${name} | ${shown.map((s) => heapAt(s.heap, name).toFixed(0)).join(" | ")} | ${signed(heapLate(name))} |`,
);
const collectedAt = (readings: ReadonlyMap<string, AfterGc> | undefined, name: string): string => {
  const reading = readings?.get(name);
  return reading === undefined
    ? "–"
    : `${Math.round(reading.rssMiB)} / ${reading.heapMiB.toFixed(1)} / ${reading.heapCommittedMiB.toFixed(1)}`;
};
const collectedRows = names
  .filter((name) => middleCollected?.has(name) || endCollected?.has(name))
  .map((name) => {
    const growth = growthAfterGc.get(name);
    const cells =
      growth === undefined
        ? "– | – | – | – | –"
        : `${signed(growth.rssMiB)} | ${signed(growth.heapMiB)} | ${signed(growth.heapCommittedMiB)} | ${signed(growth.externalMiB)} | ${growth.spaces || "–"}`;
    return `| ${name} | ${collectedAt(middleCollected, name)} | ${collectedAt(endCollected, name)} | ${cells} |`;
  });

const section = `<!-- bench-soak:start -->
## Soak: memory over ${minutes} minutes of load

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench-soak\` (packages/devstack/bench/soak-bench.ts) on ${machine()}.
The shop as \`make up TRACING=off REPLICAS=1\` runs it (its own process, the launcher below) carries \`make load\` with ${shoppers} shoppers
(browse, search, view, add to cart, check out, notifications, a Subscribe stream) for ${minutes} minutes
and ${marginS} s more, while nothing is measured; every process's RSS is sampled every 30 s (MiB; the columns
are minutes into the load). The last column is the growth over the second half of the run, when pools,
caches and the V8 heaps have long settled. A process that grows by more than ${growthLimitMiB} MiB over it is
flagged: a Node process by what it holds right after a full GC (the third table), any other process by
this table. The Node processes' columns after the middle follow a full GC.

| process | ${shown.map((s) => s.minute.toFixed(0)).join(" | ")} | second half |
| --- | ${shown.map(() => "---:").join(" | ")} | ---: |
${rows.join("\n")}
| **total RSS / PSS** | ${shown.map((s) => `${Math.round(s.memory.total.rssMiB)} / ${Math.round(s.memory.total.pssMiB)}`).join(" | ")} | |

${rising.length === 0 ? "No process grew by more than that in the second half." : `Grew by more than that in the second half, between GCs: ${rising.join(", ")}.`}

The V8 heap in use of each Node service (MiB): the lowest of its readings every ${heapReadMs / 1000} s over the
${sampleMs / 1000} s before each column, from prom-client's \`nodejs_heap_size_used_bytes\` on the service's /metrics.
A reading counts garbage not yet collected; the lowest of several comes close to what the heap keeps
alive, so a leak in JavaScript shows here as a rising row. It is not proof of one: in a process
with little to do (the user service, once the shoppers have signed in) the row also rises with
objects that outlived a minor GC and wait for V8's next full one, which an idle heap puts off for minutes. RSS that grows while this row does not is memory outside the JavaScript heap, or
room V8 keeps in it.

| process | ${shown.map((s) => s.minute.toFixed(0)).join(" | ")} | second half |
| --- | ${shown.map(() => "---:").join(" | ")} | ---: |
${heapRows.join("\n")}
${
  rising.length === 0
    ? ""
    : `\nThe heap row over the second half (its last column less the one at the middle of the run), for the processes that grew: ${rising
        .map((n) => `${n} ${Number.isNaN(heapLate(n)) ? "(no /metrics: its heap is not read)" : `${signed(heapLate(n))} MiB`}`)
        .join(", ")}.\n`
}
A reading taken between GCs cannot tell a leak from garbage V8 has not collected yet; one taken right
after a full GC can. Right after the sample at the middle of the run and the last one, both under the load,
each Node process in turn (the services, the web server and the launcher) was made to collect all its garbage and report what it holds
(RSS / V8 heap in use / the heap's room, in use or not, MiB) through its inspector (packages/devstack/bench/full-gc.ts): SIGUSR1 opens it on
127.0.0.1:${defaultInspectorPort}, where any local user could reach it for that second or so, the DevTools protocol's
\`HeapProfiler.collectGarbage\` collects, and it is closed again. The growth between the two is memory no GC
gives back. Where RSS grows while the heap in use does not, the memory is room V8 keeps in its heap (the
room's column, and the spaces it grew in), native memory JavaScript holds (external: Buffers), or memory
outside both: the compiler's, the process's allocator's after it was freed.

| process | after a full GC at the middle | after a full GC at the end | growth, MiB: RSS | heap in use | heap's room | external | spaces whose room grew by 0.5 MiB or more |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${collectedRows.join("\n")}
${notCollected.size === 0 ? "" : `\nNot collected: ${[...notCollected].map(([n, why]) => `${n} (${why})`).join(", ")}.\n`}
${growing.length === 0 ? `No process kept more than ${growthLimitMiB} MiB over the second half.` : `Still growing: ${growing.join(", ")}.`}

The load it carried:

\`\`\`
${summary.trim()}
\`\`\`
<!-- bench-soak:end -->`;

/** "user +7.5 MiB RSS right after a full GC (heap in use +0.3 MiB, its room +0.5 MiB); +11.0 MiB between GCs", or the latter alone. */
function grownBy(name: string): string {
  const growth = growthAfterGc.get(name);
  const between = `${signed(secondHalf(name))} MiB between GCs`;
  return growth === undefined
    ? `${name} ${between}`
    : `${name} ${signed(growth.rssMiB)} MiB RSS right after a full GC (heap in use ${signed(growth.heapMiB)} MiB, its room ${signed(growth.heapCommittedMiB)} MiB); ${between}`;
}

const path = writeBenchSection("soak", section);
writeBenchTargets("soak", [
  {
    target: `no service's RSS grows without bound under sustained load (${minutes} min)`,
    measured:
      growing.length === 0
        ? `every process within ${growthLimitMiB} MiB over the second half (Node processes right after a full GC${
            rising.length === 0 ? "" : `; between GCs ${rising.map((n) => `${n} ${signed(secondHalf(n))} MiB`).join(", ")}`
          }); shop total ${Math.round(first.total.rssMiB)} → ${Math.round(last.total.rssMiB)} MiB RSS`
        : `still growing: ${growing.map((n) => grownBy(n)).join(", ")}`,
    met: growing.length === 0,
  },
]);
process.stdout.write(`${section}\n\nwrote ${path}\n`);
