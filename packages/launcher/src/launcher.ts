// Starts components together and waits until each is ready; restarts, stops or kills them by name;
// stops everything it started in reverse order, so that nothing is left running. A component that
// exits by itself once ready is started again after a growing delay, and given up on if it keeps exiting.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { startChild, type Child } from "./child.js";
import type { Component } from "./component.js";
import { healthClient } from "./health.js";
import { accepts } from "./ports.js";
import {
  describeExit,
  restartPolicy,
  type ComponentState,
  type ComponentStatus,
  type ExitRecord,
  type SupervisionEvent,
  type SupervisionOptions,
} from "./supervision.js";
import { repoRoot } from "./tools.js";

type Env = Readonly<Record<string, string>>;
/** An event without what emit() adds to each. */
type EventBody = SupervisionEvent extends infer E ? (E extends SupervisionEvent ? Omit<E, "component" | "status"> : never) : never;

export interface LauncherOptions {
  /** Each component's stdout and stderr are appended to <logDir>/<name>.log as well as kept in memory. */
  readonly logDir?: string;
  /** Extra environment per component name, on top of the component's own (e.g. short intervals in tests). */
  readonly env?: Readonly<Record<string, Env>>;
  /** How long a component may take to become ready (default 30 s). */
  readonly readyTimeoutMs?: number;
  /** How long a stopped component has between SIGTERM and SIGKILL (default 10 s). */
  readonly graceMs?: number;
  /** Called as each component starts and becomes ready (not when supervision restarts it: see `onEvent`). */
  readonly onProgress?: (component: Component, event: "starting" | "ready", elapsedMs: number) => void;
  /**
   * A component that exits by itself once it was ready is started again, with the same environment,
   * after a delay that doubles with each restart in a row (true, the default, or these settings);
   * false: it stays dead, for tests that crash a process on purpose and start it themselves.
   */
  readonly supervise?: boolean | SupervisionOptions;
  /** Called as supervision acts. Without it, a component given up on is reported on stderr. */
  readonly onEvent?: (event: SupervisionEvent) => void;
}

export interface Launched {
  readonly component: Component;
  readonly process: ChildProcess;
  readonly pid: number;
  /** What it wrote (stdout and stderr, the last 20 kB). */
  output(): string;
  running(): boolean;
  status(): ComponentStatus;
}

export interface Launcher {
  /** Starts `components` all at once and resolves when every one is ready; if one is not, stops them all and rejects. */
  start(components: readonly Component[]): Promise<void>;
  /** Stops a component if it runs and starts it again (with `env` on top, this time only) until ready. */
  restart(name: string, env?: Env): Promise<void>;
  /** Stops one component (it can be restarted), or everything, last started first. */
  stop(name?: string): Promise<void>;
  /** SIGKILL, as a crash would; but asked for, so it is not restarted. */
  kill(name: string): Promise<void>;
  /** SIGSTOP (hangs it with its port open) or SIGCONT. */
  signal(name: string, signal: "SIGSTOP" | "SIGCONT" | "SIGHUP"): void;
  /** What a component wrote, for failure messages ("" if it never started). */
  output(name: string): string;
  /** A component's state, restarts and last exit. */
  status(name: string): ComponentStatus;
  /** Every component started, in start order, with its current process. */
  readonly running: readonly Launched[];
}

interface Entry {
  readonly component: Component;
  /** Which start() call launched it: stop() goes through these in reverse. */
  readonly batch: number;
  child: Child;
  /** The extra environment its process was started with: a restart after a crash uses it again. */
  env: Env;
  state: ComponentState;
  restarts: number;
  /** Restarts in a row: the backoff grows with it, and at the policy's limit the component is given up on. */
  streak: number;
  readyAt: number | undefined;
  lastExit: ExitRecord | undefined;
  /** The pending restart after a crash, or the restart under way. */
  timer: NodeJS.Timeout | undefined;
  recovering: Promise<void> | undefined;
}

export function createLauncher(options: LauncherOptions = {}): Launcher {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const graceMs = options.graceMs ?? 10_000;
  const supervising = options.supervise !== false;
  const policy = restartPolicy(typeof options.supervise === "object" ? options.supervise : {});
  const entries = new Map<string, Entry>();
  /** Processes the owner stopped or killed: their exit is not a crash. */
  const asked = new WeakSet<Child>();
  let batches = 0;
  /** While stop() stops everything, an exit (of a process whose store just went away) is not restarted. */
  let halting = false;

  const spawn = (component: Component, env: Env): Child => {
    for (const dir of component.dirs ?? []) mkdirSync(dir, { recursive: true });
    // Only what the component says (and PATH): a variable left in the developer's shell, such as
    // GRPC_HOST=0.0.0.0 or SAGA_CRASH_AFTER, must not change what runs.
    const child = startChild(component.command, component.args, {
      env: { PATH: process.env["PATH"] ?? "", ...component.env, ...options.env?.[component.name], ...env },
      cwd: repoRoot,
    });
    if (options.logDir !== undefined) {
      mkdirSync(options.logDir, { recursive: true });
      const log = createWriteStream(logPath(component), { flags: "a" });
      child.process.stdout?.pipe(log, { end: false });
      child.process.stderr?.pipe(log, { end: false });
      child.process.once("close", () => log.end());
    }
    return child;
  };

  const logPath = (component: Component): string => join(options.logDir ?? "", `${component.name}.log`);
  const where = (component: Component): string => (options.logDir === undefined ? "its output" : `its log is ${logPath(component)}`);

  const statusOf = (entry: Entry): ComponentStatus => ({
    state: entry.state,
    restarts: entry.restarts,
    ...(entry.lastExit === undefined ? {} : { lastExit: entry.lastExit }),
  });

  const emit = (entry: Entry, event: EventBody): void => {
    const full = { ...event, component: entry.component, status: statusOf(entry) } as SupervisionEvent;
    if (options.onEvent === undefined) {
      if (full.type === "crash-loop") process.stderr.write(`${full.error.message}\n`);
      return;
    }
    try {
      options.onEvent(full);
    } catch (err) {
      // A failing listener must not stop supervision, nor crash the launching process from a timer.
      process.stderr.write(`launcher: onEvent failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  };

  /** The component's process `child` becomes its current one; an exit it was not asked for, once it was ready, is a crash. */
  const adopt = (entry: Entry, child: Child): void => {
    entry.child = child;
    child.process.once("exit", (code, signal) => {
      if (entry.child !== child || asked.has(child) || entry.state !== "running") return;
      crashed(entry, { code, signal, at: Date.now() });
    });
  };

  const awaitReady = async (entry: Entry, began: number, progress: boolean): Promise<void> => {
    const { child, component } = entry;
    entry.state = "starting";
    entry.readyAt = undefined;
    try {
      await waitReady(component, child, readyTimeoutMs, where(component));
      // Its exit may have come in while the last check was answered.
      if (!child.running()) throw new Error(`${component.name} exited (${describeExit(exitOf(child))}) as it became ready`);
    } catch (err) {
      if (entry.child === child && !asked.has(child)) entry.state = "exited";
      throw err;
    }
    entry.state = "running";
    entry.readyAt = Date.now();
    if (progress) options.onProgress?.(component, "ready", Date.now() - began);
  };

  const launch = async (component: Component, batch: number): Promise<void> => {
    options.onProgress?.(component, "starting", 0);
    const began = Date.now();
    const entry: Entry = {
      component,
      batch,
      child: spawn(component, {}),
      env: {},
      state: "starting",
      restarts: 0,
      streak: 0,
      readyAt: undefined,
      lastExit: undefined,
      timer: undefined,
      recovering: undefined,
    };
    entries.set(component.name, entry);
    adopt(entry, entry.child);
    await awaitReady(entry, began, true);
  };

  /** The owner starts `entry`'s component again, in place. */
  const relaunch = async (entry: Entry, env: Env): Promise<void> => {
    options.onProgress?.(entry.component, "starting", 0);
    const began = Date.now();
    entry.env = env;
    adopt(entry, spawn(entry.component, env));
    await awaitReady(entry, began, true);
  };

  const crashed = (entry: Entry, exit: ExitRecord): void => {
    entry.lastExit = exit;
    if (entry.readyAt !== undefined && policy.resets(exit.at - entry.readyAt)) entry.streak = 0;
    entry.readyAt = undefined;
    scheduleRestart(entry);
  };

  const scheduleRestart = (entry: Entry): void => {
    if (!supervising || halting) {
      entry.state = "exited";
      emit(entry, { type: "exited" });
      return;
    }
    const delay = policy.delay(entry.streak);
    if (delay === undefined) {
      entry.state = "crash-loop";
      const exit =
        entry.lastExit === undefined ? "" : ` (last ${describeExit(entry.lastExit)} at ${new Date(entry.lastExit.at).toISOString()})`;
      const message = `${entry.component.name} keeps exiting: given up after ${entry.streak} restarts in a row${exit}; ${where(entry.component)}:`;
      emit(entry, { type: "crash-loop", error: new Error(`${message}\n${entry.child.output().slice(-2_000)}`) });
      return;
    }
    entry.streak++;
    entry.state = "backoff";
    emit(entry, { type: "exited", restartInMs: delay });
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      const recovering = recover(entry);
      entry.recovering = recovering;
      void recovering.finally(() => {
        if (entry.recovering === recovering) entry.recovering = undefined;
      });
    }, delay);
  };

  /** A restart after a crash, health-gated as the first start was; one that fails counts as another crash. */
  const recover = async (entry: Entry): Promise<void> => {
    entry.restarts++;
    const began = Date.now();
    try {
      adopt(entry, spawn(entry.component, entry.env));
      entry.state = "starting";
      // Told once its new process exists: a listener that records the pid records the new one.
      emit(entry, { type: "restarting" });
      await awaitReady(entry, began, false);
    } catch {
      const { child } = entry;
      if (asked.has(child)) return;
      entry.lastExit = { ...exitOf(child), at: Date.now() };
      scheduleRestart(entry);
      return;
    }
    emit(entry, { type: "ready" });
  };

  /** The owner's stop or kill: whatever supervision was about to do or doing is called off first. */
  const halt = async (entry: Entry, how: "stop" | "kill"): Promise<void> => {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    const { child } = entry;
    asked.add(child);
    await (how === "kill" ? child.kill() : child.stop(graceMs));
    await entry.recovering;
    entry.state = "stopped";
  };

  const entry = (name: string): Entry => {
    const found = entries.get(name);
    if (found === undefined) throw new Error(`no component ${name}`);
    return found;
  };

  const stopBatch = (batch: readonly Entry[]): Promise<unknown> => Promise.all(batch.map((e) => halt(e, "stop")));

  return {
    async start(components) {
      const batch = batches++;
      for (const component of components) {
        if (entries.get(component.name)?.child.running() === true) throw new Error(`${component.name} is already running`);
      }
      // A component started anew is no longer waiting for a restart of its old process.
      await stopBatch(components.flatMap((c) => entries.get(c.name) ?? []));
      const results = await Promise.allSettled(components.map((component) => launch(component, batch)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed !== undefined) {
        await stopBatch(components.flatMap((c) => entries.get(c.name) ?? []));
        throw failed.reason;
      }
    },
    async restart(name, env = {}) {
      const found = entry(name);
      await halt(found, "stop");
      // The owner took over: its next crash starts a new streak.
      found.streak = 0;
      await relaunch(found, env);
    },
    async stop(name) {
      if (name !== undefined) return halt(entry(name), "stop");
      halting = true;
      try {
        for (let batch = batches - 1; batch >= 0; batch--) await stopBatch([...entries.values()].filter((e) => e.batch === batch));
      } finally {
        halting = false;
      }
      return undefined;
    },
    kill: (name) => halt(entry(name), "kill"),
    signal: (name, signal) => {
      const { child } = entry(name);
      if (child.running()) child.process.kill(signal);
    },
    output: (name) => entries.get(name)?.child.output() ?? "",
    status: (name) => statusOf(entry(name)),
    get running() {
      return [...entries.values()].map((e) => ({
        component: e.component,
        process: e.child.process,
        pid: e.child.process.pid ?? 0,
        output: e.child.output,
        running: e.child.running,
        status: () => statusOf(e),
      }));
    },
  };
}

function exitOf(child: Child): Pick<ExitRecord, "code" | "signal"> {
  return { code: child.process.exitCode, signal: child.process.signalCode };
}

/** Polls until the port accepts connections and then the component's own readiness holds. */
async function waitReady(component: Component, child: Child, timeoutMs: number, where: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const address = component.socket === undefined ? `127.0.0.1:${component.port}` : `unix:${component.socket}`;
  const health = component.ready === "grpc-health" ? healthClient(address) : undefined;
  let last = "nothing listens";
  try {
    for (;;) {
      if (!child.running()) {
        const how = child.process.signalCode ?? `code ${child.process.exitCode}`;
        throw new Error(`${component.name} exited (${how}) before it was ready; ${where}:\n${child.output().slice(-2_000)}`);
      }
      if (await accepts(component.socket ?? component.port)) {
        last = "listening";
        if (component.ready === "tcp") return;
        if (health !== undefined) {
          last = await health.check("").catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
          if (last === "SERVING") return;
        } else if (typeof component.ready === "object") {
          const url = component.ready.httpOk;
          const res = await fetch(url).catch(() => undefined);
          await res?.body?.cancel();
          if (res?.ok === true) return;
          last = res === undefined ? `${url}: no answer` : `${url}: HTTP ${res.status}`;
        }
      }
      if (Date.now() > deadline) {
        await child.kill();
        throw new Error(`${component.name} is not ready after ${timeoutMs} ms (last: ${last}); ${where}:\n${child.output().slice(-2_000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    health?.close();
  }
}
