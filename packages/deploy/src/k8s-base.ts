// deploy/k8s/base: what every way of running the shop on Kubernetes shares. Per service a
// ServiceAccount (the workload's identity), a Deployment with gRPC health probes, a Service, a
// PodDisruptionBudget and an HPA; the stores as StatefulSets with volumes; Zipkin; the
// storefront; the event broker and its setup Job (k8s-broker.ts); NetworkPolicies that deny
// everything but the topology's calls (k8s-network-policies.ts). The overlays add the mesh: our
// Envoy sidecars, or Istio.
import { containerPorts, type ServiceNode, type Topology } from "@shopmesh/mesh";
import { brokerHost, brokerLayoutFile, containerNatsConfig, deployedBroker, usesBroker } from "./broker.js";
import { zipkinHost } from "./container-envoy.js";
import { serviceImage, thirdPartyImages, webImage } from "./images.js";
import {
  type Json,
  labels,
  meta,
  nameLabel,
  namespace,
  partOf,
  podSecurity,
  resources,
  restrictedContainer,
  selectorOf,
} from "./k8s-common.js";
import { brokerConfigMaps, brokerDocuments, brokerPkiMount, brokerPkiVolume } from "./k8s-broker.js";
import { baseNetworkPolicies, ingressPortName } from "./k8s-network-policies.js";
import { jwtKeyPath, serviceEnv, storePorts } from "./service-env.js";

/** The Secrets `make k8s-secrets` renders (never committed): page-token keys, the token-signing key. */
export const secretNames = { pageTokens: "page-token-keys", jwtSigning: "jwt-signing-key", jwks: "jwks" } as const;

const nodeUid = 1000;

function serviceAccount(name: string): Json {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name), automountServiceAccountToken: false };
}

function envList(env: Record<string, string>): Json[] {
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

function serviceDeployment(topology: Topology, service: ServiceNode, image: string): Json {
  const env = [
    ...envList(serviceEnv(topology, service, { grpcHost: "0.0.0.0", zipkinHost, instance: undefined, brokerWorkload: service.name })),
    ...(topology.tracing.enabled ? [{ name: "TRACING_INSTANCE", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] : []),
    { name: "PAGE_TOKEN_SECRET", valueFrom: { secretKeyRef: { name: secretNames.pageTokens, key: service.name } } },
  ];
  const volumes: Json[] = [];
  const mounts: Json[] = [];
  if (service.name === "user") {
    const items = [{ key: "jwt-es256.pem", path: jwtKeyPath.split("/").at(-1) }];
    volumes.push({ name: "jwt-signing-key", secret: { secretName: secretNames.jwtSigning, items } });
    mounts.push({ name: "jwt-signing-key", mountPath: "/etc/shopmesh/jwt", readOnly: true });
  }
  // Every pod of a service shows the broker its service's certificate.
  if (deployedBroker(topology) !== undefined && usesBroker(service)) {
    volumes.push(brokerPkiVolume(service.name));
    mounts.push(brokerPkiMount);
  }
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(service.name),
    spec: {
      replicas: service.replicas.length,
      selector: selectorOf(service.name),
      template: {
        metadata: { labels: labels(service.name) },
        spec: {
          serviceAccountName: service.name,
          securityContext: podSecurity(nodeUid),
          // The drain (2 s NOT_SERVING) and the grace period for in-flight calls fit in it.
          terminationGracePeriodSeconds: 15,
          containers: [
            {
              name: "app",
              image,
              ports: [{ name: ingressPortName, containerPort: containerPorts.app }],
              env,
              readinessProbe: { grpc: { port: containerPorts.app, service: service.service }, periodSeconds: 5, failureThreshold: 2 },
              livenessProbe: { grpc: { port: containerPorts.app }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
              resources: resources.node,
              securityContext: restrictedContainer,
              ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
            },
          ],
          ...(volumes.length > 0 ? { volumes } : {}),
        },
      },
    },
  };
}

function clusterService(name: string, ports: Json[], extra: Json = {}): Json {
  return { apiVersion: "v1", kind: "Service", metadata: meta(name), spec: { selector: { [nameLabel]: name }, ports, ...extra } };
}

/** A port number both overlays share; it targets the named port, so it reaches the sidecar or the service. */
export const servicePort = containerPorts.ingress;

function disruptionBudget(name: string): Json {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(name),
    spec: { maxUnavailable: 1, selector: selectorOf(name) },
  };
}

/** Every service is stateless (its state is in its store): it scales on CPU from the topology's count up. */
function autoscaler(service: ServiceNode): Json {
  const min = service.replicas.length;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(service.name),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: service.name },
      minReplicas: min,
      maxReplicas: Math.max(3, 2 * min),
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    },
  };
}

function storeSet(name: string, kind: "mongodb" | "redis"): Json[] {
  const port = storePorts[kind];
  const container =
    kind === "mongodb"
      ? {
          name: "mongodb",
          image: thirdPartyImages.mongodb,
          ports: [{ name: "mongodb", containerPort: port }],
          readinessProbe: { exec: { command: ["mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"] }, periodSeconds: 10 },
          volumeMounts: [{ name: "data", mountPath: "/data/db" }],
          resources: resources.mongodb,
        }
      : {
          name: "redis",
          image: thirdPartyImages.redis,
          args: ["redis-server", "--appendonly", "yes", "--appendfsync", "everysec", "--port", String(port)],
          ports: [{ name: "redis", containerPort: port }],
          readinessProbe: { exec: { command: ["redis-cli", "ping"] }, periodSeconds: 10 },
          volumeMounts: [{ name: "data", mountPath: "/data" }],
          resources: resources.redis,
        };
  return [
    clusterService(name, [{ name: kind, port, targetPort: kind }], { clusterIP: "None" }),
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta(name),
      spec: {
        serviceName: name,
        replicas: 1,
        selector: selectorOf(name),
        template: {
          metadata: { labels: labels(name) },
          spec: {
            // The images' own users (uid 999 in both).
            securityContext: podSecurity(999),
            containers: [{ ...container, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: kind === "mongodb" ? "5Gi" : "1Gi" } } },
          },
        ],
      },
    },
  ];
}

function zipkin(): Json[] {
  return [
    clusterService(zipkinHost, [{ name: "http", port: containerPorts.zipkin, targetPort: "http" }]),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(zipkinHost),
      spec: {
        replicas: 1,
        selector: selectorOf(zipkinHost),
        template: {
          metadata: { labels: labels(zipkinHost) },
          spec: {
            containers: [
              {
                name: "zipkin",
                image: thirdPartyImages.zipkin,
                ports: [{ name: "http", containerPort: containerPorts.zipkin }],
                readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 10 },
                resources: resources.zipkin,
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    },
  ];
}

function storefront(topology: Topology): Json[] {
  const port = containerPorts.gateway;
  return [
    serviceAccount("web"),
    clusterService("web", [{ name: "http", port, targetPort: "http" }]),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta("web"),
      spec: {
        replicas: 1,
        selector: selectorOf("web"),
        template: {
          metadata: { labels: labels("web") },
          spec: {
            serviceAccountName: "web",
            securityContext: podSecurity(nodeUid),
            containers: [
              {
                name: "web",
                image: webImage,
                ports: [{ name: "http", containerPort: port }],
                // Where the page (in the user's browser) reaches the gateway: `kubectl port-forward` by default; set your ingress's URL.
                env: [
                  { name: "WEB_PORT", value: String(port) },
                  { name: "GATEWAY_URL", value: `http://localhost:${topology.gateway.port}` },
                ],
                readinessProbe: { httpGet: { path: "/config.json", port: "http" }, periodSeconds: 10 },
                resources: resources.web,
                securityContext: restrictedContainer,
              },
            ],
          },
        },
      },
    },
  ];
}

/** The base's files (relative to deploy/k8s/base): each YAML file a list of documents, and the broker's JSON configs. */
export function baseFiles(topology: Topology): Map<string, unknown> {
  const files = new Map<string, unknown>();
  files.set("namespace.yaml", [{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: partOf } }]);
  for (const service of topology.services) {
    files.set(`${service.name}.yaml`, [
      serviceAccount(service.name),
      clusterService(service.name, [{ name: "grpc", port: servicePort, targetPort: ingressPortName }]),
      serviceDeployment(topology, service, serviceImage(service)),
      disruptionBudget(service.name),
      autoscaler(service),
    ]);
  }
  files.set(
    "stores.yaml",
    topology.stores.flatMap((s) => storeSet(s.name, s.kind)),
  );
  const broker = deployedBroker(topology);
  if (broker !== undefined) files.set(`${brokerHost}.yaml`, brokerDocuments(topology));
  if (topology.tracing.enabled) files.set("zipkin.yaml", zipkin());
  files.set("web.yaml", storefront(topology));
  files.set("network-policies.yaml", baseNetworkPolicies(topology));
  const resourceList = [...files.keys()];
  if (broker !== undefined) {
    files.set("broker/nats.json", containerNatsConfig(topology, broker));
    files.set("broker/layout.json", brokerLayoutFile(topology, broker));
  }
  files.set("kustomization.yaml", [
    {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      namespace,
      resources: resourceList,
      ...(broker !== undefined
        ? {
            configMapGenerator: [
              { name: brokerConfigMaps.config, files: ["nats.json=broker/nats.json"] },
              { name: brokerConfigMaps.layout, files: ["layout.json=broker/layout.json"] },
            ],
          }
        : {}),
    },
  ]);

  return files;
}

export { serviceAccount, clusterService, disruptionBudget };
