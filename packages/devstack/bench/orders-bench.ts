// Benchmark (not a test): whole orders. One shop (one replica of each service, tracing off);
// PlaceOrder through the gateway, each order by its own user with its own cart (one item, added
// through the gateway beforehand; the users' tokens are signed with the shop's own key, as the
// user service signs them, since Register and Login are rate limited at the edge). (1) Saturation:
// K orders in flight for a while, at a few K: orders/s, p50/p99, failures by code, and the CPU
// each process of the shop used meanwhile (what sets the ceiling). (2) Fixed rates, open model: an
// order starts every 1/rate s whatever the answers, at half the best saturation rate and at
// BENCH_ORDER_RATE: p50/p99/max from each order's planned start, and the rate achieved. (3) Where
// an order's time goes: the order service's own histograms of each saga step's call and store
// write (its /metrics), over the BENCH_ORDER_RATE run, and how long each event waited in the
// outbox. Rewrites its section of docs/benchmarks.md and its targets.
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { createGrpcClient } from "@shopmesh/kit";
import { MongoClient } from "mongodb";
import { serviceNamed } from "@shopmesh/mesh";
import { testAddress, testCards } from "@shopmesh/testkit";
import { privateKeyFileName, readSigningKeyFile } from "@shopmesh/user/keys";
import { createTokenIssuer } from "@shopmesh/user/tokens";
import { startShop, type RunningShop } from "../src/index.js";
import { summarizeCpuProfile, type CpuShare } from "./cpu-profile.js";
import { machine, writeBenchSection, writeBenchTargets } from "@shopmesh/launcher";

/** BENCH_PORT_BASE, or a base whose ports are all free. */
const base = process.env["BENCH_PORT_BASE"] === undefined ? "free" : Number(process.env["BENCH_PORT_BASE"]);
const seconds = Number(process.env["BENCH_DURATION_S"] ?? "20");
/** Orders in flight at saturation. */
const levels = (process.env["BENCH_ORDER_LEVELS"] ?? "5,20,50").split(",").map(Number);
const fixedRate = Number(process.env["BENCH_ORDER_RATE"] ?? "50");
const target = { ordersPerSecond: 100, p99Ms: 250, atRate: 50 };
/**
 * BENCH_CPU_PROFILE=order,payment: those services run under `node --cpu-prof`, and the run prints
 * where each one's time went instead of rewriting the report (a profiled process is slower).
 */
const profiled = (process.env["BENCH_CPU_PROFILE"] ?? "").split(",").filter((name) => name !== "");
const profileDir = join(os.tmpdir(), `shopmesh-cpu-profiles-${process.pid}`);
/** What one CONFIRMED order writes to the orders' database (see the report). */
const orderStoreWrites = 12;

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Shopper {
  readonly userId: string;
  readonly headers: Record<string, string>;
}

/** What PlaceOrder answers past PLACE_ORDER_MAX_IN_FLIGHT, with nothing recorded, and the RetryInfo it carries. */
const refused = Code[Code.ResourceExhausted];
const retryDelayMs = 1_000;

/** One PlaceOrder as the client saw it. */
interface Placed {
  /** From its (planned) start to the answer. */
  readonly ms: number;
  /** "OK" (answered CONFIRMED), "OK, not final" (answered as it stood) or the gRPC code's name. */
  readonly outcome: string;
}

interface LoadResult {
  readonly label: string;
  readonly placed: readonly Placed[];
  readonly elapsedS: number;
  /** Orders started per second (the fixed rate's achieved rate). */
  readonly startedPerS: number;
  /** CPU per process of the shop meanwhile, in % of one core. */
  readonly cpu?: readonly { readonly name: string; readonly percent: number }[];
}

/** The `q` quantile of `values` (nearest rank). */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

// ---------------------------------------------------------------- processes' CPU time

const clockTicks = 100; // USER_HZ on Linux

/** utime + stime of `pid` in clock ticks (0 once it is gone). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Starts counting every process's CPU time; the returned function says how much each used since, in % of one core. */
function cpuMeter(shop: RunningShop): () => { name: string; percent: number }[] {
  const processes = [
    ...shop.running.map((r) => ({ name: r.component.name, pid: r.pid })),
    { name: "this benchmark (the client, and the shop's launcher)", pid: process.pid },
  ];
  const before = processes.map((p) => cpuTicks(p.pid));
  const began = performance.now();
  return () => {
    const seconds = (performance.now() - began) / 1000;
    return processes
      .map((p, i) => ({ name: p.name, percent: ((cpuTicks(p.pid) - (before[i] ?? 0)) / clockTicks / seconds) * 100 }))
      .sort((a, b) => b.percent - a.percent);
  };
}

// ---------------------------------------------------------------- the order service's histograms

interface Histogram {
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly sum: number;
  readonly count: number;
}

/** Every histogram series of `name` in a Prometheus text exposition, by its labels (as written). */
function histograms(text: string, name: string): Map<string, Histogram> {
  const series = new Map<string, { buckets: { le: number; count: number }[]; sum: number; count: number }>();
  const of = (labels: string) => {
    const h = series.get(labels) ?? { buckets: [], sum: 0, count: 0 };
    series.set(labels, h);
    return h;
  };
  for (const line of text.split("\n")) {
    const m = /^(\w+?)(_bucket|_sum|_count)\{([^}]*)\} (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labels = (m[3] ?? "").replace(/,?le="[^"]*"/, "").replace(/,?service="[^"]*"/, "");
    const value = Number(m[4]);
    if (m[2] === "_bucket") {
      const le = /le="([^"]*)"/.exec(m[3] ?? "")?.[1] ?? "+Inf";
      of(labels).buckets.push({ le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), count: value });
    } else if (m[2] === "_sum") of(labels).sum = value;
    else of(labels).count = value;
  }
  return series;
}

/** `after` minus `before`: what was observed in between. */
function since(after: Histogram, before: Histogram | undefined): Histogram {
  if (before === undefined) return after;
  return {
    buckets: after.buckets.map((b, i) => ({ le: b.le, count: b.count - (before.buckets[i]?.count ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** The `q` quantile of a histogram in ms, interpolated within its bucket (as Prometheus' histogram_quantile). */
function quantileMs(h: Histogram, q: number): number {
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lower * 1000;
      const inBucket = b.count - below;
      return (lower + (b.le - lower) * (inBucket === 0 ? 0 : (rank - below) / inBucket)) * 1000;
    }
    lower = b.le;
    below = b.count;
  }
  return Number.NaN;
}

async function orderMetrics(shop: RunningShop): Promise<string> {
  const port = serviceNamed(shop.topology, "order").replicas[0]?.metricsPort;
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

// ---------------------------------------------------------------- the store's own pace

interface StoreProbe {
  /** A 4 kB write and fsync of a file beside FerretDB's, one at a time: ms each. */
  readonly fsyncMs: number;
  /** One write at a time: ms each (an insert, then an update of it by _id). */
  readonly serialMs: number;
  /** Eight at a time: writes per second. */
  readonly perSecond: number;
}

/** What the disk under FerretDB's files and FerretDB itself do, in a database of its own, once the load is over. */
async function probeStore(shop: RunningShop): Promise<StoreProbe> {
  // SQLite commits with an fsync of its write-ahead log (synchronous=FULL, FerretDB's default).
  const file = join(shop.dirs.dataDir, "fsync-probe");
  const fd = openSync(file, "w");
  const page = Buffer.alloc(4_096, 1);
  const fsyncBegan = performance.now();
  for (let i = 0; i < 50; i++) {
    writeSync(fd, page, 0, page.length, 0);
    fsyncSync(fd);
  }
  const fsyncMs = (performance.now() - fsyncBegan) / 50;
  closeSync(fd);
  rmSync(file);
  const ferret = shop.topology.stores.find((s) => s.kind === "mongodb");
  const client = new MongoClient(`mongodb://127.0.0.1:${ferret?.port}/`);
  try {
    const docs = client.db("bench_store_probe").collection<{ _id: string; n: number; pad: string }>("probe");
    const write = async (id: string) => {
      await docs.insertOne({ _id: id, n: 0, pad: "x".repeat(1_000) });
      await docs.updateOne({ _id: id }, { $set: { n: 1 } });
    };
    await write("warm");
    const serialBegan = performance.now();
    for (let i = 0; i < 100; i++) await write(`s${i}`);
    const serialMs = (performance.now() - serialBegan) / 200;
    let next = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 800) await write(`c${next++}`);
      }),
    );
    return { fsyncMs, serialMs, perSecond: 1_600 / ((performance.now() - began) / 1000) };
  } finally {
    await client.close();
  }
}

// ---------------------------------------------------------------- load

/** A call that sets the run up: a busy shop may answer UNAVAILABLE (a callee too slow), so it is tried again. */
async function setUp<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt === 8 || ConnectError.from(err).code !== Code.Unavailable) throw err;
      await wait(250 * attempt);
    }
  }
}

interface Run {
  readonly shop: RunningShop;
  /** Places `shopper`'s order, timed from `plannedAt` (now by default). */
  readonly place: (shopper: Shopper, plannedAt?: number) => Promise<Placed>;
  /** Users with a cart, not used yet. */
  readonly shoppers: (count: number) => Promise<Shopper[]>;
}

async function prepare(shop: RunningShop): Promise<Run & { close(): void }> {
  const gateway = { defaultTimeoutMs: 15_000 };
  const catalog = createGrpcClient(CatalogService, shop.gatewayAddress, gateway);
  const cart = createGrpcClient(CartService, shop.gatewayAddress, gateway);
  // Two connections to the gateway, as two clients would.
  const orders = [
    createGrpcClient(OrderService, shop.gatewayAddress, gateway),
    createGrpcClient(OrderService, shop.gatewayAddress, gateway),
  ];
  const { products } = await setUp(() => catalog.listProducts({ pageSize: 50 }));
  if (products.length === 0) throw new Error("the catalog has no products");
  const { jwt } = shop.topology.gateway;
  const issuer = createTokenIssuer({
    key: await readSigningKeyFile(join(shop.dirs.keyDir, privateKeyFileName)),
    issuer: jwt.issuer,
    audience: jwt.audience,
    ttlSeconds: 3_600,
  });
  let users = 0;
  let calls = 0;
  const newShopper = async (): Promise<Shopper> => {
    const n = ++users;
    const userId = randomUUID();
    const { token } = await issuer.issue(userId, Date.now());
    const headers = { authorization: `Bearer ${token}` };
    const product = products[n % products.length];
    await setUp(() => cart.addItem({ productId: product?.id ?? "", quantity: 1 }, { headers }));
    return { userId, headers };
  };
  return {
    shop,
    async shoppers(count) {
      const made: Shopper[] = [];
      const worker = async (): Promise<void> => {
        while (made.length < count) {
          made.push(await newShopper());
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      return made;
    },
    async place(shopper, plannedAt = performance.now()) {
      const client = orders[++calls % orders.length] as (typeof orders)[number];
      try {
        const { order } = await client.placeOrder(
          { requestId: `${shopper.userId}-1`, shippingAddress: testAddress, card: testCards.succeeds },
          { headers: shopper.headers },
        );
        return { ms: performance.now() - plannedAt, outcome: order?.state === OrderState.CONFIRMED ? "OK" : "OK, not final" };
      } catch (err) {
        return { ms: performance.now() - plannedAt, outcome: Code[ConnectError.from(err).code] ?? "unknown" };
      }
    },
    close() {
      for (const client of [catalog, cart, ...orders]) client.close();
    },
  };
}

/** `inFlight` orders at a time for `seconds` (or until the prepared users run out). */
async function saturate(run: Run, inFlight: number, pool: Shopper[]): Promise<LoadResult> {
  const placed: Placed[] = [];
  const cpu = cpuMeter(run.shop);
  const began = performance.now();
  const until = began + seconds * 1000;
  const worker = async (): Promise<void> => {
    for (let shopper = pool.pop(); shopper !== undefined && performance.now() < until; shopper = pool.pop()) {
      const outcome = await run.place(shopper);
      placed.push(outcome);
      // Refused with nothing recorded: the shopper tries again after the RetryInfo's delay (1 s), as a client should.
      if (outcome.outcome === refused) {
        pool.push(shopper);
        await wait(retryDelayMs);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedS = (performance.now() - began) / 1000;
  return { label: `${inFlight} in flight`, placed, elapsedS, startedPerS: placed.length / elapsedS, cpu: cpu() };
}

/** An order started every 1/rate s for `seconds`, each timed from when it was due. */
async function fixed(run: Run, rate: number, pool: Shopper[]): Promise<LoadResult> {
  const placing: Promise<Placed>[] = [];
  const cpu = cpuMeter(run.shop);
  const began = performance.now();
  const count = Math.min(pool.length, Math.round(rate * seconds));
  for (let i = 0; i < count; i++) {
    const due = began + (i * 1000) / rate;
    const ahead = due - performance.now();
    if (ahead > 0) await wait(ahead);
    const shopper = pool.pop();
    if (shopper === undefined) break;
    placing.push(run.place(shopper, due));
  }
  const startedS = (performance.now() - began) / 1000;
  const placed = await Promise.all(placing);
  const elapsedS = (performance.now() - began) / 1000;
  return { label: `${rate} orders/s`, placed, elapsedS, startedPerS: placing.length / startedS, cpu: cpu() };
}

interface Results {
  readonly saturation: readonly LoadResult[];
  readonly fixedRate: LoadResult;
  /** A fixed rate of half the best saturation rate: the latency of orders that do not queue. */
  readonly belowCeiling: LoadResult;
  readonly steps: ReadonlyMap<string, Histogram>;
  readonly saturatedSteps: ReadonlyMap<string, Histogram>;
  readonly outbox: Histogram | undefined;
  readonly setup: { readonly shoppers: number; readonly perSecond: number };
  readonly store: StoreProbe;
}

async function measure(): Promise<Results> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-"));
  const env = Object.fromEntries(profiled.map((name) => [name, { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(profileDir, name)}` }]));
  const shop = await startShop({ base, runDir, seedStock: 1_000_000, tracing: false, replicas: { catalog: 1, cart: 1, order: 1 }, env });
  let opened: Awaited<ReturnType<typeof prepare>> | undefined;
  try {
    const run = await prepare(shop);
    opened = run;
    // Warm-up, which also says roughly how many users with carts a level needs.
    const warm = await saturate(run, 5, await run.shoppers(40));
    let estimate = Math.max(5, warm.placed.length / warm.elapsedS);
    let setupMs = 0;
    let prepared = 0;
    const poolFor = async (perSecond: number, extra: number): Promise<Shopper[]> => {
      const count = Math.ceil(perSecond * seconds * 1.5) + extra;
      const began = performance.now();
      const pool = await run.shoppers(count);
      setupMs += performance.now() - began;
      prepared += count;
      return pool;
    };
    const saturation: LoadResult[] = [];
    let saturatedSteps = new Map<string, Histogram>();
    for (const k of levels) {
      const pool = await poolFor(estimate * Math.min(3, k / 5), k);
      const before = histograms(await orderMetrics(shop), "order_saga_step_seconds");
      const result = await saturate(run, k, pool);
      const after = histograms(await orderMetrics(shop), "order_saga_step_seconds");
      saturation.push(result);
      estimate = Math.max(estimate, result.placed.filter((p) => p.outcome !== refused).length / result.elapsedS);
      if (k === Math.max(...levels)) saturatedSteps = new Map([...after].map(([labels, h]) => [labels, since(h, before.get(labels))]));
      await wait(2_000); // let the relay and the view catch up between levels
    }
    const lowRate = Math.max(1, Math.floor(Math.max(...saturation.map((l) => summary(l).perSecond)) / 2));
    const belowCeiling = await fixed(run, lowRate, await poolFor(lowRate, 0));
    await wait(2_000);
    const pool = await poolFor(fixedRate, 0);
    const before = await orderMetrics(shop);
    const fixedRun = await fixed(run, fixedRate, pool);
    await wait(2_000); // the last events leave the outbox
    const after = await orderMetrics(shop);
    await wait(3_000); // sagas answered UNAVAILABLE still finish meanwhile
    const store = await probeStore(shop);
    const diff = (name: string) => {
      const old = histograms(before, name);
      return new Map([...histograms(after, name)].map(([labels, h]) => [labels, since(h, old.get(labels))]));
    };
    return {
      saturation,
      fixedRate: fixedRun,
      belowCeiling,
      steps: diff("order_saga_step_seconds"),
      saturatedSteps,
      outbox: [...diff("order_outbox_publish_delay_seconds").values()][0],
      setup: { shoppers: prepared, perSecond: prepared / (setupMs / 1000) },
      store,
    };
  } finally {
    opened?.close();
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

const f = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

function summary(r: LoadResult) {
  const ok = r.placed.filter((p) => p.outcome === "OK");
  // The latency of the orders the shop took: a refusal answers at once and is counted by its code.
  const ms = r.placed.filter((p) => p.outcome !== refused).map((p) => p.ms);
  const byCode = new Map<string, number>();
  for (const p of r.placed) if (p.outcome !== "OK") byCode.set(p.outcome, (byCode.get(p.outcome) ?? 0) + 1);
  const failures = [...byCode].map(([code, n]) => `${n}× ${code}`).join(", ");
  return {
    perSecond: ok.length / r.elapsedS,
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
    max: Math.max(...ms),
    failures: failures === "" ? "none" : failures,
    total: r.placed.length,
  };
}

/** The step rows in saga order, then anything else. */
const stepOrder = ["lookup", "price", "record", "reserve", "charge", "ship", "commit", "emptyCart", "confirm"];

function stepRows(steps: ReadonlyMap<string, Histogram>, saturated: ReadonlyMap<string, Histogram>): string[] {
  const label = (labels: string) => ({
    step: /step="([^"]*)"/.exec(labels)?.[1] ?? "",
    part: /part="([^"]*)"/.exec(labels)?.[1] ?? "",
  });
  const rank = (labels: string) => {
    const { step, part } = label(labels);
    const i = stepOrder.indexOf(step);
    return (i < 0 ? stepOrder.length : i) * 2 + (part === "store" ? 1 : 0);
  };
  return [...steps]
    .filter(([, h]) => h.count > 0)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([labels, h]) => {
      const { step, part } = label(labels);
      const s = saturated.get(labels);
      const sat = s === undefined || s.count === 0 ? "n/a" : f((s.sum / s.count) * 1000, 1);
      const what = part === "call" ? "downstream call" : "order store";
      return `| ${step} | ${what} | ${h.count} | ${f((h.sum / h.count) * 1000, 1)} | ${f(quantileMs(h, 0.5), 1)} | ${f(quantileMs(h, 0.99), 1)} | ${sat} |`;
    });
}

function report(r: Results): void {
  const sat = r.saturation.map((l) => ({ l, s: summary(l) }));
  const best = sat.reduce((a, b) => (b.s.perSecond > a.s.perSecond ? b : a));
  const fx = summary(r.fixedRate);
  const saturationTable = [
    "| in flight | orders/s (CONFIRMED) | p50 ms | p99 ms | orders | not CONFIRMED, by code |",
    "| ---: | ---: | ---: | ---: | ---: | --- |",
    ...sat.map(
      ({ l, s }) => `| ${l.label.split(" ")[0]} | ${f(s.perSecond, 1)} | ${f(s.p50)} | ${f(s.p99)} | ${s.total} | ${s.failures} |`,
    ),
  ].join("\n");
  const fixedTable = [
    "| planned rate | started/s | CONFIRMED/s | p50 ms | p99 ms | max ms | orders | not CONFIRMED, by code |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...[r.belowCeiling, r.fixedRate].map((run) => {
      const x = summary(run);
      return `| ${run.label.split(" ")[0]}/s | ${f(run.startedPerS, 1)} | ${f(x.perSecond, 1)} | ${f(x.p50)} | ${f(x.p99)} | ${f(x.max)} | ${x.total} | ${x.failures} |`;
    }),
  ].join("\n");
  const cpuRows = (best.l.cpu ?? []).filter((c) => c.percent >= 0.5);
  const cpuTotal = (best.l.cpu ?? []).reduce((sum, c) => sum + c.percent, 0);
  const busiest = [...(best.l.cpu ?? [])].sort((a, b) => b.percent - a.percent)[0];
  // CPU time per CONFIRMED order: what the machine's load does not change much, unlike the rates.
  const perOrder = (percent: number): string => f((percent * 10) / best.s.perSecond);
  const cpuTable = [
    `| process (at ${best.l.label}) | CPU, % of one core | CPU ms per CONFIRMED order |`,
    "| --- | ---: | ---: |",
    ...cpuRows.map((c) => `| ${c.name} | ${f(c.percent)} | ${perOrder(c.percent)} |`),
    `| all of them (2 cores = 200 %) | ${f(cpuTotal)} | ${perOrder(cpuTotal)} |`,
  ].join("\n");
  const stepTable = [
    `| step | where | count | mean ms | p50 ms | p99 ms | mean ms at ${Math.max(...levels)} in flight |`,
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...stepRows(r.steps, r.saturatedSteps),
  ].join("\n");
  const outbox = r.outbox;
  const outboxLine =
    outbox === undefined || outbox.count === 0
      ? "no event was published during the fixed-rate run"
      : `${outbox.count} events: mean ${f((outbox.sum / outbox.count) * 1000, 1)} ms, p50 ${f(quantileMs(outbox, 0.5), 1)} ms, ` +
        `p99 ${f(quantileMs(outbox, 0.99), 1)} ms`;
  const cpuPerOrderMs = (cpuTotal * 10) / best.s.perSecond;
  const ceilingNote =
    best.s.perSecond >= target.ordersPerSecond
      ? ""
      : // What the CPU table says: a machine nearly spent, and on what, or one that waits.
        cpuTotal >= 150
        ? `The shop's processes used ${f(cpuTotal)} % of the machine's 200 %: the ceiling is CPU. A CONFIRMED order costs ` +
          `${f(cpuPerOrderMs)} ms of CPU over the processes above, ${perOrder(busiest?.percent ?? 0)} ms of it ${busiest?.name ?? "?"}'s, ` +
          `so 2 cores place about ${f(2000 / cpuPerOrderMs)} orders/s; ${target.ordersPerSecond}/s would need ` +
          `${f(2000 / target.ordersPerSecond)} ms of CPU per order for a PlaceOrder that makes six calls to other services, ` +
          `each through two sidecars, and ${orderStoreWrites} writes to the orders' database besides payment's and shipping's own. Past the ceiling, PlaceOrder is ` +
          "refused with RESOURCE_EXHAUSTED (`PLACE_ORDER_MAX_IN_FLIGHT`) rather than slowed down, so the orders taken keep " +
          "their pace. SQLite's `synchronous=NORMAL`, which FerretDB would accept in its URL, saves the fsyncs but may lose " +
          "the last commits on a power cut — accepted orders among them — and the CPU is spent before the disk: it is not used."
        : `The shop's processes used ${f(cpuTotal)} % of the machine's 200 % and an fsync took ${f(r.store.fsyncMs, 1)} ms: ` +
          "the writes are short of neither CPU nor disk, so they wait: most likely one behind the other for SQLite's " +
          "single write lock on the database.";
  const section = `<!-- bench-orders:start -->
## Whole orders: PlaceOrder through the gateway

\`make bench-orders\` (packages/devstack/bench/orders-bench.ts), measured ${new Date().toISOString().slice(0, 10)} on
${machine()}: one shop, one replica of each service, every
hop through the Envoy sidecars with mutual TLS, tracing off, FerretDB on SQLite for the orders.
Each order is placed by its own user (a token signed with the shop's key) with its own cart of
one item, added through the gateway beforehand (${r.setup.shoppers} carts, ${f(r.setup.perSecond)}/s); the
card is the one that always succeeds. An order counts when PlaceOrder answered it CONFIRMED.

Saturation: K orders in flight (each one's answer starts the next; one refused with RESOURCE_EXHAUSTED, past
the order service's \`PLACE_ORDER_MAX_IN_FLIGHT\`, 8 by default, is tried again after its RetryInfo's 1 s), ${seconds} s per
level. Here and below, p50/p99/max are those of the orders the shop took; refusals are counted by their code:

${saturationTable}

Fixed rate, open model: an order starts every 1/rate s whatever the answers, for ${seconds} s, at half the
best saturation rate (orders that do not queue) and at ${fixedRate}/s; each order's time counts from when it was due:

${fixedTable}

Where an order's time goes during the ${fixedRate}/s run, from the order service's histogram
\`order_saga_step_seconds\` on its /metrics (quantiles interpolated within its buckets): each saga step's
downstream call (through its sidecar and the callee's) and the order-store write that records its
outcome, and before the saga the request-id lookup, pricing the cart (cart and catalog) and recording
the order.

${stepTable}

Outbox, CONFIRMED (the start of its write) → the broker's acknowledgement of the event
(\`order_outbox_publish_delay_seconds\`): ${outboxLine}.

What sets the ceiling: the CPU each process of the shop used during the ${best.l.label} run (utime + stime
from /proc/<pid>/stat), and per CONFIRMED order:

${cpuTable}

Where a service's own CPU goes: \`BENCH_CPU_PROFILE=order,payment make bench-orders\` runs those services under
\`node --cpu-prof\` and prints the shares of their samples by package and by function instead of rewriting this section.

And the store's own pace, once the load was over (sagas answered UNAVAILABLE may still be finishing):
a 4 kB write and fsync of a file beside FerretDB's took ${f(r.store.fsyncMs, 1)} ms; SQLite (FerretDB's
default \`synchronous=FULL\` in WAL mode) makes one such fsync per commit, and takes one writer at a
time per database. FerretDB, in a database of its own: one write at a time (an insert or an update
by \`_id\` of a 1 kB document) ${f(r.store.serialMs, 1)} ms each; eight at a time ${f(r.store.perSecond)} writes/s,
about what the orders' database takes. An order writes ${orderStoreWrites} times to it (its open marker,
its place in its user's list and that list's top, its insert, five log entries — RESERVED, PAID, SHIPPED, CONFIRMED
with the steps after shipping and its event, the event marked published — the view's update with the last two, and the marker's removal) besides its lookup,
and the payment and shipping services write their own records to the same FerretDB process: the order
store alone caps orders at about ${f(r.store.perSecond / orderStoreWrites)}/s here.
${ceilingNote}
<!-- bench-orders:end -->`;
  process.stdout.write(`${section}\n`);
  process.stdout.write(`wrote ${writeBenchSection("orders", section)}\n`);
  const meetsRate = best.s.perSecond >= target.ordersPerSecond;
  const meetsP99 = fx.p99 < target.p99Ms && r.fixedRate.startedPerS >= target.atRate * 0.95 && fx.perSecond >= target.atRate * 0.95;
  writeBenchTargets("orders", [
    {
      target: `whole orders (PlaceOrder through the gateway) at saturation ≥ ${target.ordersPerSecond}/s on 2 cores`,
      measured: `${f(best.s.perSecond, 1)} orders/s at ${best.l.label} (p99 ${f(best.s.p99)} ms)`,
      met: meetsRate,
    },
    {
      target: `p99 of PlaceOrder < ${target.p99Ms} ms at ${target.atRate} orders/s`,
      measured: `p99 ${f(fx.p99)} ms, ${f(fx.perSecond, 1)} CONFIRMED/s of ${f(r.fixedRate.startedPerS, 1)} started/s`,
      met: meetsP99,
    },
  ]);
}

/** Where each profiled service's time went: shares of its samples, by origin and by function. */
function reportProfiles(r: Results): void {
  const orders = [...r.saturation, r.belowCeiling, r.fixedRate].reduce((n, l) => n + l.placed.filter((p) => p.outcome === "OK").length, 0);
  const out: string[] = [`${orders} orders CONFIRMED after the warm-up; profiles in ${profileDir}`];
  const rows = (shares: readonly CpuShare[], sampledMs: number, count: number) =>
    shares.slice(0, count).map((s) => `  ${f((s.ms / sampledMs) * 100, 1).padStart(5)} %  ${s.what}`);
  for (const name of profiled) {
    const dir = join(profileDir, name);
    // None from a name that is no Node service of the shop, or from a process killed before it could write one.
    const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith(".cpuprofile")) : [];
    if (files.length === 0) out.push("", `${name}: no profile written`);
    for (const file of files) {
      const { sampledMs, byOrigin, byFunction } = summarizeCpuProfile(join(dir, file));
      out.push("", `${name} (${file}), share of ${f(sampledMs / 1000, 1)} s of samples:`, " by origin:");
      out.push(...rows(byOrigin, sampledMs, 15), " by function:", ...rows(byFunction, sampledMs, 30));
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

const results = await measure();
if (profiled.length === 0) report(results);
else reportProfiles(results);
