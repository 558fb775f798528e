// A full garbage collection in a running Node process, asked for from outside as a debugger would:
// SIGUSR1 opens the process's inspector (on 127.0.0.1, port 9229 unless it was started with
// --inspect-port), the DevTools protocol collects and reads the process's memory at once, and the
// inspector is closed again so that the next process can open its own on the same port. Four
// protocol calls over Node's built-in WebSocket: a DevTools client library would bring the whole
// protocol for them.
import { readlinkSync } from "node:fs";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { accepts } from "@shopmesh/launcher";

/** Where SIGUSR1 opens a Node process's inspector, unless the process says otherwise. */
export const defaultInspectorPort = 9229;

/** What a process holds right after a full GC, or why it could not be asked. */
export type FullGc = ({ readonly done: true } & HeldAfterGc) | { readonly done: false; readonly why: string };

/** MiB, read inside the process right after the GC. */
export interface HeldAfterGc {
  readonly rssMiB: number;
  /** The V8 heap in use: what the process's JavaScript keeps alive. */
  readonly heapMiB: number;
  /** The room V8 has taken from the system for its heap, in use or not. */
  readonly heapCommittedMiB: number;
  /** That room, space by space (`new_space`, `old_space`, `code_space`…: v8.getHeapSpaceStatistics()). */
  readonly spacesMiB: Readonly<Record<string, number>>;
  /** Memory outside the heap that V8 is told of: Buffers and other native objects JavaScript holds. */
  readonly externalMiB: number;
}

/** Evaluated in the process: its memory as `process.memoryUsage()` and v8.getHeapSpaceStatistics() see it. */
const readMemory = `(() => {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  const spaces = process.getBuiltinModule?.("node:v8").getHeapSpaceStatistics() ?? [];
  return { rss, heapUsed, heapTotal, external, spaces: Object.fromEntries(spaces.map((s) => [s.space_name, s.space_size])) };
})()`;

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly spaces: Record<string, number>;
}

const mib = (bytes: number): number => bytes / 2 ** 20;

/** Collects all of `pid`'s garbage and reads what it holds right after; never throws. */
export async function forceFullGc(pid: number, port = defaultInspectorPort): Promise<FullGc> {
  if (!Number.isInteger(pid) || pid <= 0) return { done: false, why: `no such process: ${pid}` };
  // SIGUSR1 ends a process that does not handle it, as a Go service does not.
  const executable = executableOf(pid);
  if (executable !== "node") return { done: false, why: executable === undefined ? `no such process: ${pid}` : `${executable}, not Node` };
  try {
    process.kill(pid, "SIGUSR1");
  } catch (err) {
    return { done: false, why: `cannot signal process ${pid}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  const url = await debuggerUrl(port);
  if (url === undefined) return { done: false, why: `no inspector answered on 127.0.0.1:${port}` };
  let session: Session | undefined;
  let outcome: FullGc;
  let closing = false;
  try {
    session = await connect(url);
    // Another process may hold the port (a debugger someone runs): never collect in the wrong one.
    const seen = await session.evaluate("process.pid");
    if (seen !== pid) return { done: false, why: `the inspector on 127.0.0.1:${port} is process ${JSON.stringify(seen)}'s` };
    await session.call("HeapProfiler.collectGarbage");
    const memory = (await session.evaluate(readMemory)) as Memory;
    // inspector.close() waits for its sessions to end: it runs once this one has.
    closing =
      (await session.evaluate(
        `typeof process.getBuiltinModule === "function" && (setTimeout(() => process.getBuiltinModule("node:inspector").close(), 200), true)`,
      )) === true;
    outcome = closing
      ? {
          done: true,
          rssMiB: mib(memory.rss),
          heapMiB: mib(memory.heapUsed),
          heapCommittedMiB: mib(memory.heapTotal),
          spacesMiB: Object.fromEntries(Object.entries(memory.spaces).map(([space, bytes]) => [space, mib(bytes)])),
          externalMiB: mib(memory.external),
        }
      : { done: false, why: `process ${pid} cannot close its inspector (Node older than 22.3)` };
  } catch (err) {
    outcome = { done: false, why: (err as Error).message };
  } finally {
    session?.close();
  }
  if (closing && !(await portFreed(port))) return { done: false, why: `process ${pid} left its inspector open on 127.0.0.1:${port}` };
  return outcome;
}

function executableOf(pid: number): string | undefined {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return undefined;
  }
}

async function debuggerUrl(port: number): Promise<string | undefined> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const targets = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1_000) })
      .then((r) => r.json() as Promise<{ webSocketDebuggerUrl?: string }[]>)
      .catch(() => undefined);
    const url = targets?.[0]?.webSocketDebuggerUrl;
    if (url !== undefined) return url;
    await sleep(100);
  }
  return undefined;
}

async function portFreed(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (!(await accepts(port))) return true;
    await sleep(100);
  }
  return false;
}

interface Session {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  /** The value of `expression` in the process, or a rejection with the exception it threw. */
  evaluate(expression: string): Promise<unknown>;
  close(): void;
}

interface Reply {
  readonly id?: number;
  readonly result?: { readonly result?: { readonly value?: unknown }; readonly exceptionDetails?: { readonly text?: string } };
  readonly error?: { readonly message?: string };
}

const callTimeoutMs = 30_000;

async function connect(url: string): Promise<Session> {
  const socket = new WebSocket(url);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`${url}: the connection failed`)), { once: true });
  });
  await withTimeout(opened, 5_000, `${url}: no connection in 5 s`);
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  socket.addEventListener("message", (event) => {
    const reply = JSON.parse(String(event.data)) as Reply;
    if (reply.id === undefined) return;
    waiting.get(reply.id)?.resolve(reply);
    waiting.delete(reply.id);
  });
  socket.addEventListener("close", () => {
    for (const { reject } of waiting.values()) reject(new Error(`${url}: the inspector closed the connection`));
    waiting.clear();
  });
  let next = 0;
  const send = (method: string, params: Record<string, unknown>): Promise<Reply> => {
    const id = ++next;
    const answered = new Promise<Reply>((resolve, reject) => waiting.set(id, { resolve, reject }));
    socket.send(JSON.stringify({ id, method, params }));
    return withTimeout(answered, callTimeoutMs, `${method}: no answer in ${callTimeoutMs / 1000} s`);
  };
  const call = async (method: string, params: Record<string, unknown> = {}): Promise<Reply["result"]> => {
    const reply = await send(method, params);
    if (reply.error !== undefined) throw new Error(`${method}: ${reply.error.message ?? "failed"}`);
    return reply.result;
  };
  return {
    call,
    async evaluate(expression) {
      const result = await call("Runtime.evaluate", { expression, returnByValue: true });
      if (result?.exceptionDetails !== undefined) throw new Error(`${expression}: ${result.exceptionDetails.text ?? "threw"}`);
      return result?.result?.value;
    },
    close: () => socket.close(),
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
