// `make stat`: the golden metrics of the running shop (what `linkerd viz stat` shows for a mesh),
// read from its Envoys' admin ports and laid out for an 80-column terminal.
import { codeName } from "@shopmesh/kit";
import { contractMethods, type Topology } from "@shopmesh/mesh";
import { readEnvoyGrpcStats } from "./envoy-grpc-stats.js";
import { goldenMetrics, readMesh, type GoldenMetrics, type MeshEnvoy, type MethodMetrics, type ServiceInfo } from "./golden-metrics.js";
import type { ComponentRecord } from "./state.js";

/** The Envoys among `make up`'s components; a sidecar's service is its replica's name without `-<n>`. */
export function shopEnvoys(components: readonly ComponentRecord[]): MeshEnvoy[] {
  return components.flatMap((c): MeshEnvoy[] => {
    if (c.adminPort === undefined) return [];
    const replica = /^sidecar-([a-z]+)(-\d+)?$/.exec(c.name);
    return [{ name: c.name, service: replica?.[1], adminPort: c.adminPort }];
  });
}

/** Each service's methods (all of its contract) and the methods it may call, from the topology. */
export function serviceInfos(topology: Topology): ServiceInfo[] {
  return topology.services.map((s) => ({ name: s.name, service: s.service, methods: contractMethods(s), calls: s.calls }));
}

/**
 * Reads every Envoy, then again every `windowMs`, and hands `onWindow` the metrics of each window
 * until it returns false (the first window only, for a single table). `onFirstReading` runs once
 * the window has begun.
 */
export async function statShop(
  topology: Topology,
  components: readonly ComponentRecord[],
  windowMs: number,
  onWindow: (golden: GoldenMetrics) => boolean | Promise<boolean> = () => false,
  onFirstReading: () => void = () => undefined,
): Promise<GoldenMetrics> {
  const envoys = shopEnvoys(components);
  const services = serviceInfos(topology);
  let before = await readMesh(envoys, (port) => readEnvoyGrpcStats(port));
  onFirstReading();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = await readMesh(envoys, (port) => readEnvoyGrpcStats(port));
    const golden = goldenMetrics(services, envoys, before, after);
    if (!(await onWindow(golden))) return golden;
    before = after;
  }
}

const nameWidth = 34;
const columns = [
  ["REQS", 6],
  ["RPS", 7],
  ["SUCCESS", 9],
  ["P50", 7],
  ["P95", 7],
  ["P99", 7],
] as const;

/** The table: every service's methods that had calls, or one service's methods and calls out. */
export function renderGoldenMetrics(golden: GoldenMetrics, service?: string): string {
  const shown = golden.services.filter((s) => service === undefined || s.service === service);
  if (shown.length === 0)
    throw new Error(`no service ${service ?? ""}; the services are ${golden.services.map((s) => s.service).join(", ")}`);
  const lines = [
    `last ${golden.windowSeconds.toFixed(1)} s, each service's calls as its own sidecars saw them`,
    `${"SERVICE  METHOD".padEnd(nameWidth)}${columns.map(([title, width]) => title.padStart(width)).join("")}`,
  ];
  for (const s of shown) {
    const inbound = service === undefined ? s.inbound.filter((m) => m.requests > 0) : s.inbound;
    const replicas = `${s.replicasSeen} ${s.replicasSeen === 1 ? "replica" : "replicas"}`;
    const retried = s.retriedByCallers > 0 ? `, ${s.retriedByCallers} attempts retried by its callers` : "";
    lines.push(`${s.service} (${replicas}${retried})${inbound.length === 0 ? ": no calls" : ""}`);
    for (const m of inbound) lines.push(...methodLines(`  ${m.method}`, m));
    if (service !== undefined && s.outbound.length > 0) {
      lines.push(`${s.service} calls out (at its sidecars' egress)`);
      for (const m of s.outbound) lines.push(...methodLines(`  → ${m.service} ${m.method}`, m));
    }
  }
  if (golden.missing.length > 0) lines.push(`! no answer from ${golden.missing.join(", ")}: their calls are not counted`);
  return `${lines.join("\n")}\n`;
}

function methodLines(label: string, m: MethodMetrics): string[] {
  const idle = m.requests === 0;
  const cells = [
    String(m.requests),
    idle ? "-" : m.requestsPerSecond.toFixed(m.requestsPerSecond < 10 ? 2 : 1),
    m.successRate === undefined ? "-" : `${(m.successRate * 100).toFixed(m.successRate === 1 ? 0 : 1)}%`,
    milliseconds(m.p50Ms),
    milliseconds(m.p95Ms),
    milliseconds(m.p99Ms),
  ];
  const row = `${label.padEnd(nameWidth)}${cells.map((cell, i) => cell.padStart(columns[i]?.[1] ?? 0)).join("")}`;
  const failures = Object.entries(m.failures).map(([code, n]) => `${codeName(Number(code))} ${n}`);
  return failures.length === 0 ? [row] : [row, `      failed: ${failures.join(", ")}`];
}

function milliseconds(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (!Number.isFinite(ms)) return ">1h";
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(1)}s`;
  return `${ms.toFixed(ms < 10 ? 1 : 0)}ms`;
}
