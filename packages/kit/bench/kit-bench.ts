// Benchmark (not a test): the same CatalogService handlers served by the kit (grpc-js) and by
// connect-node's server, loaded by ghz side by side in one run; then the kit's grpc-js client
// against Connect's node gRPC transport. Rewrites its section of docs/benchmarks.md and its row of the targets.
import { once } from "node:events";
import { existsSync } from "node:fs";
import http2 from "node:http2";
import { join } from "node:path";
import { pino } from "pino";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { machine, repoRoot, runGhz, writeBenchSection, writeBenchTargets } from "@shopmesh/launcher";
import { createGrpcClient, createShopServer, register } from "../src/index.js";
import { createDemoCatalog, newObserved } from "../test/fixtures/demo-services.js";

const durationS = Number(process.env["BENCH_DURATION_S"] ?? "10");
const concurrency = 100; // in-flight requests: 4 connections x 25 streams, as h2load c4 m25
const connections = 4;
const protoset = join(repoRoot, ".build", "shop.binpb");
const method = "shop.catalog.v1.CatalogService/GetProduct";
/**
 * What "well above" means in the targets table: the rps of grpc-js through the kit over connect-node's.
 * h2load measured about 5 : 1; ghz takes a larger share of the same 2 cores, which caps the faster
 * server more, and has read 1.6–2.1 : 1 here. Below 1.5 : 1 grpc-js would no longer be clearly the faster.
 */
const minServerRatio = 1.5;

interface Row {
  readonly label: string;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly errors: number;
}

async function ghz(label: string, target: string, seconds = durationS): Promise<Row> {
  return { label, ...(await runGhz({ target, protoset, call: method, data: { id: "p-1" }, concurrency, connections, seconds })) };
}

/** Calls GetProduct from `concurrency` loops for durationS seconds; returns completed calls a second. */
async function clientRps(call: () => Promise<unknown>): Promise<number> {
  const until = Date.now() + durationS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await call();
        done++;
      }
    }),
  );
  return done / durationS;
}

async function main(): Promise<void> {
  if (!existsSync(protoset)) throw new Error(`${protoset} is missing: run 'make bench-kit', which builds it`);
  const quiet = pino({ level: "silent" });
  const logged = pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }));

  const kit = createShopServer({
    name: "bench",
    logger: quiet,
    port: 0,
    services: [register(CatalogService, createDemoCatalog(newObserved()))],
  });
  await kit.start();
  const kitLogged = createShopServer({
    name: "bench",
    logger: logged,
    port: 0,
    services: [register(CatalogService, createDemoCatalog(newObserved()))],
  });
  await kitLogged.start();
  const connect = http2.createServer(
    connectNodeAdapter({ routes: (router) => router.service(CatalogService, createDemoCatalog(newObserved())) }),
  );
  connect.listen(0, "127.0.0.1");
  await once(connect, "listening");
  const connectPort = (connect.address() as { port: number }).port;

  const rows: Row[] = [];
  try {
    // Warm every server's JIT before measuring.
    await ghz("warm-up", kit.address, 2);
    await ghz("warm-up", `127.0.0.1:${connectPort}`, 2);
    await ghz("warm-up", kitLogged.address, 2);

    // Two interleaved rounds, so that the order of the runs shows rather than hides in the numbers.
    for (const round of [1, 2]) {
      rows.push(await ghz(`kit server (grpc-js), logs off — round ${round}`, kit.address));
      rows.push(await ghz(`connect-node server (gRPC protocol) — round ${round}`, `127.0.0.1:${connectPort}`));
      rows.push(await ghz(`kit server (grpc-js), one JSON log line per RPC — round ${round}`, kitLogged.address));
    }

    const kitClient = createGrpcClient(CatalogService, kit.address, { defaultTimeoutMs: 5_000 });
    const connectClient = createClient(CatalogService, createGrpcTransport({ baseUrl: `http://${kit.address}` }));
    const kitClientRps = await clientRps(() => kitClient.getProduct({ id: "p-1" }));
    const connectClientRps = await clientRps(() => connectClient.getProduct({ id: "p-1" }));
    kitClient.close();

    writeReport(rows, { kitClientRps, connectClientRps });
  } finally {
    await kit.stop();
    await kitLogged.stop();
    connect.close();
  }
}

function writeReport(rows: readonly Row[], clients: { kitClientRps: number; connectClientRps: number }): void {
  const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
  const table = [
    "| server | rps | p50 ms | p90 ms | p99 ms | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) => `| ${r.label} | ${f(r.rps, 0)} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${r.errors} |`),
  ].join("\n");
  // The kit's rounds with logs off (the first row of each round) against connect-node's, each the mean of the two.
  const kitRps = ((rows[0]?.rps ?? 0) + (rows[3]?.rps ?? 0)) / 2;
  const connectRps = ((rows[1]?.rps ?? 0) + (rows[4]?.rps ?? 0)) / 2;
  const serverRatio = kitRps / connectRps;
  const clientRatio = clients.kitClientRps / clients.connectClientRps;
  const section = `<!-- bench-kit:start -->
## Kit: grpc-js server vs connect-node server

Measured ${new Date().toISOString().slice(0, 10)} by \`make bench-kit\` on ${machine()}.
The same CatalogService.GetProduct handler (an in-memory product) served three ways, loaded one after
the other in one run by ghz over loopback: ${concurrency} requests in flight on ${connections} connections for
${durationS} s each, after a 2 s warm-up of each server. ghz runs on the same 2 cores as the server, so
absolute numbers are lower than with a load generator on another machine; the ratio is the point.

${table}

Clients, same handler on the kit server, ${concurrency} calls in flight for ${durationS} s each:

| client | calls/s |
| --- | ---: |
| kit client (grpc-js) | ${f(clients.kitClientRps, 0)} |
| Connect node gRPC transport | ${f(clients.connectClientRps, 0)} |

Server ratio grpc-js : connect-node = ${f(serverRatio, 1)} : 1 (both rounds); client ratio = ${f(clientRatio, 1)} : 1.
The ratio is smaller than the ≈ 5 : 1 measured with h2load: ghz is a heavier load generator than h2load
and takes a larger share of the same 2 cores, which caps the faster server more.
<!-- bench-kit:end -->`;
  const path = writeBenchSection("kit", section);
  writeBenchTargets("kit", [
    {
      target: `grpc-js serves well above connect-node through the kit (at least ${minServerRatio} : 1)`,
      measured: `${f(kitRps, 0)} vs ${f(connectRps, 0)} rps (the mean of two rounds under ghz, ${f(serverRatio, 1)} : 1); clients ${f(clientRatio, 1)} : 1`,
      // The kit's own rows must have answered every call; connect-node's may fail some under the load.
      met: serverRatio >= minServerRatio && rows.filter((r) => r.label.startsWith("kit")).every((r) => r.errors === 0),
    },
  ]);
  process.stdout.write(
    `${table}\n\nkit client ${f(clients.kitClientRps, 0)} calls/s, connect client ${f(clients.connectClientRps, 0)} calls/s\nwrote ${path}\n`,
  );
}

await main();
