// A service's connection to the broker, made in the background: a service starts and serves
// whether or not the broker is up (its outbox keeps what it cannot publish yet), and once
// connected, nats.js reconnects by itself after the broker restarts.
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "@shopmesh/kit";
import type { BrokerConfig } from "./config.js";
import { inboxPrefix } from "./names.js";

/** Between attempts of the first connect. */
const retryMs = 1_000;
/** How long a publish waits for the broker's ack. */
const publishTimeoutMs = 5_000;

export interface Broker {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
}

export interface BrokerLink {
  /** The connection once made (it may be reconnecting right now), else undefined. */
  current(): Broker | undefined;
  /** Whether the connection is up right now (made, and not lost since). */
  up(): boolean;
  /** Resolves with the connection once made; undefined when the link closes first. */
  connected(): Promise<Broker | undefined>;
  close(): Promise<void>;
}

/**
 * The link of `service`: its replies under its own inbox prefix (the broker lets each service read
 * its own alone), its name on the connection in the broker's monitoring.
 */
export function createBrokerLink(config: BrokerConfig, service: string, logger: Logger): BrokerLink {
  let broker: Broker | undefined;
  let up = false;
  let closed = false;
  let wake: (() => void) | undefined;

  const attempt = async (): Promise<Broker | undefined> => {
    try {
      const nc = await connect({
        servers: config.url,
        name: service,
        inboxPrefix: inboxPrefix(service),
        tls: { caFile: config.caFile, certFile: config.certFile, keyFile: config.keyFile },
        // Once connected, never give up: the broker coming back is the only way on.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        timeout: 2_000,
      });
      void watchStatus(nc, logger, (now) => {
        up = now;
      });
      return { nc, js: jetstream(nc, { timeout: publishTimeoutMs }) };
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err), retry_in_ms: retryMs }, "broker not reachable yet");
      return undefined;
    }
  };

  const connecting = (async (): Promise<Broker | undefined> => {
    while (!closed) {
      const made = await attempt();
      if (made !== undefined) {
        if (closed) {
          await made.nc.close();
          return undefined;
        }
        broker = made;
        up = true;
        logger.info({ broker: config.url }, "connected to the broker");
        return made;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return undefined;
  })();

  return {
    current: () => broker,
    up: () => up && broker !== undefined && !broker.nc.isClosed(),
    connected: () => connecting,
    async close() {
      closed = true;
      wake?.();
      await connecting;
      // Drain: subscriptions stop, what is buffered is sent, then the connection closes.
      if (broker !== undefined && !broker.nc.isClosed()) await broker.nc.drain().catch(() => broker?.nc.close());
    },
  };
}

/** Follows the connection's ups and downs, and logs each once, so an outage shows in the service's log. */
async function watchStatus(nc: NatsConnection, logger: Logger, onChange: (up: boolean) => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === "disconnect") {
      onChange(false);
      logger.warn({ broker: status.server }, "lost the broker; reconnecting");
    } else if (status.type === "reconnect") {
      onChange(true);
      logger.info({ broker: status.server }, "reconnected to the broker");
    }
  }
}
