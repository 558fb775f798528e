// Benchmark (not a test): the two implementations of ShippingService side by side, each its real
// process as the mesh starts it (TypeScript on the kit, Go on grpc-go) with a FerretDB database of
// its own, loaded by ghz directly (no sidecar): GetQuote (validation and arithmetic only) and
// CreateShipment (a new order each call: an insert and two reads). Reports rps, p50 and p99, and
// each process's memory idle and under load. Rewrites its section of docs/benchmarks.md.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import {
  createLauncher,
  ferretDb,
  freePort,
  goService,
  nodeService,
  repoRoot,
  runGhz,
  type GhzResult,
  writeBenchSection,
} from "@shopmesh/launcher";

const seconds = Number(process.env["BENCH_DURATION_S"] ?? "8");
const connections = 2;
const protoset = join(repoRoot, ".build", "shop.binpb");
const implementations = ["node", "go"] as const;
type Implementation = (typeof implementations)[number];

const address = {
  recipient_name: "Ada Lovelace",
  street_lines: ["1 Market St"],
  city: "San Francisco",
  postal_code: "94103",
  region_code: "US",
};
const items = [
  { sku: "MUG-001", quantity: 2 },
  { sku: "CAP-002", quantity: 1 },
];
/**
 * Calls in flight per method: GetQuote saturates the service itself; CreateShipment is bound by
 * FerretDB's inserts on SQLite, which queue (and time out) behind more than a few at once.
 */
const methods = {
  GetQuote: { concurrency: 50, data: { address, items } },
  // ghz fills in a new UUID for every call: each creates a shipment.
  CreateShipment: { concurrency: 4, data: { order_id: "bench-{{.UUID}}", address, items } },
} as const;
type Method = keyof typeof methods;

interface Measured {
  readonly result: GhzResult;
  /** The service process's RSS sampled halfway through the run, MiB. */
  readonly loadedMiB: number;
}

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  if (!existsSync(protoset)) throw new Error(`${protoset} is missing: run 'make bench-polyglot', which builds it`);
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-polyglot-"));
  const launcher = createLauncher({ logDir: join(runDir, "logs"), supervise: false });
  const mongoPort = await freePort();
  const ports: Record<Implementation, number> = { node: await freePort(), go: await freePort() };
  const idleMiB: Partial<Record<Implementation, number>> = {};
  const measured: Partial<Record<`${Implementation} ${Method}`, Measured>> = {};
  try {
    await launcher.start([ferretDb({ name: "ferretdb", port: mongoPort, dataDir: join(runDir, "data"), quiet: true })]);
    for (const impl of implementations) {
      const options = {
        service: "shipping",
        name: `shipping-${impl}`,
        port: ports[impl],
        // Info logs, as in the mesh: the one line per RPC is part of what a call costs.
        env: { MONGO_URL: `mongodb://127.0.0.1:${mongoPort}`, MONGO_DB: `bench_shipping_${impl}`, LOG_LEVEL: "info" },
      };
      await launcher.start([impl === "go" ? goService(options) : nodeService(options)]);
    }
    const pid = (impl: Implementation): number => launcher.running.find((r) => r.component.name === `shipping-${impl}`)?.pid ?? 0;
    for (const impl of implementations) idleMiB[impl] = rssMiB(pid(impl));
    for (const method of Object.keys(methods) as Method[]) {
      for (const impl of implementations) {
        const run = (s: number) =>
          runGhz({
            target: `127.0.0.1:${ports[impl]}`,
            protoset,
            call: `shop.shipping.v1.ShippingService/${method}`,
            data: methods[method].data,
            concurrency: methods[method].concurrency,
            connections,
            seconds: s,
          });
        await run(1); // warm-up: JIT, connection pools
        let loadedMiB = 0;
        const sample = setTimeout(() => (loadedMiB = rssMiB(pid(impl))), (seconds * 1000) / 2);
        const result = await run(seconds);
        clearTimeout(sample);
        measured[`${impl} ${method}`] = { result, loadedMiB };
        process.stdout.write(`${impl} ${method}: ${Math.round(result.rps)} rps, p99 ${result.p99.toFixed(1)} ms\n`);
        for (const [message, count] of Object.entries(result.errorsByMessage)) process.stdout.write(`  ${count}× ${message}\n`);
      }
    }
  } finally {
    await launcher.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
  writeReport(idleMiB, measured);
}

function writeReport(idleMiB: Partial<Record<Implementation, number>>, measured: Partial<Record<string, Measured>>): void {
  const f = (n: number | undefined, digits = 0): string => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
  const label: Record<Implementation, string> = { node: "TypeScript (kit, grpc-js)", go: "Go (grpc-go)" };
  const rows = (Object.keys(methods) as Method[]).flatMap((method) =>
    implementations.map((impl) => {
      const m = measured[`${impl} ${method}`];
      const r = m?.result;
      return `| ${method} | ${label[impl]} | ${methods[method].concurrency} | ${f(r?.rps)} | ${f(r?.p50, 2)} | ${f(r?.p99, 2)} | ${f(idleMiB[impl])} | ${f(m?.loadedMiB)} | ${r?.errors ?? "–"} |`;
    }),
  );
  const table = [
    "| method | implementation | in flight | rps | p50 ms | p99 ms | RSS idle MiB | RSS under load MiB | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
  const section = `<!-- bench-polyglot:start -->
## Shipping in TypeScript and in Go

\`make bench-polyglot\` (part of \`make bench\`): both implementations of ShippingService as their real
processes, as \`impl: node\` and \`impl: go\` start them, each with its own database on one FerretDB,
called by ghz directly (no sidecar) over ${connections} connections for ${seconds} s per row, after a 1 s warm-up.
GetQuote is validation and arithmetic; CreateShipment makes a new shipment each call (an insert
and two reads against FerretDB on SQLite, which bounds it: fewer calls in flight). Both log one line per RPC. RSS is
the service process's alone (not FerretDB's), idle after start and sampled halfway through its row.
${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), shared by ghz, FerretDB and the service.

${table}
<!-- bench-polyglot:end -->`;
  const path = writeBenchSection("polyglot", section);
  process.stdout.write(`${table}\nwrote ${path}\n`);
}

await main();
