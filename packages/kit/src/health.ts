// grpc.health.v1 driven by probes: health says SERVING only while every probe (a store ping)
// passes, re-checked on an interval; only changes are set, since Watch streams every setStatus.
import { once } from "node:events";
import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";
import type { Logger } from "pino";

/** A check of something the service cannot work without (its store); it throws when unhealthy. */
export interface Probe {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}

export interface ProbedHealthOptions {
  /** The services to report on; "" (the whole server) is always included. */
  readonly serviceNames: readonly string[];
  readonly probes: readonly Probe[];
  readonly intervalMs: number;
  readonly logger: Logger;
}

export interface ProbedHealth {
  addToServer(server: grpc.Server): void;
  /** Probes now, then every interval until stop(). */
  start(): Promise<void>;
  /** Stops probing and says NOT_SERVING from now on. */
  stop(): void;
  /** Whether every probe passed last time (and health is not stopped). */
  readonly serving: boolean;
}

const overallHealth = "";

export function createProbedHealth(options: ProbedHealthOptions): ProbedHealth {
  const names = [overallHealth, ...options.serviceNames];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, "NOT_SERVING" as ServingStatus])));
  const { logger, probes, intervalMs } = options;
  let failure: string | undefined = "not probed yet";
  let probed = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const setAll = (status: ServingStatus): void => {
    for (const name of names) health.setStatus(name, status);
  };

  const probeOnce = async (): Promise<string | undefined> => {
    const timeoutMs = Math.max(250, intervalMs);
    for (const probe of probes) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          probe.check(signal),
          once(signal, "abort").then(() => Promise.reject(new Error(`no answer within ${timeoutMs} ms`))),
        ]);
      } catch (err) {
        return `${probe.name}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    return undefined;
  };

  const run = async (): Promise<void> => {
    if (stopped) return;
    const result = await probeOnce();
    if (stopped) return;
    if (result !== failure || !probed) {
      if (result === undefined) logger.info("healthy: serving");
      else logger.warn({ reason: result }, "unhealthy: not serving");
      setAll(result === undefined ? "SERVING" : "NOT_SERVING");
    }
    failure = result;
    probed = true;
    timer = setTimeout(() => void run(), intervalMs);
  };

  return {
    addToServer: (server) => health.addToServer(server),
    start: run,
    stop() {
      stopped = true;
      clearTimeout(timer);
      setAll("NOT_SERVING");
    },
    get serving() {
      return failure === undefined && !stopped;
    },
  };
}
