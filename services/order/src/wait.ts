// Waiting for something another runner does (an order reaching a state), by polling the store:
// FerretDB has no change streams, and the runner may be another process.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Clock } from "@shopmesh/kit";

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** The caller's signal: stop waiting when the client gives up. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
}

/** Calls `attempt` until it returns a value; undefined once `timeoutMs` passed. */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  const deadline = options.clock() + options.timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (options.clock() >= deadline) return undefined;
    await sleep(options.intervalMs, options.signal);
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(ConnectError.from(signal.reason, Code.Canceled));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(ConnectError.from(signal.reason, Code.Canceled));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
