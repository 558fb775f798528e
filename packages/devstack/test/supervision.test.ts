// The shop's supervision as `make up` records it: the cart service killed from outside comes back
// on its own, and the run-state file that `make status` reads says so, with the new pid.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { healthClient, isAlive, type SupervisionEvent } from "@shopmesh/launcher";
import { startShop, type RunningShop } from "../src/index.js";
import { shopState, stateFile, writeState, type ShopState } from "../src/state.js";

let runDir: string;
let shop: RunningShop | undefined;
const events: SupervisionEvent[] = [];

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), "shopmesh-devstack-"));
  shop = await startShop({
    base: "free",
    runDir,
    mesh: false,
    services: ["cart"],
    graceMs: 3_000,
    env: { cart: { LOG_LEVEL: "warn" } },
    supervise: { backoffMs: 200 },
    // As `make up` does: every change is written to the state file.
    onEvent: (event) => {
      events.push(event);
      if (shop !== undefined) writeState(runDir, shopState(process.pid, shop));
    },
  });
  writeState(runDir, shopState(process.pid, shop));
}, 60_000);

afterAll(async () => {
  await shop?.stop();
  rmSync(runDir, { recursive: true, force: true });
});

const recorded = (): ShopState => JSON.parse(readFileSync(stateFile(runDir), "utf8")) as ShopState;
const cartOf = (state: ShopState) => state.components.find((c) => c.name === "cart");

it("a service killed from outside is SERVING again, and the state file has its restart, last exit and new pid", async () => {
  const before = cartOf(recorded());
  expect(before).toMatchObject({ kind: "service", state: "running", restarts: 0, log: join(runDir, "logs", "cart.log") });
  expect(before).not.toHaveProperty("lastExit");
  expect(recorded().components.map((c) => c.name)).toEqual(["redis-cart", "cart"]);

  process.kill(before?.pid ?? 0, "SIGKILL");
  const deadline = Date.now() + 30_000;
  while (!events.some((e) => e.type === "ready") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

  expect(events.map((e) => `${e.component.name} ${e.type}`)).toEqual(["cart exited", "cart restarting", "cart ready"]);
  const after = cartOf(recorded());
  expect(after).toMatchObject({ state: "running", restarts: 1, lastExit: { code: null, signal: "SIGKILL" } });
  expect(after?.pid).not.toBe(before?.pid);
  expect(isAlive(after?.pid ?? 0)).toBe(true);
  const health = healthClient(shop?.serviceAddress("cart") ?? "");
  try {
    expect(await health.check()).toBe("SERVING");
  } finally {
    health.close();
  }
  expect(cartOf(recorded())).toEqual(cartOf(shopState(process.pid, shop as RunningShop)));
});
