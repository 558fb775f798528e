// A full garbage collection in a running Node process, from outside it, as a debugger would ask for
// one: SIGUSR1 opens the process's inspector (Node's own, on 127.0.0.1:9229), the DevTools protocol's
// HeapProfiler.collectGarbage collects, and the inspector is closed again so the next process can
// open its own on the same port. What a heap holds right after a full GC is what it keeps alive: the
// soak reads it to tell a leak from garbage V8 has merely not collected yet. Three protocol messages
// over Node's built-in WebSocket; a DevTools client library would bring a whole protocol for them.
import { setTimeout as sleep } from "node:timers/promises";

export const inspectorPort = 9229;

/** Collects `pid`'s garbage; resolves with why not if its inspector could not be reached. */
export async function forceFullGc(pid: number): Promise<{ readonly done: true } | { readonly done: false; readonly why: string }> {
  process.kill(pid, "SIGUSR1");
  const url = await debuggerUrl();
  if (url === undefined) return { done: false, why: `no inspector answered on 127.0.0.1:${inspectorPort}` };
  const session = await connect(url);
  try {
    // Another process may hold the port (a debugger the user runs): never collect in the wrong one.
    const answered = await session.call("Runtime.evaluate", { expression: "process.pid", returnByValue: true });
    const seen = (answered as { result?: { value?: unknown } }).result?.value;
    if (seen !== pid) return { done: false, why: `the inspector on 127.0.0.1:${inspectorPort} is process ${String(seen)}'s` };
    await session.call("HeapProfiler.collectGarbage");
    // inspector.close() waits for the sessions to end: run it once this one has.
    await session.call("Runtime.evaluate", { expression: `setTimeout(() => process.getBuiltinModule("node:inspector").close(), 200), 0` });
    return { done: true };
  } finally {
    session.close();
    await portFreed();
  }
}

async function debuggerUrl(): Promise<string | undefined> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const targets = await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)
      .then((r) => r.json() as Promise<{ webSocketDebuggerUrl?: string }[]>)
      .catch(() => undefined);
    const url = targets?.[0]?.webSocketDebuggerUrl;
    if (url !== undefined) return url;
    await sleep(100);
  }
  return undefined;
}

async function portFreed(): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const open = await fetch(`http://127.0.0.1:${inspectorPort}/json/version`).then(
      () => true,
      () => false,
    );
    if (!open) return;
    await sleep(100);
  }
}

interface Session {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

async function connect(url: string): Promise<Session> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  let next = 0;
  return {
    call: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        const timer = setTimeout(() => reject(new Error(`${method}: no answer in 30 s`)), 30_000);
        waiting.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}
