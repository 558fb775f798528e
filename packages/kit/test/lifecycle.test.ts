// The one service lifecycle: what startService closes when a start fails, and the order of a
// stop (health NOT_SERVING, the server drained, background loops stopped, resources closed in
// reverse), observed from outside the way an operator or a client would.
import { describe, expect, it } from "@jest/globals";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { captureLogs, healthClient } from "@shopmesh/testkit";
import { register, serverConfig, serverEnvShape, parseEnv, startService, type ServerConfig } from "../src/index.js";
import { createDemoCatalog, newObserved } from "./fixtures/demo-services.js";

const server: ServerConfig = serverConfig(parseEnv(serverEnvShape, { GRPC_PORT: "0", PROBE_INTERVAL_MS: "50", SHUTDOWN_GRACE_MS: "500" }));
const demo = () => register(CatalogService, createDemoCatalog(newObserved()));

function recorder() {
  const events: string[] = [];
  const resource = (name: string) => ({ close: () => void events.push(`close ${name}`) });
  return { events, resource };
}

describe("startService", () => {
  it("closes what build opened, in reverse, when a later step of build fails", async () => {
    const { events, resource } = recorder();
    const logs = captureLogs();
    const start = startService("demo", server, logs.logger, async (resources) => {
      resources.own("store", resource("store"));
      resources.own("client", resource("client"));
      throw new Error("index creation failed");
    });
    await expect(start).rejects.toThrow("index creation failed");
    expect(events).toEqual(["close client", "close store"]);
  });

  it("closes everything when the port cannot be bound, and starts no background loop", async () => {
    const { events, resource } = recorder();
    const logs = captureLogs();
    const first = await startService("demo", server, logs.logger, async () => ({ services: [demo()] }));
    try {
      const taken: ServerConfig = { ...server, port: first.server.port };
      const start = startService("demo", taken, logs.logger, async (resources) => {
        resources.own("store", resource("store"));
        return {
          services: [demo()],
          background: [
            () => {
              events.push("loop started");
              return { stop: () => void events.push("loop stopped") };
            },
          ],
        };
      });
      await expect(start).rejects.toThrow();
      expect(events).toEqual(["close store"]);
    } finally {
      await first.stop();
    }
  });

  it("stops in order: not serving, server down, background loops, then resources in reverse", async () => {
    const { events, resource } = recorder();
    const logs = captureLogs();
    const running = await startService("demo", server, logs.logger, async (resources) => {
      resources.own("store", resource("store"));
      resources.onStop("work in flight", () => void events.push(`drain, serving=${String(running?.server.serving)}`));
      resources.own("client", resource("client"));
      return {
        services: [demo()],
        probes: [{ name: "store", check: async () => undefined }],
        background: [() => ({ stop: () => void events.push(`loop stopped, serving=${String(running?.server.serving)}`) })],
      };
    });
    const health = healthClient(running.server.address);
    try {
      await health.waitFor("SERVING");
      const stopped = running.stop();
      // A second stop is the same stop, not a second close of everything.
      expect(running.stop()).toBe(stopped);
      await stopped;
    } finally {
      health.close();
    }
    expect(events).toEqual(["loop stopped, serving=false", "close client", "drain, serving=false", "close store"]);
  });

  it("still closes the rest when one close fails, and reports the failure", async () => {
    const { events, resource } = recorder();
    const logs = captureLogs();
    const running = await startService("demo", server, logs.logger, async (resources) => {
      resources.own("store", resource("store"));
      resources.onStop("client", () => Promise.reject(new Error("close failed")));
      return { services: [demo()] };
    });
    await expect(running.stop()).rejects.toThrow("close failed");
    expect(events).toEqual(["close store"]);
    expect(logs.lines().some((line) => line["msg"] === "shutdown step failed" && line["step"] === "client")).toBe(true);
  });
});
