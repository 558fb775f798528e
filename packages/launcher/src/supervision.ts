// What the launcher tells of each component it supervises, and when it restarts one that exited by
// itself: Kubernetes' restartPolicy Always with CrashLoopBackOff, on the scale of a developer's machine.
import type { Component } from "./component.js";

/**
 * starting: launched, not yet ready · running: ready · backoff: exited by itself, restarts after a delay ·
 * crash-loop: exited too often in a row, given up on · stopped: stopped or killed by its owner ·
 * exited: exited by itself and not restarted (supervision off, a failed start, or everything stopping).
 */
export type ComponentState = "starting" | "running" | "backoff" | "crash-loop" | "stopped" | "exited";

export interface ExitRecord {
  /** Its exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When it exited (ms since the epoch). */
  readonly at: number;
}

export interface ComponentStatus {
  readonly state: ComponentState;
  /** How many times the launcher restarted it after it exited by itself. */
  readonly restarts: number;
  /** Its last exit that nobody asked for (a crash, a kill from outside, the OOM killer). */
  readonly lastExit?: ExitRecord;
}

export type SupervisionEvent = { readonly component: Component; readonly status: ComponentStatus } & (
  | /** It exited by itself; it is started again after `restartInMs` (absent: it is not). */
  { readonly type: "exited"; readonly restartInMs?: number }
  | { readonly type: "restarting" }
  /** Ready again after a restart. */
  | { readonly type: "ready" }
  /** Given up on: `error` says how it last exited and ends with the tail of its output. */
  | { readonly type: "crash-loop"; readonly error: Error }
);

export interface SupervisionOptions {
  /** The delay before the first restart in a row (default 500 ms); it doubles with each further one. */
  readonly backoffMs?: number;
  /** The longest delay (default 10 s). */
  readonly maxBackoffMs?: number;
  /** Restarts in a row before it is given up on (default 5): the next exit makes it "crash-loop". */
  readonly maxRestarts?: number;
  /** A restart stays "in a row" unless the component was ready for this long before it exited (default 60 s). */
  readonly stableMs?: number;
}

export interface RestartPolicy {
  /** The delay before the restart that follows `streak` restarts in a row, or undefined: give up. */
  delay(streak: number): number | undefined;
  /** Whether an exit `upMs` after the component became ready ends the streak (it ran well for a while). */
  resets(upMs: number): boolean;
}

export function restartPolicy(options: SupervisionOptions = {}): RestartPolicy {
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const maxRestarts = options.maxRestarts ?? 5;
  const stableMs = options.stableMs ?? 60_000;
  return {
    delay: (streak) => (streak >= maxRestarts ? undefined : Math.min(backoffMs * 2 ** streak, maxBackoffMs)),
    resets: (upMs) => upMs >= stableMs,
  };
}

/** "SIGKILL" or "code 3". */
export function describeExit(exit: Pick<ExitRecord, "code" | "signal">): string {
  return exit.signal ?? `code ${exit.code}`;
}
