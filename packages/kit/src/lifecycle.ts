// The one service lifecycle. A service says what it is made of (build); the kit starts it, and
// alone decides the order of things: on a failed start everything opened so far is closed; on
// stop, health says NOT_SERVING, the server drains, background loops stop, and resources close
// in the reverse order they were opened.
import type { Logger } from "pino";
import type { ServerConfig } from "./config.js";
import type { Probe } from "./health.js";
import { createMetricsRegistry, serveMetrics, type MetricsRegistry } from "./metrics.js";
import { createShopServer, type ServiceRegistration, type ShopServer } from "./server.js";

/** What build() registers as it opens things, so the kit can close them. */
export interface Resources {
  /** Registers `resource` to be closed on stop (or when start fails later) and returns it. */
  own<T extends { close(): unknown }>(name: string, resource: T): T;
  /** Registers a step of the shutdown that is not a close() (e.g. waiting for work in flight). */
  onStop(name: string, stop: () => unknown): void;
  /** The service's /metrics, for metrics of its own beside the RPC ones; undefined when it serves none. */
  readonly metrics: MetricsRegistry | undefined;
}

/** A loop that runs beside the server (a sweeper, a recovery loop); stopped after the server. */
export interface BackgroundLoop {
  stop(): Promise<void> | void;
}

/** What a service is made of. */
export interface ServiceParts {
  readonly services: readonly ServiceRegistration[];
  /** What health checks; NOT_SERVING while one fails. */
  readonly probes?: readonly Probe[];
  /** Started once the server listens. */
  readonly background?: ReadonlyArray<() => BackgroundLoop>;
}

export interface RunningService {
  readonly server: ShopServer;
  /** Where /metrics answers on 127.0.0.1 (when the config asks for it). */
  readonly metricsPort: number | undefined;
  /** Stops serving and releases everything build() opened; safe to call more than once. */
  stop(): Promise<void>;
}

type Step = { readonly name: string; readonly run: () => unknown };

/**
 * Builds and starts a service: `build` opens its dependencies (registering each with
 * `resources`) and returns its handlers, probes and background loops.
 */
export async function startService(
  name: string,
  server: ServerConfig,
  logger: Logger,
  build: (resources: Resources) => Promise<ServiceParts>,
): Promise<RunningService> {
  const opened: Step[] = [];
  const metrics = server.metricsPort === undefined ? undefined : createMetricsRegistry(name);
  const resources: Resources = {
    metrics,
    own(resourceName, resource) {
      opened.push({ name: resourceName, run: () => resource.close() });
      return resource;
    },
    onStop(stepName, stop) {
      opened.push({ name: stepName, run: stop });
    },
  };
  const loops: BackgroundLoop[] = [];
  let shopServer: ShopServer | undefined;
  let metricsPort: number | undefined;
  const shutdown = async (): Promise<void> => {
    await shopServer?.stop();
    const steps = [...loops.map((loop): Step => ({ name: "background loop", run: () => loop.stop() })).reverse(), ...[...opened].reverse()];
    // One failed step must not keep the rest open: each is tried, the first failure is rethrown.
    let failure: unknown;
    for (const step of steps) {
      try {
        await step.run();
      } catch (err) {
        logger.error({ err, step: step.name }, "shutdown step failed");
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  };
  try {
    const parts = await build(resources);
    shopServer = createShopServer({
      name,
      logger,
      host: server.host,
      port: server.port,
      ...(server.socket !== undefined ? { socket: server.socket } : {}),
      services: parts.services,
      probes: parts.probes ?? [],
      probeIntervalMs: server.probeIntervalMs,
      shutdownGraceMs: server.shutdownGraceMs,
      drainDelayMs: server.drainDelayMs,
      ...(metrics === undefined ? {} : { metrics }),
    });
    await shopServer.start();
    if (metrics !== undefined && server.metricsPort !== undefined) {
      // Loopback only: a scraper on the same host reads it; the mesh never routes to it.
      const served = resources.own("metrics server", await serveMetrics(metrics, "127.0.0.1", server.metricsPort));
      metricsPort = served.port;
      logger.info({ metrics: `http://127.0.0.1:${metricsPort}/metrics` }, "serving metrics");
    }
    for (const start of parts.background ?? []) loops.push(start());
  } catch (err) {
    // The start failure is what the caller needs to see; a failed close is only logged.
    await shutdown().catch(() => undefined);
    throw err;
  }
  const running = shopServer;
  let stopping: Promise<void> | undefined;
  return {
    server: running,
    metricsPort,
    stop: () => (stopping ??= shutdown()),
  };
}
