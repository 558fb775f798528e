// Supervision against real processes: a redis-server killed from outside comes back, a process
// that keeps exiting is given up on, what the owner does is not a crash, and the delays grow.
// Timings are asserted only as lower bounds (a timer never fires early), so a loaded machine
// makes these tests slower, not flaky.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import {
  accepts,
  createLauncher,
  freePort,
  isAlive,
  redisServer,
  restartPolicy,
  type Component,
  type Launcher,
  type LauncherOptions,
  type SupervisionEvent,
} from "../src/index.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "shopmesh-supervision-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let launcher: Launcher | undefined;
afterEach(async () => {
  await launcher?.stop();
  launcher = undefined;
});

interface Recorded {
  readonly at: number;
  readonly event: SupervisionEvent;
  /** The component's pid as the event was told. */
  readonly pid: number;
}

/** A launcher whose supervision events are recorded, with a way to wait for one. */
function recordingLauncher(options: LauncherOptions = {}) {
  const events: Recorded[] = [];
  const onEvent = (event: SupervisionEvent): void => {
    events.push({ at: Date.now(), event, pid: launcher === undefined ? 0 : pidOf(launcher, event.component.name) });
  };
  launcher = createLauncher({ graceMs: 2_000, ...options, onEvent });
  const until = async (what: string, done: () => boolean, timeoutMs = 25_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`no ${what} after ${timeoutMs} ms; events: ${types(events).join(", ")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { launcher, events, until };
}

const types = (events: readonly Recorded[]): string[] => events.map(({ event }) => event.type);
const pidOf = (launcher: Launcher, name: string): number => launcher.running.find((r) => r.component.name === name)?.pid ?? 0;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A node process that listens on `port` on its first run; on later runs (a marker file says which)
 * it runs `later`: exit at once, or listen and exit after a while.
 */
function flaky(name: string, port: number, later: string): Component {
  const marker = join(dir, `${name}.started`);
  const listen = `require("node:net").createServer().listen(${port}, "127.0.0.1")`;
  const source = `const fs = require("node:fs"); if (fs.existsSync(${JSON.stringify(marker)})) { ${later} } else { fs.writeFileSync(${JSON.stringify(marker)}, ""); ${listen} }`;
  return { name, kind: "service", port, command: process.execPath, args: ["-e", source], ready: "tcp" };
}

describe("a supervised redis-server killed from outside", () => {
  it("is restarted, counts as running only once ready again, and tells its restart and last exit", async () => {
    const { launcher, events, until } = recordingLauncher({ logDir: join(dir, "logs") });
    const port = await freePort();
    await launcher.start([redisServer({ name: "redis-crash", port, dataDir: join(dir, "redis"), aof: false, snapshots: false })]);
    expect(launcher.status("redis-crash")).toEqual({ state: "running", restarts: 0 });
    const first = pidOf(launcher, "redis-crash");
    const before = Date.now();
    process.kill(first, "SIGKILL");

    await until("restart", () => types(events).includes("ready"));
    expect(types(events)).toEqual(["exited", "restarting", "ready"]);
    expect(events[0]?.event).toMatchObject({ type: "exited", restartInMs: 500, status: { state: "backoff", restarts: 0 } });
    expect(events[1]?.event.status.state).toBe("starting");
    const status = launcher.status("redis-crash");
    expect(status).toMatchObject({ state: "running", restarts: 1, lastExit: { code: null, signal: "SIGKILL" } });
    expect(status.lastExit?.at).toBeGreaterThanOrEqual(before);
    const second = pidOf(launcher, "redis-crash");
    expect(second).not.toBe(first);
    // Told when the new process exists, so a listener that records pids (make up's state file) has the new one.
    expect(events.map((e) => e.pid)).toEqual([first, second, second]);
    expect(isAlive(second)).toBe(true);
    expect(await accepts(port)).toBe(true);
    expect(launcher.running[0]?.status()).toEqual(status);
  });
});

describe("a component that keeps exiting", () => {
  it("is given up on after the limit, reported once with the end of its log, and not started again", async () => {
    const logDir = join(dir, "logs");
    const { launcher, events, until } = recordingLauncher({ logDir, supervise: { backoffMs: 50, maxRestarts: 3 } });
    const port = await freePort();
    await launcher.start([flaky("doomed", port, `console.error("cannot open the store"); process.exit(2)`)]);
    process.kill(pidOf(launcher, "doomed"), "SIGKILL");

    await until("crash-loop", () => types(events).includes("crash-loop"));
    expect(types(events)).toEqual(["exited", "restarting", "exited", "restarting", "exited", "restarting", "crash-loop"]);
    const last = events.at(-1)?.event;
    if (last?.type !== "crash-loop") throw new Error("the last event is not crash-loop");
    const log = join(logDir, "doomed.log");
    expect(last.error.message).toMatch(/^doomed keeps exiting: given up after 3 restarts in a row \(last code 2 at [^)]+\)/);
    expect(last.error.message).toContain(`its log is ${log}:\ncannot open the store`);
    expect(readFileSync(log, "utf8")).toContain("cannot open the store");
    expect(launcher.status("doomed")).toMatchObject({ state: "crash-loop", restarts: 3, lastExit: { code: 2, signal: null } });

    // Given up means given up: well past the next delay, nothing more happened.
    await pause(1_000);
    expect(events).toHaveLength(7);
    expect(launcher.status("doomed").restarts).toBe(3);
    expect(launcher.running[0]?.running()).toBe(false);
  });

  it("waits twice as long before each restart in a row", async () => {
    const { launcher, events, until } = recordingLauncher({ supervise: { backoffMs: 100, maxRestarts: 4 } });
    const port = await freePort();
    await launcher.start([flaky("crashy", port, "process.exit(1)")]);
    process.kill(pidOf(launcher, "crashy"), "SIGKILL");

    await until("crash-loop", () => types(events).includes("crash-loop"));
    const exits = events.filter(({ event }) => event.type === "exited");
    expect(exits.map(({ event }) => (event.type === "exited" ? event.restartInMs : undefined))).toEqual([100, 200, 400, 800]);
    const restarts = events.filter(({ event }) => event.type === "restarting");
    expect(restarts).toHaveLength(4);
    // Each restart came no sooner than its delay after the exit before it (a millisecond of timer rounding allowed).
    const waited = restarts.map((restart, i) => restart.at - (exits[i]?.at ?? Number.NaN));
    for (const [i, ms] of waited.entries()) expect(ms).toBeGreaterThanOrEqual((100 << i) - 2);
  });

  it("starts a new streak once it stayed up for `stableMs`: short delays again, never given up on", async () => {
    const { launcher, events, until } = recordingLauncher({ supervise: { backoffMs: 100, maxRestarts: 2, stableMs: 300 } });
    const port = await freePort();
    const listenThenExit = `require("node:net").createServer().listen(${port}, "127.0.0.1"); setTimeout(() => process.exit(1), 1500)`;
    await launcher.start([flaky("steady", port, listenThenExit)]);
    process.kill(pidOf(launcher, "steady"), "SIGKILL");

    // Three exits after each ran for more than stableMs: without the reset, the third would be given up on.
    await until("third exit", () => types(events).filter((t) => t === "exited").length >= 3);
    expect(types(events)).not.toContain("crash-loop");
    const delays = events.flatMap(({ event }) => (event.type === "exited" ? [event.restartInMs] : []));
    expect(delays).toEqual([100, 100, 100]);
    expect(launcher.status("steady")).toMatchObject({ state: "backoff", restarts: 2, lastExit: { code: 1 } });
  });
});

describe("what the owner does to a supervised component", () => {
  it("is no crash: kill(), SIGSTOP and SIGCONT, stop() and restart() start nothing by themselves", async () => {
    const { launcher, events } = recordingLauncher({ supervise: { backoffMs: 50 } });
    const port = await freePort();
    await launcher.start([flaky("owned", port, `require("node:net").createServer().listen(${port}, "127.0.0.1")`)]);

    launcher.signal("owned", "SIGSTOP");
    await pause(300);
    launcher.signal("owned", "SIGCONT");
    await pause(300);
    expect(launcher.status("owned")).toEqual({ state: "running", restarts: 0 });

    await launcher.kill("owned");
    await pause(300);
    expect(launcher.running[0]?.running()).toBe(false);
    expect(launcher.status("owned")).toEqual({ state: "stopped", restarts: 0 });

    await launcher.restart("owned");
    expect(launcher.status("owned")).toEqual({ state: "running", restarts: 0 });
    await launcher.stop("owned");
    await pause(300);
    expect(launcher.running[0]?.running()).toBe(false);
    expect(await accepts(port)).toBe(false);
    expect(launcher.status("owned").state).toBe("stopped");
    expect(events).toEqual([]);
  });

  it("calls off a restart that is waiting for its delay", async () => {
    const { launcher, events, until } = recordingLauncher({ supervise: { backoffMs: 1_000 } });
    const port = await freePort();
    await launcher.start([flaky("waiting", port, `require("node:net").createServer().listen(${port}, "127.0.0.1")`)]);
    process.kill(pidOf(launcher, "waiting"), "SIGKILL");
    await until("exit", () => types(events).includes("exited"));
    await launcher.stop("waiting");
    await pause(1_500);
    expect(types(events)).toEqual(["exited"]);
    expect(launcher.status("waiting")).toMatchObject({ state: "stopped", restarts: 0, lastExit: { signal: "SIGKILL" } });
    expect(await accepts(port)).toBe(false);
  });

  it("with supervision off, leaves a crashed component dead and says so", async () => {
    const { launcher, events, until } = recordingLauncher({ supervise: false });
    const port = await freePort();
    await launcher.start([flaky("unsupervised", port, "process.exit(1)")]);
    process.kill(pidOf(launcher, "unsupervised"), "SIGKILL");
    await until("exit", () => types(events).includes("exited"));
    await pause(700);
    expect(events.map(({ event }) => event)).toEqual([
      expect.objectContaining({ type: "exited", status: expect.objectContaining({ state: "exited", restarts: 0 }) }),
    ]);
    expect(events[0]?.event).not.toHaveProperty("restartInMs");
    expect(launcher.running[0]?.running()).toBe(false);
  });
});

describe("the restart policy", () => {
  it("doubles from 500 ms up to its cap, gives up after 5 in a row, and resets after a minute up", () => {
    const policy = restartPolicy();
    expect([0, 1, 2, 3, 4, 5].map((streak) => policy.delay(streak))).toEqual([500, 1_000, 2_000, 4_000, 8_000, undefined]);
    const capped = restartPolicy({ backoffMs: 1_000, maxBackoffMs: 3_000, maxRestarts: 10 });
    expect([0, 1, 2, 3, 9, 10].map((streak) => capped.delay(streak))).toEqual([1_000, 2_000, 3_000, 3_000, 3_000, undefined]);
    expect([policy.resets(59_999), policy.resets(60_000)]).toEqual([false, true]);
  });
});
