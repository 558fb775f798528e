// `make status`: what `make up` started and whether each part answers; `make down` stops it.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { healthClient, isAlive, repoRoot } from "@shopmesh/launcher";
import { stateFile, type ShopState } from "./state.js";

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

/** Where a component answers: a service in the mesh only on its Unix socket, behind its sidecar. */
const where = (c: ShopState["components"][number]): string =>
  c.socket === undefined ? `127.0.0.1:${c.port}` : `unix:${relative(join(repoRoot, ".run"), c.socket)}`;

let healthy = true;
for (const c of state.components) {
  let status = isAlive(c.pid) ? "running" : "DEAD";
  if (status === "running" && c.kind === "service") {
    const health = healthClient(c.socket === undefined ? `127.0.0.1:${c.port}` : `unix:${c.socket}`);
    status = await health.check("").catch(() => "NO ANSWER");
    health.close();
  } else if (status === "running" && c.adminPort !== undefined) {
    status = await fetch(`http://127.0.0.1:${c.adminPort}/ready`).then(
      (r) => (r.ok ? "LIVE" : `HTTP ${r.status}`),
      () => "NO ANSWER",
    );
  }
  if (!["running", "SERVING", "LIVE"].includes(status)) healthy = false;
  process.stdout.write(`${c.name.padEnd(22)} ${c.kind.padEnd(8)} pid ${String(c.pid).padEnd(8)} ${where(c).padEnd(28)} ${status}\n`);
}
process.stdout.write(`gateway ${state.gateway}: ${healthy ? "all healthy" : "NOT all healthy"}\n`);
process.exit(healthy ? 0 : 1);
