// A steady load through the gateway for the resilience tests: a few callers in a loop, each call
// counted and every failure kept with its code, so a test can say "zero failed calls".
import { Code, ConnectError } from "@connectrpc/connect";

export interface LoadResult {
  readonly ok: number;
  /** Every failed call: which one, the gRPC code and message it got, and when. */
  readonly failures: readonly { call: string; error: string; at: string }[];
}

export interface Load {
  /** Calls answered so far (successes and failures). */
  readonly answered: number;
  /** Stops the callers, waits for calls in flight, and says how it went. */
  stop(): Promise<LoadResult>;
}

/**
 * Runs `calls` round-robin from `callers` concurrent loops, `pauseMs` apart per loop, until
 * stopped: a bounded load (a few hundred calls a second at most), on loopback only.
 */
export function steadyLoad(
  calls: Readonly<Record<string, () => Promise<unknown>>>,
  options: { callers?: number; pauseMs?: number } = {},
): Load {
  const entries = Object.entries(calls);
  let running = true;
  let ok = 0;
  const failures: { call: string; error: string; at: string }[] = [];
  const loop = async (offset: number): Promise<void> => {
    for (let i = offset; running; i++) {
      const [name, call] = entries[i % entries.length] ?? [];
      if (name === undefined || call === undefined) return;
      try {
        await call();
        ok++;
      } catch (err) {
        const e = ConnectError.from(err);
        failures.push({ call: name, error: `${Code[e.code]} ${e.rawMessage}`, at: new Date().toISOString() });
      }
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 5));
    }
  };
  const loops = Array.from({ length: options.callers ?? 4 }, (_, i) => loop(i));
  return {
    get answered() {
      return ok + failures.length;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      return { ok, failures };
    },
  };
}
