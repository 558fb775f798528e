// The event broker of a running shop: its configuration written from the topology, then, once it
// runs, its streams and consumers set up with the mesh's admin identity, before any service starts.
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { provisionBroker } from "@shopmesh/events";
import { brokerLayout, natsConfig, trustFiles, workloadFiles, type Topology } from "@shopmesh/mesh";
import { brokerConfigFile, type Layout } from "./components.js";

export function writeBrokerConfig(topology: Topology, dirs: Layout): void {
  if (topology.broker === undefined) return;
  mkdirSync(dirs.brokerDir, { recursive: true, mode: 0o700 });
  writeFileSync(brokerConfigFile(dirs), natsConfig(topology, topology.broker, { pkiDir: dirs.pkiDir, dataDir: dirs.brokerDir }), {
    mode: 0o600,
  });
}

/**
 * A connection with the certificate of `workload` (a replica, or "broker-admin"), its replies under
 * `replies` (a service's inbox prefix), for tests of who may do what.
 */
export function connectToBroker(topology: Topology, dirs: Layout, workload: string, replies?: string): Promise<NatsConnection> {
  if (topology.broker === undefined) throw new Error("the topology has no broker");
  const own = workloadFiles(dirs.pkiDir, workload);
  return connect({
    servers: `tls://127.0.0.1:${topology.broker.port}`,
    name: workload,
    ...(replies === undefined ? {} : { inboxPrefix: replies }),
    tls: { caFile: trustFiles(dirs.pkiDir).caCertificate, certFile: own.certificate, keyFile: own.privateKey },
  });
}

/** A connection as the mesh's admin (every subject), for setting up and for tests. */
export function connectAsAdmin(topology: Topology, dirs: Layout): Promise<NatsConnection> {
  return connectToBroker(topology, dirs, "broker-admin");
}

/** Every producer's stream, every consumer's dead letters and durable consumer, as the topology says. */
export async function setUpBroker(topology: Topology, dirs: Layout): Promise<void> {
  const { broker } = topology;
  if (broker === undefined) return;
  const nc = await connectAsAdmin(topology, dirs);
  try {
    await provisionBroker(nc, brokerLayout(topology, broker));
  } finally {
    await nc.close();
  }
}
