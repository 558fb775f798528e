// Benchmark (not a test): what the catalog's listing cache buys. One shop with the topology's two
// catalog replicas, started twice in one run: with the cache (the default) and without it
// (LISTING_CACHE_MAX_AGE_MS=0). Each time ghz calls GetProduct, ListProducts (a page of 12) and
// SearchProducts (a common query) through the gateway at saturation, interleaved over two rounds;
// then, with the cache, products are changed through one replica and read at once through the
// other, counting the answers that still had the old product. Rewrites its section of
// docs/benchmarks.md and its rows of the targets table.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient } from "@shopmesh/kit";
import { repoRoot, runGhz, type GhzResult, machine, writeBenchSection, writeBenchTargets } from "@shopmesh/launcher";
import { startShop } from "../src/index.js";
import { benchRateLimit, benchRateLimitNote } from "./edge.js";

const base = Number(process.env["BENCH_PORT_BASE"] ?? "7800");
const seconds = Number(process.env["BENCH_DURATION_S"] ?? "10");
const protoset = join(repoRoot, ".build", "shop.binpb");
const concurrency = 20;
const rounds = 2;
const changes = 20;
const productId = "p-mug-blue-350";
const query = "mug";

const calls = {
  GetProduct: { id: productId },
  ListProducts: { page_size: 12 },
  SearchProducts: { query, page_size: 12 },
} as const;
type Call = keyof typeof calls;
const callNames = Object.keys(calls) as Call[];

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/** The rounds of one call: rps summed over rounds of equal length, so their mean; latencies of the slower round. */
function combine(results: readonly GhzResult[]): Measured {
  const mean = (pick: (r: GhzResult) => number) => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  return {
    rps: mean((r) => r.rps),
    p50: mean((r) => r.p50),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

interface Staleness {
  readonly reads: number;
  readonly old: number;
}

/** Renames a product through one replica and reads it at once, by list and search, through the other. */
async function staleReads(writerAddress: string, readerAddress: string): Promise<Staleness> {
  const writer = createGrpcClient(CatalogService, writerAddress, { defaultTimeoutMs: 5_000 });
  const reader = createGrpcClient(CatalogService, readerAddress, { defaultTimeoutMs: 5_000 });
  let reads = 0;
  let old = 0;
  try {
    const original = (await writer.getProduct({ id: productId })).product;
    if (original === undefined) throw new Error(`no product ${productId}`);
    for (let i = 0; i < changes; i++) {
      // The reader's pages are cached before each change.
      await reader.listProducts({ pageSize: 100 });
      await reader.searchProducts({ query, pageSize: 12 });
      const name = `${original.name} #${i}`;
      await writer.upsertProduct({ product: { ...original, name } });
      const listed = (await reader.listProducts({ pageSize: 100 })).products.find((p) => p.id === productId);
      const found = (await reader.searchProducts({ query, pageSize: 12 })).products.find((p) => p.id === productId);
      for (const product of [listed, found]) {
        reads++;
        if (product?.name !== name) old++;
      }
    }
    await writer.upsertProduct({ product: original });
  } finally {
    writer.close();
    reader.close();
  }
  return { reads, old };
}

interface Run {
  readonly results: Readonly<Record<Call, Measured>>;
  readonly staleness: Staleness | undefined;
}

async function measure(cached: boolean): Promise<Run> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-"));
  const cache = cached ? {} : { LISTING_CACHE_MAX_AGE_MS: "0" };
  const shop = await startShop({
    base,
    runDir,
    replicas: { catalog: 2, cart: 1, order: 1 },
    env: { catalog: cache, "catalog-2": cache },
    gatewayRateLimit: benchRateLimit,
  });
  try {
    const ghz = (call: Call, duration: number) =>
      runGhz({
        target: shop.gatewayAddress,
        protoset,
        call: `shop.catalog.v1.CatalogService/${call}`,
        data: calls[call],
        concurrency,
        connections: 2,
        seconds: duration,
      });
    for (const call of callNames) await ghz(call, 3); // warm-up
    const byCall: Record<Call, GhzResult[]> = { GetProduct: [], ListProducts: [], SearchProducts: [] };
    for (let round = 0; round < rounds; round++) {
      for (const call of callNames) {
        const result = await ghz(call, seconds);
        byCall[call].push(result);
        process.stdout.write(`${cached ? "cache" : "no cache"}, round ${round + 1}: ${call} ${result.rps.toFixed(0)} rps\n`);
      }
    }
    const results = {
      GetProduct: combine(byCall.GetProduct),
      ListProducts: combine(byCall.ListProducts),
      SearchProducts: combine(byCall.SearchProducts),
    };
    const staleness = cached ? await staleReads(shop.serviceAddress("catalog"), shop.serviceAddress("catalog-2")) : undefined;
    return { results, staleness };
  } finally {
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function writeReport(on: Run, off: Run): void {
  const f = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
  const share = (run: Run, call: Call): number => run.results[call].rps / run.results.GetProduct.rps;
  const row = (call: Call): string => {
    const a = on.results[call];
    const b = off.results[call];
    const ratio = call === "GetProduct" ? "100 %" : `${f(100 * share(on, call), 0)} %`;
    const ratioOff = call === "GetProduct" ? "100 %" : `${f(100 * share(off, call), 0)} %`;
    return `| ${call} | ${f(a.rps, 0)} | ${ratio} | ${f(a.p50)} | ${f(a.p99)} | ${f(b.rps, 0)} | ${ratioOff} | ${f(b.p50)} | ${f(b.p99)} | ${a.errors + b.errors} |`;
  };
  const table = [
    "| through the gateway | rps, cache | of GetProduct's | p50 ms | p99 ms | rps, no cache | of GetProduct's | p50 ms | p99 ms | failed calls |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...callNames.map(row),
  ].join("\n");
  const stale = on.staleness ?? { reads: 0, old: 0 };
  const section = `<!-- bench-catalog:start -->
## Catalog: cached listings against reads by id

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench-catalog\` on ${machine()}.
One shop with two catalog replicas (each its own process and sidecar), started twice: with the
listing cache (the default: pages checked against the catalog's version on every call) and without it
(\`LISTING_CACHE_MAX_AGE_MS=0\`). ghz calls each RPC through the gateway at saturation, ${concurrency} in flight
on 2 connections, ${seconds} s per call after a 3 s warm-up of each, the three interleaved over ${rounds} rounds
(rps is their mean, p50 the mean of the rounds', p99 the worse round's). GetProduct reads \`${productId}\`,
ListProducts the first page of 12, SearchProducts the first 12 matches of "${query}". Everything, ghz
included, shares the machine's cores, so the ratios count, not the absolute numbers.
${benchRateLimitNote}

${table}

Without the cache a listing costs FerretDB a scan of the collection and a sort in Go (it uses only the
\`_id\` index), about five times a read by id; with it, a listing costs one read by id of the catalog's
version, shared by the listings in flight, and the page comes from memory. Then, with the cache, a
product was renamed ${changes} times through one replica and read at once, by ListProducts and by
SearchProducts, through the other (each time with both pages cached before the change):
${stale.old} of ${stale.reads} answers had the old name.

Every ListProducts call asks for the first page and every SearchProducts call for the same query, as
a storefront's home page and its most common search do: with the cache these rows are cache hits,
each with its one read of the version. A listing nobody asked for since the last change costs the
uncached row's time once.
<!-- bench-catalog:end -->`;
  const path = writeBenchSection("catalog", section);
  const shareRow = (call: Call) => ({
    target: `${call} through the gateway ≥ 80% of GetProduct's rps`,
    measured: `${f(100 * share(on, call), 0)} % (${f(on.results[call].rps, 0)} vs ${f(on.results.GetProduct.rps, 0)} rps; without the cache ${f(100 * share(off, call), 0)} %)`,
    // Calls that failed count in ghz's rps: a listing that failed fast must not pass.
    met: share(on, call) >= 0.8 && on.results[call].errors === 0 && on.results.GetProduct.errors === 0,
  });
  writeBenchTargets("catalog", [
    shareRow("ListProducts"),
    shareRow("SearchProducts"),
    {
      target: "No replica serves a product older than the last UpsertProduct longer than a stated, tested bound",
      measured:
        `${stale.old === 0 ? "0 ms" : "not held"}: ${stale.old} of ${stale.reads} reads through the other replica right after an upsert were old; ` +
        "changes that bypass UpsertProduct: at most LISTING_CACHE_MAX_AGE_MS (5 s; tested at 1.5 s + 1 s margin)",
      met: stale.old === 0,
    },
  ]);
  process.stdout.write(`${table}\n${stale.old} of ${stale.reads} reads old\nwrote ${path}\n`);
}

if (!existsSync(protoset)) throw new Error(`${protoset} is missing: run 'make bench', which builds it`);
const on = await measure(true);
const off = await measure(false);
writeReport(on, off);
