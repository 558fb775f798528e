// The event broker on Kubernetes (in the base, so both overlays have it): nats-server as a
// StatefulSet of one with a volume for JetStream and a headless Service, its configuration a
// ConfigMap rendered from the mesh's natsConfig, its certificate from a Secret `make k8s-secrets`
// renders; a Job that sets up the streams and consumers with the admin's certificate. Clients speak
// NATS's own TLS with their service's certificate (BROKER_* in their Deployments).
import type { Topology } from "@shopmesh/mesh";
import {
  brokerAdminWorkload,
  brokerHealthCommand,
  brokerHost,
  brokerPaths,
  brokerPorts,
  brokerSetupCommand,
  brokerSetupEnv,
  brokerSetupImage,
  brokerSetupName,
} from "./broker.js";
import { thirdPartyImages } from "./images.js";
import { clusterService, serviceAccount } from "./k8s-base.js";
import { type Json, labels, meta, podSecurity, resources, restrictedContainer, selectorOf } from "./k8s-common.js";
import { meshSecret, trustSecret } from "./k8s-sidecars.js";

/** The ConfigMaps (kustomize's configMapGenerator: a changed file is a new name, so the broker rolls). */
export const brokerConfigMaps = { config: "broker-config", layout: "broker-layout" } as const;

/** The Service's port: declared TCP (`tcp-` and appProtocol), as NATS speaks first and Istio must not sniff for HTTP. */
export const brokerPortName = "tcp-nats";

const uid = 1000;

/** The CA and `workload`'s certificate and key as PEM files, where BROKER_* and the broker's config name them. */
export function brokerPkiVolume(workload: string): Json {
  return {
    name: "broker-pki",
    projected: {
      // Readable by the pod's group (fsGroup) only.
      defaultMode: 0o440,
      sources: [
        { secret: { name: trustSecret, items: [{ key: "ca.pem", path: "ca.pem" }] } },
        {
          secret: {
            name: meshSecret(workload),
            items: [
              { key: "cert.pem", path: `${workload}/cert.pem` },
              { key: "key.pem", path: `${workload}/key.pem` },
            ],
          },
        },
      ],
    },
  };
}

export const brokerPkiMount = { name: "broker-pki", mountPath: "/etc/shopmesh/pki", readOnly: true };

const healthProbe = { exec: { command: brokerHealthCommand } };

function brokerSet(): Json {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta(brokerHost),
    spec: {
      serviceName: brokerHost,
      replicas: 1,
      selector: selectorOf(brokerHost),
      template: {
        metadata: { labels: labels(brokerHost) },
        spec: {
          serviceAccountName: brokerHost,
          securityContext: podSecurity(uid),
          containers: [
            {
              name: "nats",
              image: thirdPartyImages.nats,
              command: ["nats-server"],
              args: ["--config", brokerPaths.config],
              ports: [{ name: "nats", containerPort: brokerPorts.client }],
              readinessProbe: { ...healthProbe, periodSeconds: 5 },
              livenessProbe: { ...healthProbe, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
              resources: resources.broker,
              securityContext: restrictedContainer,
              volumeMounts: [
                { name: "config", mountPath: "/etc/nats", readOnly: true },
                brokerPkiMount,
                { name: "data", mountPath: brokerPaths.dataDir },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: brokerConfigMaps.config, items: [{ key: "nats.json", path: "nats.json" }] } },
            brokerPkiVolume(brokerHost),
          ],
        },
      },
      volumeClaimTemplates: [
        // JetStream's file store is limited to 1 GiB (natsConfig); room for its index beside it.
        { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } } },
      ],
    },
  };
}

/**
 * Every producer's stream, every consumer's dead letters and durable consumer. It waits for the
 * broker; a Job's template cannot change, so a new layout is `kubectl delete job broker-setup` and
 * apply again (the setup updates what exists).
 */
function setupJob(topology: Topology): Json {
  const env = Object.entries(brokerSetupEnv()).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(brokerSetupName),
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: labels(brokerSetupName) },
        spec: {
          serviceAccountName: brokerSetupName,
          restartPolicy: "OnFailure",
          securityContext: podSecurity(uid),
          containers: [
            {
              name: "setup",
              image: brokerSetupImage(topology),
              command: brokerSetupCommand,
              env,
              resources: resources.node,
              securityContext: restrictedContainer,
              volumeMounts: [{ name: "layout", mountPath: "/etc/shopmesh/broker", readOnly: true }, brokerPkiMount],
            },
          ],
          volumes: [
            { name: "layout", configMap: { name: brokerConfigMaps.layout, items: [{ key: "layout.json", path: "layout.json" }] } },
            brokerPkiVolume(brokerAdminWorkload),
          ],
        },
      },
    },
  };
}

/** broker.yaml's documents. */
export function brokerDocuments(topology: Topology): Json[] {
  return [
    serviceAccount(brokerHost),
    clusterService(brokerHost, [{ name: brokerPortName, appProtocol: "tcp", port: brokerPorts.client, targetPort: "nats" }], {
      clusterIP: "None",
    }),
    brokerSet(),
    serviceAccount(brokerSetupName),
    setupJob(topology),
  ];
}
