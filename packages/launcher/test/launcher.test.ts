// The launcher against real processes: a redis-server that must come back with its data, and
// processes that die or never become ready.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { accepts, createLauncher, freePort, isAlive, redisServer, type Component, type Launcher } from "../src/index.js";

/** A node process running `source`, ready once it listens on `port`. */
function script(name: string, port: number, source: string): Component {
  return { name, kind: "service", port, command: process.execPath, args: ["-e", source], ready: "tcp" };
}

describe("a launched redis-server", () => {
  let dir: string;
  let launcher: Launcher;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-launcher-"));
    port = await freePort();
    launcher = createLauncher({ logDir: join(dir, "logs"), graceMs: 2_000 });
    await launcher.start([redisServer({ name: "redis-test", port, dataDir: join(dir, "data"), aof: "every-write", snapshots: false })]);
  });

  afterAll(async () => {
    await launcher.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is ready once it accepts connections, and logs to <logDir>/<name>.log", async () => {
    expect(await accepts(port)).toBe(true);
    expect(launcher.running.map((r) => r.component.name)).toEqual(["redis-test"]);
    expect(launcher.output("redis-test")).toMatch(/Ready to accept connections/);
    // The log file is written as the output arrives, a moment after it is kept in memory.
    const log = (): string => readFileSync(join(dir, "logs", "redis-test.log"), "utf8");
    for (let i = 0; i < 20 && !log().includes("Ready"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(log()).toMatch(/Ready to accept connections/);
  });

  it("comes back on the same port after a crash, and stop() leaves nothing running", async () => {
    const first = launcher.running[0]?.pid ?? 0;
    await launcher.kill("redis-test");
    expect(isAlive(first)).toBe(false);
    expect(await accepts(port)).toBe(false);
    await launcher.restart("redis-test");
    const second = launcher.running[0]?.pid ?? 0;
    expect(second).not.toBe(first);
    expect(await accepts(port)).toBe(true);
    await launcher.stop();
    expect(isAlive(second)).toBe(false);
    expect(await accepts(port)).toBe(false);
  });
});

describe("a component that does not become ready", () => {
  it("is reported with its output when it exits, and the others of its start are stopped", async () => {
    const launcher = createLauncher({ readyTimeoutMs: 10_000 });
    const [goodPort, badPort] = [await freePort(), await freePort()];
    const good = script("good", goodPort, `require("node:net").createServer().listen(${goodPort}, "127.0.0.1")`);
    const bad = script("bad", badPort, `console.error("no config"); process.exit(3)`);
    await expect(launcher.start([good, bad])).rejects.toThrow(/bad exited \(code 3\) before it was ready; its output:\nno config/);
    expect(launcher.running.map((r) => [r.component.name, r.running()])).toEqual([
      ["good", false],
      ["bad", false],
    ]);
    expect(await accepts(goodPort)).toBe(false);
  });

  it("is killed after the ready timeout", async () => {
    const launcher = createLauncher({ readyTimeoutMs: 500 });
    const port = await freePort();
    const silent = script("silent", port, "setInterval(() => {}, 1000)");
    await expect(launcher.start([silent])).rejects.toThrow(/silent is not ready after 500 ms \(last: nothing listens\)/);
    expect(launcher.running[0]?.running()).toBe(false);
  });

  it("is stopped with SIGKILL when it ignores SIGTERM for longer than the grace period", async () => {
    const launcher = createLauncher({ graceMs: 300 });
    const port = await freePort();
    const source = `process.on("SIGTERM", () => {}); require("node:net").createServer().listen(${port}, "127.0.0.1")`;
    const stubborn = script("stubborn", port, source);
    await launcher.start([stubborn]);
    const began = Date.now();
    await launcher.stop();
    expect(launcher.running[0]?.process.signalCode).toBe("SIGKILL");
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
  });
});
