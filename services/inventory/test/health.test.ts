// Health and errors follow the real Redis: NOT_SERVING and UNAVAILABLE while it is stopped,
// SERVING and working calls once it is back, without restarting the service.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { eventually, healthClient, rejection, type HealthProbe } from "@shopmesh/testkit";
import { startAll, type Running } from "./helpers.js";

describe("inventory health with Redis going away", () => {
  let running: Running;
  let health: HealthProbe;

  beforeAll(async () => {
    running = await startAll({ PROBE_INTERVAL_MS: "100", RESERVATION_SWEEP_INTERVAL_MS: "100" });
    health = healthClient(running.app.server.address);
  });

  afterAll(async () => {
    health.close();
    await running.stop();
  });

  it("is NOT_SERVING and answers UNAVAILABLE while Redis is down, and recovers when it returns", async () => {
    if (!running.redis.managed) return; // REDIS_URL given: the test cannot stop that Redis.
    const { client } = running;
    await health.waitFor("SERVING");
    await health.waitFor("SERVING", "shop.inventory.v1.InventoryService");
    await client.setStock({ sku: "HEALTH-1", available: 3 });

    await running.redis.stop();
    await health.waitFor("NOT_SERVING");
    expect(await health.check("shop.inventory.v1.InventoryService")).toBe("NOT_SERVING");
    const err = await rejection(client.reserveStock({ orderId: "o-outage", lines: [{ sku: "HEALTH-1", quantity: 1 }] }));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe("inventory store is unavailable; try again shortly");

    await running.redis.start();
    await health.waitFor("SERVING");
    // The test Redis keeps no data across a restart; the service works on with an empty one
    // (and its scripts, no longer cached there, are sent again).
    // Only UNAVAILABLE means "not back yet": any other outcome ends the wait, and must be success.
    const outcome = await eventually(() =>
      client.setStock({ sku: "HEALTH-1", available: 3 }).then(
        () => "stock set",
        (e: unknown) => (e instanceof ConnectError && e.code === Code.Unavailable ? false : e),
      ),
    );
    expect(outcome).toBe("stock set");
    const { reservation } = await client.reserveStock({ orderId: "o-after", lines: [{ sku: "HEALTH-1", quantity: 1 }] });
    expect(reservation?.orderId).toBe("o-after");
  });
});
