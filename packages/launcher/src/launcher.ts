// Starts components together and waits until each is ready; restarts, stops or kills them by name;
// stops everything it started in reverse order, so that nothing is left running.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { startChild, type Child } from "./child.js";
import type { Component } from "./component.js";
import { healthClient } from "./health.js";
import { accepts } from "./ports.js";
import { repoRoot } from "./tools.js";

type Env = Readonly<Record<string, string>>;

export interface LauncherOptions {
  /** Each component's stdout and stderr are appended to <logDir>/<name>.log as well as kept in memory. */
  readonly logDir?: string;
  /** Extra environment per component name, on top of the component's own (e.g. short intervals in tests). */
  readonly env?: Readonly<Record<string, Env>>;
  /** How long a component may take to become ready (default 30 s). */
  readonly readyTimeoutMs?: number;
  /** How long a stopped component has between SIGTERM and SIGKILL (default 10 s). */
  readonly graceMs?: number;
  /** Called as each component starts and becomes ready. */
  readonly onProgress?: (component: Component, event: "starting" | "ready", elapsedMs: number) => void;
}

export interface Launched {
  readonly component: Component;
  readonly process: ChildProcess;
  readonly pid: number;
  /** What it wrote (stdout and stderr, the last 20 kB). */
  output(): string;
  running(): boolean;
}

export interface Launcher {
  /** Starts `components` all at once and resolves when every one is ready; if one is not, stops them all and rejects. */
  start(components: readonly Component[]): Promise<void>;
  /** Stops a component if it runs and starts it again (with `env` on top, this time only) until ready. */
  restart(name: string, env?: Env): Promise<void>;
  /** Stops one component (it can be restarted), or everything, last started first. */
  stop(name?: string): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(name: string): Promise<void>;
  /** SIGSTOP (hangs it with its port open) or SIGCONT. */
  signal(name: string, signal: "SIGSTOP" | "SIGCONT"): void;
  /** What a component wrote, for failure messages ("" if it never started). */
  output(name: string): string;
  /** Every component started, in start order, with its current process. */
  readonly running: readonly Launched[];
}

interface Entry {
  readonly component: Component;
  /** Which start() call launched it: stop() goes through these in reverse. */
  readonly batch: number;
  child: Child;
}

export function createLauncher(options: LauncherOptions = {}): Launcher {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const graceMs = options.graceMs ?? 10_000;
  const entries = new Map<string, Entry>();
  let batches = 0;

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

  const launch = async (component: Component, batch: number, env: Env = {}): Promise<void> => {
    const began = Date.now();
    options.onProgress?.(component, "starting", 0);
    const child = spawn(component, env);
    entries.set(component.name, { component, batch, child });
    await waitReady(component, child, readyTimeoutMs, options.logDir === undefined ? undefined : logPath(component));
    options.onProgress?.(component, "ready", Date.now() - began);
  };

  const entry = (name: string): Entry => {
    const found = entries.get(name);
    if (found === undefined) throw new Error(`no component ${name}`);
    return found;
  };

  const stopBatch = (batch: readonly Entry[]): Promise<unknown> => Promise.all(batch.map((e) => e.child.stop(graceMs)));

  return {
    async start(components) {
      const batch = batches++;
      for (const component of components) {
        if (entries.get(component.name)?.child.running() === true) throw new Error(`${component.name} is already running`);
      }
      const results = await Promise.allSettled(components.map((component) => launch(component, batch)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed !== undefined) {
        await stopBatch(components.flatMap((c) => entries.get(c.name) ?? []));
        throw failed.reason;
      }
    },
    async restart(name, env = {}) {
      const { component, batch, child } = entry(name);
      await child.stop(graceMs);
      await launch(component, batch, env);
    },
    async stop(name) {
      if (name !== undefined) return entry(name).child.stop(graceMs);
      for (let batch = batches - 1; batch >= 0; batch--) await stopBatch([...entries.values()].filter((e) => e.batch === batch));
      return undefined;
    },
    kill: (name) => entry(name).child.kill(),
    signal: (name, signal) => {
      const { child } = entry(name);
      if (child.running()) child.process.kill(signal);
    },
    output: (name) => entries.get(name)?.child.output() ?? "",
    get running() {
      return [...entries.values()].map(({ component, child }) => ({
        component,
        process: child.process,
        pid: child.process.pid ?? 0,
        output: child.output,
        running: child.running,
      }));
    },
  };
}

/** Polls until the port accepts connections and then the component's own readiness holds. */
async function waitReady(component: Component, child: Child, timeoutMs: number, log: string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const where = log === undefined ? "its output" : `its log is ${log}`;
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
