// The event broker in containers: nats-server's configuration from the mesh's own natsConfig, with
// a container's addresses (clients on every interface, monitoring on the loopback) and the paths
// where the containers mount certificates and the JetStream volume; the streams and consumers the
// one-shot setup applies (the mesh's settings); and what a client container reads to reach it.
import { type BrokerNode, brokerLayout, natsConfig, type ServiceNode, type Topology, trustFiles, workloadFiles } from "@shopmesh/mesh";
import { containerFiles } from "./container-envoy.js";
import { serviceImage } from "./images.js";

/** The broker's DNS name in Compose and in the cluster; its certificate is issued for it. */
export const brokerHost = "broker";
/** The one-shot that sets up streams and consumers, and its certificate (the mesh's admin identity). */
export const brokerSetupName = "broker-setup";
export const brokerAdminWorkload = "broker-admin";

export const brokerPorts = { client: 4222, monitor: 8222 } as const;

/** Where the broker's container finds its files, and the setup's its layout. */
export const brokerPaths = {
  config: "/etc/nats/nats.json",
  dataDir: "/data",
  layout: "/etc/shopmesh/broker/layout.json",
} as const;

/** The monitoring's /healthz on the container's loopback, with the busybox wget of the Alpine image. */
export const brokerHealthCommand = ["wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${brokerPorts.monitor}/healthz`];

/** Whether `service` publishes or consumes events. */
export function usesBroker(service: ServiceNode): boolean {
  return service.publishes.length > 0 || service.consumes.length > 0;
}

/** The topology's broker when some service uses it. */
export function deployedBroker(topology: Topology): BrokerNode | undefined {
  return topology.services.some(usesBroker) ? topology.broker : undefined;
}

/** nats-server's configuration in a container (JSON); `pkiDir` and `dataDir` for a local copy to check. */
export function containerNatsConfig(topology: Topology, broker: BrokerNode, local?: { pkiDir: string; dataDir: string }): unknown {
  const files = local ?? { pkiDir: containerFiles.pkiDir, dataDir: brokerPaths.dataDir };
  const listen = { host: "0.0.0.0", port: brokerPorts.client, monitor: `127.0.0.1:${brokerPorts.monitor}` };
  return JSON.parse(natsConfig(topology, broker, files, listen));
}

/** The setup's layout file: the mesh's stream and consumer settings, as `make up`'s setup applies them. */
export function brokerLayoutFile(topology: Topology, broker: BrokerNode): unknown {
  return brokerLayout(topology, broker);
}

/** BROKER_* of a container that shows `workload`'s certificate (its replica's in Compose, its service's in Kubernetes). */
export function brokerClientEnv(workload: string): Record<string, string> {
  const own = workloadFiles(containerFiles.pkiDir, workload);
  return {
    BROKER_URL: `tls://${brokerHost}:${brokerPorts.client}`,
    BROKER_CA_FILE: trustFiles(containerFiles.pkiDir).caCertificate,
    BROKER_CERT_FILE: own.certificate,
    BROKER_KEY_FILE: own.privateKey,
  };
}

/** The setup's environment: the admin's certificate and the layout file. */
export function brokerSetupEnv(): Record<string, string> {
  return { ...brokerClientEnv(brokerAdminWorkload), BROKER_LAYOUT_FILE: brokerPaths.layout };
}

/** The setup runs from the image of a service that uses events (it holds packages/events and nats.js). */
export function brokerSetupImage(topology: Topology): string {
  const client = topology.services.find(usesBroker);
  if (client === undefined) throw new Error("no service uses the broker");
  return serviceImage(client);
}

/** The setup's command in that image. */
export const brokerSetupCommand = ["node", "/app/packages/events/dist/src/setup-main.js"];
