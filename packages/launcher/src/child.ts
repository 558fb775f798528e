// Child processes: started with their output kept for error messages, stopped with SIGTERM then
// SIGKILL, and killed if this process exits without stopping them, so that nothing is left running.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

export interface Child {
  readonly process: ChildProcess;
  /** What the process wrote so far (stdout and stderr, the last 20 kB), for failure messages. */
  output(): string;
  /** False once the process has exited. */
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/** True while a process with this id exists (of any parent: `make status` asks about `make up`'s children). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function startChild(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Child {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = once(child, "exit").then(() => children.delete(child));
  child.on("error", (err) => keep(Buffer.from(`\n${String(err)}\n`)));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    process: child,
    output: () => output,
    running,
    async stop(graceMs = 5_000) {
      if (!running()) return;
      child.kill("SIGTERM");
      // A stopped (SIGSTOP) process acts on SIGTERM only once it runs again.
      child.kill("SIGCONT");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!running()) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}
