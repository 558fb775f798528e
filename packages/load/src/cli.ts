// `make load SHOPPERS=20 DURATION=60s [RATE=5] [THINK=200-800] [GATEWAY=host:port]`: virtual
// shoppers against the running shop (`make up`), a live line on stderr while they shop, and the
// tables on stdout at the end (or at Ctrl-C).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "@shopmesh/launcher";
import { loadTopology } from "@shopmesh/mesh";
import { LoadSetupError, startLoad, type LoadOptions } from "./load.js";
import { liveLine, renderResult } from "./report.js";
import { stepNames, type ScenarioMix, type StepName } from "./scenario.js";

/** What the command line asks for; a LoadSetupError says what is wrong with it. */
function parseCli(args: readonly string[]): {
  options: Omit<LoadOptions, "gateway" | "tokens">;
  gateway: string | undefined;
  runDir: string;
} {
  const { values } = parseArgs({
    args: [...args],
    options: {
      shoppers: { type: "string", default: "" },
      duration: { type: "string", default: "" },
      rate: { type: "string", default: "" },
      think: { type: "string", default: "" },
      mix: { type: "string", default: "" },
      gateway: { type: "string", default: "" },
      "run-dir": { type: "string", default: join(repoRoot, ".run") },
    },
  });
  const shoppers = values.shoppers === "" ? 20 : Number(values.shoppers);
  if (!Number.isInteger(shoppers) || shoppers < 1) throw new LoadSetupError(`SHOPPERS=${values.shoppers}: expected a whole number ≥ 1`);
  const durationMs = values.duration === "" ? 60_000 : durationOf(values.duration);
  const rate = values.rate === "" ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new LoadSetupError(`RATE=${values.rate}: expected arrivals per second > 0`);
  return {
    options: {
      shoppers,
      ...(durationMs === 0 ? {} : { durationMs }),
      ...(rate === undefined ? {} : { rate }),
      ...(values.think === "" ? {} : { thinkTimeMs: thinkOf(values.think) }),
      ...(values.mix === "" ? {} : { mix: mixOf(values.mix) }),
    },
    gateway: values.gateway === "" ? undefined : values.gateway,
    runDir: values["run-dir"],
  };
}

/** "60s", "2m", "1h", "500ms" or plain seconds; 0: until Ctrl-C. */
function durationOf(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new LoadSetupError(`DURATION=${text}: expected e.g. 60s, 2m, 1h or 0 (until Ctrl-C)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

/** "200-800" (ms, drawn uniformly) or "500". */
function thinkOf(text: string): number | { min: number; max: number } {
  const [min, max] = text.split("-").map(Number);
  if (min === undefined || !(min >= 0) || (max !== undefined && !(max >= min))) {
    throw new LoadSetupError(`THINK=${text}: expected milliseconds, e.g. 500 or 200-800`);
  }
  return max === undefined ? min : { min, max };
}

/** "browse=1,search=0.5,checkout=0.3": the steps a visit takes, with their chances. */
function mixOf(text: string): ScenarioMix {
  const mix: Partial<Record<StepName, number>> = {};
  for (const part of text.split(",")) {
    const [name, chance] = part.split("=");
    if (!stepNames.includes(name as StepName) || !(Number(chance) >= 0 && Number(chance) <= 1)) {
      throw new LoadSetupError(`MIX=${text}: expected step=chance pairs (chance 0..1), steps: ${stepNames.join(", ")}`);
    }
    mix[name as StepName] = Number(chance);
  }
  return mix;
}

/** The gateway `make up` runs, from .run/shop.json (packages/devstack/src/state.ts), if its process is alive. */
function runningGateway(runDir: string): string | undefined {
  const file = join(runDir, "shop.json");
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, "utf8")) as { pid: number; gateway: string };
  try {
    process.kill(state.pid, 0);
  } catch {
    return undefined;
  }
  return state.gateway;
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const gateway = cli.gateway ?? runningGateway(cli.runDir);
  if (gateway === undefined) throw new LoadSetupError("shopmesh is not running: start it with `make up` in another terminal first");
  const { issuer, audience } = loadTopology(join(repoRoot, "deploy", "topology.yaml")).gateway.jwt;
  const tokens = { signingKeyFile: join(cli.runDir, "keys", "jwt-es256.pem"), issuer, audience };
  const load = await startLoad({ ...cli.options, gateway, tokens });

  const tty = process.stderr.isTTY;
  const show = (): void => {
    const line = liveLine(load.progress(), cli.options.shoppers);
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const live = setInterval(show, 1_000);
  const interrupted = (): void => {
    process.off("SIGINT", interrupted);
    void load.stop();
  };
  process.on("SIGINT", interrupted);
  const result = await load.done;
  clearInterval(live);
  process.off("SIGINT", interrupted);
  if (tty) process.stderr.write("\r\x1b[2K");
  process.stdout.write(renderResult(result));
}

main().catch((err: unknown) => {
  // What the user can fix is one line; anything else is a bug, with its stack.
  const known = err instanceof LoadSetupError || (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"));
  process.stderr.write(`make load: ${known ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
