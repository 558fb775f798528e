// The event broker as the topology describes it: NATS with JetStream. Each publishing service has
// a stream of its events, each consuming service a durable consumer on each stream it reads and a
// stream of its own dead letters. Every service connects over TLS with its mesh certificate, and
// the broker maps the certificate's SPIFFE ID to a user allowed exactly what the topology says:
// a publisher publishes its events, a consumer pulls from, acks on and dead-letters for its own
// consumers. Nothing else is allowed (NATS denies what a user's permissions do not list).
import { join } from "node:path";
import { type BrokerLayout, deadLetterPrefix, deadLetterStreamName, inboxPrefix, streamName } from "@shopmesh/events";
import type { BrokerNode, ServiceNode, Topology } from "./topology.js";
import { trustFiles, workloadFiles } from "./pki.js";

/** A producer's stream: every event it publishes, on the subject named like the event's type. */
export interface EventStream {
  readonly name: string;
  readonly producer: string;
  readonly subjects: readonly string[];
}

/** One consuming service's durable consumer on one producer's stream. */
export interface EventConsumer {
  readonly service: string;
  readonly stream: string;
  /** The durable consumer's name: the consuming service's. */
  readonly durable: string;
  /** The event types it reads (its filter subjects). */
  readonly events: readonly string[];
}

/** Where a consumer's messages go after `maxDeliver` tries, or at once when they cannot be read. */
export interface DeadLetters {
  readonly service: string;
  readonly stream: string;
  /** Dead letters are published on `<subjectPrefix>.<original subject>`. */
  readonly subjectPrefix: string;
}

/** How long the broker keeps events: consumers that were down catch up within this. */
const retentionMs = 7 * 24 * 3_600_000;
/** The broker drops a second message with the same id (the event id) within this. */
export const duplicateWindowMs = 10 * 60_000;

export function eventStreams(topology: Topology): EventStream[] {
  return topology.services
    .filter((s) => s.publishes.length > 0)
    .map((s) => ({ name: streamName(s.name), producer: s.name, subjects: s.publishes }));
}

export function eventConsumers(topology: Topology): EventConsumer[] {
  return topology.services.flatMap((s) =>
    s.consumes.map((sub) => ({ service: s.name, stream: streamName(sub.producer), durable: s.name, events: sub.events })),
  );
}

export function deadLetters(service: string): DeadLetters {
  return { service, stream: deadLetterStreamName(service), subjectPrefix: deadLetterPrefix(service) };
}

/** The advisory the broker sends when a consumer's message ran out of tries without an ack. */
export function maxDeliveriesAdvisory(consumer: Pick<EventConsumer, "stream" | "durable">): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${consumer.stream}.${consumer.durable}`;
}

/** What a service's broker user may publish and subscribe to. */
export function permissionsOf(topology: Topology, service: ServiceNode): { publish: string[]; subscribe: string[] } {
  const consumers = eventConsumers(topology).filter((c) => c.service === service.name);
  const publish = [...service.publishes];
  for (const c of consumers) {
    publish.push(
      `$JS.API.CONSUMER.INFO.${c.stream}.${c.durable}`,
      `$JS.API.CONSUMER.MSG.NEXT.${c.stream}.${c.durable}`,
      `$JS.ACK.${c.stream}.${c.durable}.>`,
    );
  }
  if (consumers.length > 0) publish.push(`${deadLetters(service.name).subjectPrefix}.>`);
  return { publish, subscribe: [`${inboxPrefix(service.name)}.>`] };
}

export interface BrokerFiles {
  readonly pkiDir: string;
  /** JetStream's store. */
  readonly dataDir: string;
}

/** Where the broker listens for clients, and its monitoring (`host:port`). */
export interface BrokerListen {
  readonly host: string;
  readonly port: number;
  readonly monitor: string;
}

/** `make up`'s: the topology's ports, on the loopback. A container listens on its own ports, on every interface. */
export function localListen(broker: BrokerNode): BrokerListen {
  return { host: "127.0.0.1", port: broker.port, monitor: `127.0.0.1:${broker.monitorPort}` };
}

/** nats-server's configuration (JSON is valid NATS configuration syntax). */
export function natsConfig(topology: Topology, broker: BrokerNode, files: BrokerFiles, listen: BrokerListen = localListen(broker)): string {
  const own = workloadFiles(files.pkiDir, "broker");
  const users = [
    { user: broker.adminIdentity, permissions: { publish: { allow: [">"] }, subscribe: { allow: [">"] } } },
    ...topology.services
      .filter((s) => s.publishes.length > 0 || s.consumes.length > 0)
      .map((s) => {
        const { publish, subscribe } = permissionsOf(topology, s);
        return { user: s.identity, permissions: { publish: { allow: publish }, subscribe: { allow: subscribe } } };
      }),
  ];
  const config = {
    server_name: "shopmesh-broker",
    host: listen.host,
    port: listen.port,
    http: listen.monitor,
    tls: {
      cert_file: own.certificate,
      key_file: own.privateKey,
      ca_file: trustFiles(files.pkiDir).caCertificate,
      // Every client shows a mesh certificate; its SPIFFE ID (the URI SAN) is its user.
      verify_and_map: true,
      timeout: 2,
    },
    authorization: { users },
    jetstream: { store_dir: join(files.dataDir, "jetstream"), max_memory_store: 16 * 1024 * 1024, max_file_store: 1024 * 1024 * 1024 },
    // A slow consumer is cut off rather than buffered without bound.
    max_pending: 16 * 1024 * 1024,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The stream and consumer settings the mesh's admin client applies (JetStream API field names). */
export function streamSettings(stream: EventStream): Record<string, unknown> {
  return {
    name: stream.name,
    subjects: [...stream.subjects],
    storage: "file",
    retention: "limits",
    max_age: retentionMs * 1_000_000,
    duplicate_window: duplicateWindowMs * 1_000_000,
    discard: "old",
    num_replicas: 1,
  };
}

export function deadLetterStreamSettings(topology: Topology, service: string): Record<string, unknown> {
  const advisories = eventConsumers(topology)
    .filter((c) => c.service === service)
    .map(maxDeliveriesAdvisory);
  return {
    name: deadLetterStreamName(service),
    subjects: [`${deadLetters(service).subjectPrefix}.>`, ...advisories],
    storage: "file",
    retention: "limits",
    max_age: 2 * retentionMs * 1_000_000,
    discard: "old",
    num_replicas: 1,
  };
}

export function consumerSettings(consumer: EventConsumer, broker: BrokerNode): Record<string, unknown> {
  return {
    durable_name: consumer.durable,
    ack_policy: "explicit",
    deliver_policy: "all",
    filter_subjects: [...consumer.events],
    ack_wait: broker.ackWaitMs * 1_000_000,
    max_deliver: broker.maxDeliver,
    max_ack_pending: 256,
  };
}

/** Everything the admin sets up: every producer's stream, every consumer's dead letters and durable consumer. */
export function brokerLayout(topology: Topology, broker: BrokerNode): BrokerLayout {
  const consumers = eventConsumers(topology);
  return {
    streams: [
      ...eventStreams(topology).map(streamSettings),
      ...[...new Set(consumers.map((c) => c.service))].map((service) => deadLetterStreamSettings(topology, service)),
    ],
    consumers: consumers.map((c) => ({ stream: c.stream, settings: consumerSettings(c, broker) })),
  };
}
