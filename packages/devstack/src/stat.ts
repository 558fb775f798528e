// `make stat [NAME=<service>] [WATCH=1]`: golden metrics per service and method of the shop that
// `make up` runs, from two readings of every Envoy's stats a window apart.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isAlive, repoRoot } from "@shopmesh/launcher";
import { loadTopology } from "@shopmesh/mesh";
import { renderGoldenMetrics, statShop } from "./stat-report.js";
import { stateFile, type ShopState } from "./state.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    watch: { type: "boolean", default: false },
    window: { type: "string", default: "10" },
    "run-dir": { type: "string", default: join(repoRoot, ".run") },
  },
});
const service = positionals[0] === undefined || positionals[0] === "" ? undefined : positionals[0];
const windowSeconds = Number(values.window);
if (!Number.isFinite(windowSeconds) || windowSeconds < 0.1 || windowSeconds > 3_600) {
  process.stderr.write(`--window must be seconds 0.1..3600 (got "${values.window}")\n`);
  process.exit(2);
}

const file = stateFile(values["run-dir"]);
if (!existsSync(file)) {
  process.stdout.write("shopmesh is not running (no .run/shop.json); start it with `make up`\n");
  process.exit(1);
}
const state = JSON.parse(readFileSync(file, "utf8")) as ShopState;
if (!isAlive(state.pid)) {
  process.stdout.write(`shopmesh is not running (make up, pid ${state.pid}, is gone); start it with \`make up\`\n`);
  process.exit(1);
}
const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
if (service !== undefined && !topology.services.some((s) => s.name === service)) {
  process.stderr.write(`no service ${service}; the services are ${topology.services.map((s) => s.name).join(", ")}\n`);
  process.exit(2);
}

await statShop(
  topology,
  state.components,
  windowSeconds * 1_000,
  (golden) => {
    // In watch mode each table replaces the last one on the screen.
    process.stdout.write(`${values.watch ? "\x1b[2J\x1b[H" : ""}${renderGoldenMetrics(golden, service)}`);
    return values.watch;
  },
  // On stderr, so that stdout is the table alone.
  () => process.stderr.write(`counting calls for ${windowSeconds} s${values.watch ? ", again and again (Ctrl-C stops)" : ""}…\n`),
);
