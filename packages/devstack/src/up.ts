// `make up`: starts every component in order, waits until each is healthy (showing progress),
// prints where everything is, and stops it all cleanly on Ctrl-C or SIGTERM.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { healthClient, repoRoot, startChild, waitForPort, type Child } from "@shopmesh/testkit";
import { components, type Component } from "./components.js";

const base = Number(process.env["SHOP_PORT_BASE"] ?? "7100");
if (!Number.isInteger(base) || base < 1024 || base > 65_000) {
  process.stderr.write(`SHOP_PORT_BASE must be an integer 1024..65000 (got "${process.env["SHOP_PORT_BASE"] ?? ""}")\n`);
  process.exit(1);
}
const runDir = join(repoRoot, ".run");
const logDir = join(runDir, "logs");
mkdirSync(join(runDir, "data", "ferretdb"), { recursive: true });
mkdirSync(logDir, { recursive: true });

const running: { component: Component; child: Child }[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    process.stdout.write("\nstopping…\n");
    for (const { component, child } of [...running].reverse()) {
      await child.stop(10_000);
      process.stdout.write(`  stopped ${component.name}\n`);
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

async function start(component: Component): Promise<void> {
  const started = Date.now();
  process.stdout.write(`  starting ${component.name.padEnd(16)} `);
  const child = startChild(component.command, component.args, { env: { ...process.env, ...component.env }, cwd: repoRoot });
  const log = createWriteStream(join(logDir, `${component.name}.log`), { flags: "a" });
  child.process.stdout?.pipe(log);
  child.process.stderr?.pipe(log);
  running.push({ component, child });
  const exited = (): string | undefined =>
    child.process.exitCode !== null || child.process.signalCode !== null
      ? `${component.name} exited; its log: ${join(logDir, `${component.name}.log`)}\n${child.output().slice(-2_000)}`
      : undefined;
  await waitForPort(component.port, 20_000, exited);
  if (component.health) {
    const health = healthClient(`127.0.0.1:${component.port}`);
    try {
      await health.waitFor("SERVING", "", 20_000);
    } finally {
      health.close();
    }
  }
  process.stdout.write(`ready in ${Date.now() - started} ms\n`);
}

async function main(): Promise<void> {
  const all = components(base, runDir);
  const began = Date.now();
  process.stdout.write(`shopmesh: starting ${all.length} components (logs in ${logDir})\n`);
  for (const component of all) {
    try {
      await start(component);
    } catch (err) {
      process.stdout.write("failed\n");
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      await stopAll(1);
    }
  }
  const rows = running.map(({ component, child }) => [component.name, String(child.process.pid ?? "?"), `127.0.0.1:${component.port}`, component.health ? "SERVING" : "listening"]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), 9));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  process.stdout.write(`\nall healthy in ${((Date.now() - began) / 1000).toFixed(1)} s\n\n${line(["component", "pid", "address", "health"])}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  const catalog = all.find((c) => c.name === "catalog");
  process.stdout.write(`
try:
  grpcurl -plaintext 127.0.0.1:${catalog?.port} list
  grpcurl -plaintext -d '{"page_size": 3}' 127.0.0.1:${catalog?.port} shop.catalog.v1.CatalogService/ListProducts

Ctrl-C stops everything.
`);
  // Keep running; a component that dies is reported, the rest keep serving.
  for (const { component, child } of running) {
    child.process.once("exit", (code, signal) => {
      if (!stopping) process.stderr.write(`${component.name} exited (${signal ?? `code ${code}`}); see ${join(logDir, `${component.name}.log`)}\n`);
    });
  }
}

await main();
