// deploy/compose/compose.yaml: the mesh of `make up` in containers. Each replica is a service
// container with its Envoy sidecar in the same network namespace (`network_mode: service:<name>`,
// the pod pattern); the gateway, real MongoDB and Redis with volumes, the event broker (NATS with
// its own TLS, a one-shot that sets up its streams and consumers), Zipkin and the storefront beside
// them. Certificates, keys and page-token secrets are rendered locally into .run/compose (`make
// compose-secrets`) and mounted; none is in the repository.
import { containerPorts, type Replica, type ServiceNode, type Topology } from "@shopmesh/mesh";
import {
  brokerAdminWorkload,
  brokerHealthCommand,
  brokerHost,
  brokerLayoutFile,
  brokerPaths,
  brokerSetupCommand,
  brokerSetupEnv,
  brokerSetupImage,
  brokerSetupName,
  containerNatsConfig,
  deployedBroker,
  usesBroker,
} from "./broker.js";
import { composePeers, containerGateway, containerSidecar, zipkinHost } from "./container-envoy.js";
import { implementationOf, serviceImage, thirdPartyImages, webImage } from "./images.js";
import { jwtKeyPath, serviceEnv, storePorts } from "./service-env.js";

type Json = Record<string, unknown>;

/** Where `make compose-secrets` writes, relative to deploy/compose/. */
export const composeSecretsDir = "../../.run/compose";

const restart = "unless-stopped";
const probeTiming = { interval: "5s", timeout: "3s", retries: 5, start_period: "20s" };
/** The secrets' owner: the user who rendered them (`make compose-up` sets these); Compose interpolates it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variable syntax, not a template.
const runAs = "${SHOPMESH_UID:-1000}:${SHOPMESH_GID:-1000}";

/**
 * Envoy itself, not the image's entrypoint script (which would switch users; these run as the secrets' owner).
 * No hot restart: a new config is a new container.
 */
const envoyCommand = {
  entrypoint: ["envoy"],
  command: ["-c", "/etc/envoy/envoy.json", "--log-level", "warn", "--disable-hot-restart"],
};

/** Envoy's admin /ready on the container's loopback, with the bash in Envoy's image (it has no HTTP client). */
const envoyReady = {
  test: ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9901 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q LIVE <&3"],
  ...probeTiming,
};

/**
 * grpc.health.v1 Check of the service on the container's loopback: deploy/images/grpc-health.mjs in
 * a Node image, the binary's own `healthcheck` in a Go one (it has nothing else).
 */
function grpcHealth(service: ServiceNode): Json {
  const address = `127.0.0.1:${containerPorts.app}`;
  const test =
    implementationOf(service) === "go"
      ? ["CMD", "/service", "healthcheck", address, service.service]
      : ["CMD", "node", "/app/deploy/images/grpc-health.mjs", address, service.service];
  return { test, ...probeTiming };
}

const trustMount = `${composeSecretsDir}/pki/sds-trust.json:/etc/shopmesh/pki/sds-trust.json:ro`;
/** The CA certificate as PEM, for the broker's clients and the broker (NATS reads PEM, not Envoy's SDS files). */
const caMount = `${composeSecretsDir}/pki/ca.pem:/etc/shopmesh/pki/ca.pem:ro`;
const workloadMount = (workload: string) => `${composeSecretsDir}/pki/${workload}:/etc/shopmesh/pki/${workload}:ro`;

/** The published host ports: the topology's, on the host's loopback, so a Compose shop answers where `make up` does. */
function published(hostPort: number, containerPort: number): string {
  return `127.0.0.1:${hostPort}:${containerPort}`;
}

function storeService(kind: "mongodb" | "redis", volume: string): Json {
  if (kind === "mongodb") {
    return {
      image: thirdPartyImages.mongodb,
      restart,
      volumes: [`${volume}:/data/db`],
      healthcheck: { test: ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"], ...probeTiming },
    };
  }
  return {
    image: thirdPartyImages.redis,
    restart,
    // Synced every second, as in `make up`: a crash loses at most a second of writes.
    command: ["redis-server", "--appendonly", "yes", "--appendfsync", "everysec", "--port", String(storePorts.redis)],
    volumes: [`${volume}:/data`],
    healthcheck: { test: ["CMD", "redis-cli", "ping"], ...probeTiming },
  };
}

function replicaServices(topology: Topology, service: ServiceNode, replica: Replica): Record<string, Json> {
  const healthy = { condition: "service_healthy" };
  const dependsOn: Json = { [service.store.server]: healthy, ...(topology.tracing.enabled ? { [zipkinHost]: healthy } : {}) };
  const volumes = [
    ...(service.name === "user" ? [`${composeSecretsDir}/keys/jwt-es256.pem:${jwtKeyPath}:ro`] : []),
    // The replica's own certificate is its identity at the broker.
    ...(deployedBroker(topology) !== undefined && usesBroker(service) ? [caMount, workloadMount(replica.name)] : []),
  ];
  return {
    [replica.name]: {
      image: serviceImage(service),
      restart,
      user: runAs,
      environment: serviceEnv(topology, service, {
        grpcHost: "127.0.0.1",
        zipkinHost,
        instance: replica.name,
        brokerWorkload: replica.name,
      }),
      // PAGE_TOKEN_SECRET: one per service, the same on every replica.
      env_file: [`${composeSecretsDir}/env/${service.name}.env`],
      ...(volumes.length > 0 ? { volumes } : {}),
      depends_on: dependsOn,
      healthcheck: grpcHealth(service),
      stop_grace_period: "10s",
    },
    [`${replica.name}-sidecar`]: {
      image: thirdPartyImages.envoy,
      restart,
      user: runAs,
      network_mode: `service:${replica.name}`,
      ...envoyCommand,
      volumes: [`./envoy/sidecar-${replica.name}.json:/etc/envoy/envoy.json:ro`, trustMount, workloadMount(replica.name)],
      depends_on: { [replica.name]: { condition: "service_started" } },
      healthcheck: envoyReady,
    },
  };
}

/**
 * The broker, and the one-shot that sets up its streams and consumers once it is healthy (again on
 * every `up`: the setup updates what exists). Services do not wait for either: an outbox keeps its
 * events and a consumer retries until its durable consumer exists.
 */
function brokerServices(topology: Topology, volume: string): Record<string, Json> {
  return {
    [brokerHost]: {
      image: thirdPartyImages.nats,
      restart,
      // The image's root user, so it owns its fresh volume, with no capability but reading the secrets' owner's 0600 files.
      cap_drop: ["ALL"],
      cap_add: ["DAC_READ_SEARCH"],
      entrypoint: ["nats-server"],
      command: ["--config", brokerPaths.config],
      volumes: [`./broker/nats.json:${brokerPaths.config}:ro`, caMount, workloadMount(brokerHost), `${volume}:${brokerPaths.dataDir}`],
      healthcheck: { test: ["CMD", ...brokerHealthCommand], ...probeTiming },
      stop_grace_period: "10s",
    },
    [brokerSetupName]: {
      image: brokerSetupImage(topology),
      // A one-shot: run again only when it failed.
      restart: "on-failure",
      user: runAs,
      command: brokerSetupCommand,
      environment: brokerSetupEnv(),
      volumes: [`./broker/layout.json:${brokerPaths.layout}:ro`, caMount, workloadMount(brokerAdminWorkload)],
      depends_on: { [brokerHost]: { condition: "service_healthy" } },
    },
  };
}

/** The Compose file and the Envoy configs it mounts (relative to deploy/compose/). */
export function composeFiles(topology: Topology): Map<string, unknown> {
  const files = new Map<string, unknown>();
  const services: Record<string, Json> = {};
  const volumes: Record<string, Json> = {};
  if (topology.tracing.enabled) {
    services[zipkinHost] = {
      image: thirdPartyImages.zipkin,
      restart,
      ports: [published(topology.tracing.port, containerPorts.zipkin)],
      // The image's own check script.
      healthcheck: { test: ["CMD", "docker-healthcheck"], ...probeTiming },
    };
  }
  for (const store of topology.stores) {
    const volume = `${store.name}-data`;
    volumes[volume] = {};
    services[store.name] = storeService(store.kind, volume);
  }
  const broker = deployedBroker(topology);
  if (broker !== undefined) {
    const volume = `${brokerHost}-data`;
    volumes[volume] = {};
    Object.assign(services, brokerServices(topology, volume));
    files.set("broker/nats.json", containerNatsConfig(topology, broker));
    files.set("broker/layout.json", brokerLayoutFile(topology, broker));
  }
  for (const service of topology.services) {
    for (const replica of service.replicas) {
      Object.assign(services, replicaServices(topology, service, replica));
      files.set(`envoy/sidecar-${replica.name}.json`, containerSidecar(topology, service, replica, { peerHosts: composePeers }));
    }
  }
  services["gateway"] = {
    image: thirdPartyImages.envoy,
    restart,
    user: runAs,
    ...envoyCommand,
    ports: [published(topology.gateway.port, containerPorts.gateway), published(topology.gateway.tlsPort, containerPorts.gatewayTls)],
    volumes: [
      "./envoy/gateway.json:/etc/envoy/envoy.json:ro",
      trustMount,
      workloadMount("gateway"),
      `${composeSecretsDir}/keys/jwks.json:/etc/shopmesh/jwks/jwks.json:ro`,
    ],
    depends_on: Object.fromEntries(
      topology.services.flatMap((s) => s.replicas.map((r) => [`${r.name}-sidecar`, { condition: "service_healthy" }])),
    ),
    healthcheck: envoyReady,
  };
  files.set("envoy/gateway.json", containerGateway(topology, { peerHosts: composePeers }));
  services["web"] = {
    image: webImage,
    restart,
    // The page runs in the user's browser, so it reaches the gateway where the host publishes it.
    environment: { WEB_PORT: String(containerPorts.gateway), GATEWAY_URL: `http://localhost:${topology.gateway.port}` },
    ports: [published(topology.webPort, containerPorts.gateway)],
    depends_on: { gateway: { condition: "service_healthy" } },
    healthcheck: {
      test: [
        "CMD",
        "node",
        "-e",
        `fetch("http://127.0.0.1:${containerPorts.gateway}/config.json").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ],
      ...probeTiming,
    },
  };
  files.set("compose.yaml", { name: "shopmesh", services, volumes });
  return files;
}
