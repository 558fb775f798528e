// `make fault`: lists the failure scenarios and where each is on, read back from the running
// sidecars; `make fault ON=<name> [PERCENT=n] [DELAY_MS=n] [CODE=NAME]` switches one on,
// `make fault OFF=<name|all>` off. Straight to the sidecars' admin ports in .run/shop.json.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "@shopmesh/launcher";
import { loadTopology } from "@shopmesh/mesh";
import { createFaultSwitch, describeState, sidecarAdmins } from "./fault-switch.js";
import { stateFile, type ShopState } from "./state.js";

const { values } = parseArgs({
  options: {
    on: { type: "string" },
    off: { type: "string" },
    percent: { type: "string" },
    "delay-ms": { type: "string" },
    code: { type: "string" },
  },
});
const given = (v: string | undefined): string | undefined => (v === undefined || v === "" ? undefined : v);
const file = stateFile(join(repoRoot, ".run"));
if (!existsSync(file)) {
  process.stderr.write("the shop is not running here: start it with make up\n");
  process.exit(1);
}
const state = JSON.parse(readFileSync(file, "utf8")) as ShopState;
const faults = createFaultSwitch(loadTopology(join(repoRoot, "deploy", "topology.yaml")).faults, sidecarAdmins(state));

const number = (name: string, v: string | undefined): number | undefined => {
  if (given(v) === undefined) return undefined;
  if (!/^\d+$/.test(v ?? "")) {
    process.stderr.write(`${name} must be a whole number (got "${v}")\n`);
    process.exit(2);
  }
  return Number(v);
};

try {
  const on = given(values.on);
  const off = given(values.off);
  if (on !== undefined && off !== undefined) throw new Error("give ON= or OFF=, not both");
  if (on !== undefined) {
    const s = await faults.on(on, {
      percent: number("PERCENT", values.percent),
      delayMs: number("DELAY_MS", values["delay-ms"]),
      code: given(values.code),
    });
    process.stdout.write(`${s.name}: ${describeState(s)}\n`);
  } else if (off !== undefined) {
    await faults.off(off);
    process.stdout.write(`${off === "all" ? "every scenario" : off}: off\n`);
  } else {
    const width = Math.max(...faults.scenarios.map((s) => s.name.length));
    for (const s of await faults.list())
      process.stdout.write(`${s.name.padEnd(width)}  ${describeState(s).padEnd(10)}  ${s.description}\n`);
    process.stdout.write("\nmake fault ON=<name> [PERCENT=n] [DELAY_MS=n] [CODE=INTERNAL] · make fault OFF=<name|all>\n");
  }
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${/fetch failed/.test(message) ? "could not reach the sidecars; is make up still running?" : message}\n`);
  process.exit(1);
}
