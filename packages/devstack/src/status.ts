// `make status`: what `make up` started, whether each part answers, and how often it was restarted;
// `make down` stops it.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describeExit, healthClient, isAlive, repoRoot } from "@shopmesh/launcher";
import { loadTopology } from "@shopmesh/mesh";
import { consumerReports, renderConsumerReports } from "./broker-report.js";
import { createFaultSwitch, describeState, sidecarAdmins } from "./fault-switch.js";
import { stateFile, type ComponentRecord, type ShopState } from "./state.js";

const file = stateFile(join(repoRoot, ".run"));
if (!existsSync(file)) {
  process.stdout.write("shopmesh is not running (no .run/shop.json); start it with `make up`\n");
  process.exit(process.argv[2] === "down" ? 0 : 1);
}
const state = JSON.parse(readFileSync(file, "utf8")) as ShopState;

if (process.argv[2] === "down") {
  if (isAlive(state.pid)) {
    process.kill(state.pid, "SIGTERM");
    process.stdout.write(`asked make up (pid ${state.pid}) to stop everything\n`);
  } else {
    process.stdout.write("make up is no longer running\n");
  }
  process.exit(0);
}

/** How its last exit it was not asked for went, and when (local time): "SIGKILL 14:02:11". */
const lastExit = (c: ComponentRecord): string =>
  c.lastExit === undefined ? "" : `${describeExit(c.lastExit)} ${new Date(c.lastExit.at).toTimeString().slice(0, 8)}`;

/** Whether it answers: a service's grpc.health.v1, an Envoy's admin /ready, the broker's /healthz, else that its process lives. */
async function probe(c: ComponentRecord): Promise<string> {
  // What supervision says first: a component waiting to be restarted, or given up on, has no live process.
  if (c.state === "crash-loop") return "CRASH-LOOP";
  if (c.state === "backoff" || c.state === "starting") return "RESTARTING";
  if (!isAlive(c.pid)) return "DEAD";
  if (c.kind === "service") {
    const health = healthClient(c.socket === undefined ? `127.0.0.1:${c.port}` : `unix:${c.socket}`);
    const status = await health.check("").catch(() => "NO ANSWER");
    health.close();
    return status;
  }
  if (c.kind === "broker" && state.brokerMonitor !== undefined) {
    return fetch(`${state.brokerMonitor}/healthz?js-enabled-only=true`).then(
      (r) => (r.ok ? "LIVE" : `HTTP ${r.status}`),
      () => "NO ANSWER",
    );
  }
  if (c.adminPort !== undefined) {
    return fetch(`http://127.0.0.1:${c.adminPort}/ready`).then(
      (r) => (r.ok ? "LIVE" : `HTTP ${r.status}`),
      () => "NO ANSWER",
    );
  }
  return "running";
}

// At most 79 columns with the shop's longest names; where each answers is in `make up`'s table.
const rows = [["NAME", "KIND", "PID", "STATUS", "RESTARTS", "LAST EXIT"]];
const statuses = await Promise.all(state.components.map(probe));
state.components.forEach((c, i) => {
  rows.push([c.name, c.kind, String(c.pid), statuses[i] ?? "", String(c.restarts), lastExit(c)]);
});
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
for (const row of rows)
  process.stdout.write(
    `${row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()}\n`,
  );

const healthy = statuses.every((s) => ["running", "SERVING", "LIVE"].includes(s));
for (const c of state.components.filter((c) => c.state === "crash-loop")) {
  process.stdout.write(`! ${c.name} kept exiting and is no longer restarted; its log: ${relative(repoRoot, c.log)}\n`);
}
process.stdout.write(`gateway ${state.gateway}: ${healthy ? "all healthy" : "NOT all healthy"}\n`);
// Each event consumer's lag (events it has not been given yet) and its dead letters.
if (state.brokerMonitor !== undefined) {
  const reports = await consumerReports(state.brokerMonitor).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  process.stdout.write(
    typeof reports === "string" ? `events: the broker does not answer (${reports})\n` : `\n${renderConsumerReports(reports)}`,
  );
}
// Scenarios switched on (make fault), read from the sidecars that answer.
const faults = createFaultSwitch(loadTopology(join(repoRoot, "deploy", "topology.yaml")).faults, sidecarAdmins(state));
const on = (await faults.list().catch(() => [])).filter((s) => s.on.length > 0);
for (const s of on) process.stdout.write(`fault scenario on: ${s.name}, ${describeState(s)} (make fault OFF=${s.name})\n`);
process.exit(healthy ? 0 : 1);
