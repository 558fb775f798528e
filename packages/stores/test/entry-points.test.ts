// Each driver's entry point loads that driver only: a Redis service does not pay for the MongoDB
// driver's modules (about 6 MiB of heap and RSS), nor a MongoDB service for the Redis client's.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "@jest/globals";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "src");

/** The CommonJS modules of each driver that a fresh Node process holds after importing `entry`. */
async function driversLoadedBy(entry: string): Promise<{ mongodb: number; redis: number }> {
  const script = `
    await import(${JSON.stringify(join(dist, entry))});
    const loaded = Object.keys((await import("node:module")).createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      mongodb: loaded.filter((m) => m.includes("/node_modules/mongodb/")).length,
      redis: loaded.filter((m) => m.includes("/node_modules/@redis/")).length,
    }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
  return JSON.parse(stdout) as { mongodb: number; redis: number };
}

describe("the entry points", () => {
  it("@shopmesh/stores/mongo loads the MongoDB driver and not the Redis client", async () => {
    const loaded = await driversLoadedBy("mongo.js");
    expect(loaded.mongodb).toBeGreaterThan(0);
    expect(loaded.redis).toBe(0);
  });

  it("@shopmesh/stores/redis loads the Redis client and not the MongoDB driver", async () => {
    const loaded = await driversLoadedBy("redis.js");
    expect(loaded.redis).toBeGreaterThan(0);
    expect(loaded.mongodb).toBe(0);
  });
});
