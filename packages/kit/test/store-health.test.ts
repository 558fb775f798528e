// Health follows a real store: a kit server probing a real redis-server turns NOT_SERVING when
// Redis stops and SERVING again when it returns, without a restart.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createClient } from "@redis/client";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { captureLogs, healthClient, startRedis, type HealthProbe, type TestStore } from "@shopmesh/testkit";
import { createShopServer, register, type ShopServer } from "../src/index.js";
import { createDemoCatalog, newObserved } from "./fixtures/demo-services.js";

describe("health with a real Redis behind it", () => {
  let redis: TestStore;
  let client: ReturnType<typeof createClient>;
  let server: ShopServer;
  let health: HealthProbe;
  const logs = captureLogs();

  beforeAll(async () => {
    redis = await startRedis();
    client = createClient({
      url: redis.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 500, reconnectStrategy: () => 100 },
    });
    client.on("error", () => undefined);
    await client.connect();
    server = createShopServer({
      name: "demo",
      logger: logs.logger,
      port: 0,
      services: [register(CatalogService, createDemoCatalog(newObserved()))],
      probes: [{ name: "redis", check: async () => void (await client.ping()) }],
      probeIntervalMs: 100,
    });
    await server.start();
    health = healthClient(server.address);
  });

  afterAll(async () => {
    health.close();
    await server.stop();
    client.destroy();
    await redis.dispose();
  });

  it("is SERVING with Redis up, NOT_SERVING with it down, SERVING once it is back", async () => {
    if (!redis.managed) return; // REDIS_URL given: the test cannot stop that Redis.
    await health.waitFor("SERVING");
    await redis.stop();
    await health.waitFor("NOT_SERVING");
    expect(await health.check("shop.catalog.v1.CatalogService")).toBe("NOT_SERVING");
    expect(logs.lines().some((l) => l["msg"] === "unhealthy: not serving" && String(l["reason"]).startsWith("redis:"))).toBe(true);
    await redis.start();
    await health.waitFor("SERVING");
  });
});
