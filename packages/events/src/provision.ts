// Sets up the broker as the topology says, with the mesh's admin identity: every producer's
// stream, every consumer's dead-letter stream and every durable consumer. Run before the services
// start, and again at any time: an existing stream or consumer is updated to the settings.
import { jetstreamManager, type ConsumerConfig, type StreamConfig } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

export interface BrokerLayout {
  readonly streams: readonly Record<string, unknown>[];
  /** Per stream name, its consumers' settings. */
  readonly consumers: readonly { readonly stream: string; readonly settings: Record<string, unknown> }[];
}

export async function provisionBroker(nc: NatsConnection, layout: BrokerLayout): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const settings of layout.streams) {
    const config = settings as unknown as StreamConfig;
    const exists = await jsm.streams.info(config.name).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.streams.update(config.name, config);
    else await jsm.streams.add(config);
  }
  for (const { stream, settings } of layout.consumers) {
    const config = settings as unknown as ConsumerConfig;
    const name = config.durable_name ?? "";
    const exists = await jsm.consumers.info(stream, name).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.consumers.update(stream, name, config);
    else await jsm.consumers.add(stream, config);
  }
}
