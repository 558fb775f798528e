// deploy/k8s/overlays/sidecars: the mesh of `make up` on Kubernetes. Our generated Envoy is a
// second container (a native sidecar) in every service's pod (its ingress takes the named port `ingress`), the
// gateway is a Deployment with a Service, and certificates come from Secrets that
// `make k8s-secrets` renders from a local CA (never committed). A service's Service is headless,
// so each caller's Envoy sees every pod and balances and health-checks them itself.
import { containerPorts, type ServiceNode, type Topology } from "@shopmesh/mesh";
import { containerGateway, containerSidecar, kubernetesPeers } from "./container-envoy.js";
import { thirdPartyImages } from "./images.js";
import { clusterService, disruptionBudget, secretNames, serviceAccount } from "./k8s-base.js";
import { fromPods, ingressPortName, networkPolicy } from "./k8s-network-policies.js";
import { type Json, labels, meta, namespace, podSecurity, resources, restrictedContainer, selectorOf, servesEdge } from "./k8s-common.js";

/** The Secret with `workload`'s certificate and key (an SDS file), and the one with the mesh CA. */
export const meshSecret = (workload: string): string => `mesh-${workload}`;
export const trustSecret = "mesh-ca";

const envoyUid = 101;

/** Envoy's admin /ready on the pod's loopback (the admin is not reachable from outside the pod). */
const envoyReady = {
  exec: {
    command: ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9901 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q LIVE <&3"],
  },
  periodSeconds: 5,
};

function pkiVolume(workload: string): Json {
  return {
    name: "mesh-pki",
    projected: {
      sources: [
        { secret: { name: trustSecret, items: [{ key: "sds-trust.json", path: "sds-trust.json" }] } },
        { secret: { name: meshSecret(workload), items: [{ key: "sds-certificate.json", path: `${workload}/sds-certificate.json` }] } },
      ],
    },
  };
}

function envoyContainer(ports: Json[]): Json {
  return {
    name: "envoy",
    image: thirdPartyImages.envoy,
    // Envoy itself, not the image's entrypoint script (which would switch users); no hot restart in a pod.
    command: ["envoy"],
    args: ["-c", "/etc/envoy/envoy.json", "--log-level", "warn", "--disable-hot-restart"],
    ports,
    readinessProbe: envoyReady,
    resources: resources.envoy,
    securityContext: { ...restrictedContainer, runAsUser: envoyUid, runAsGroup: envoyUid },
    volumeMounts: [
      { name: "envoy-config", mountPath: "/etc/envoy", readOnly: true },
      { name: "mesh-pki", mountPath: "/etc/shopmesh/pki", readOnly: true },
    ],
  };
}

/**
 * The sidecar added to a service's pod; the service's own port becomes `app` (only its sidecar's is
 * `ingress`). A native sidecar (an init container that keeps running, Kubernetes ≥ 1.29): it is
 * ready before the service starts, so the service's first calls out find its egress, and it stops
 * only after the service has drained, so no call in flight loses its proxy.
 */
function sidecarPatch(service: ServiceNode): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: service.name },
    spec: {
      template: {
        spec: {
          initContainers: [
            {
              ...envoyContainer([{ name: ingressPortName, containerPort: containerPorts.ingress }]),
              restartPolicy: "Always",
              startupProbe: { ...envoyReady, periodSeconds: 1, failureThreshold: 30 },
            },
          ],
          containers: [{ name: "app", ports: [{ containerPort: containerPorts.app, name: "app" }] }],
          volumes: [{ name: "envoy-config", configMap: { name: `envoy-${service.name}` } }, pkiVolume(service.name)],
        },
      },
    },
  };
}

/** Headless: the name resolves to every ready pod, each an endpoint of the callers' Envoys. */
function headlessPatch(service: ServiceNode): Json {
  return { apiVersion: "v1", kind: "Service", metadata: { name: service.name }, spec: { clusterIP: "None" } };
}

function gateway(topology: Topology): Json[] {
  const name = "gateway";
  return [
    serviceAccount(name),
    clusterService(name, [
      { name: "grpc-web", port: containerPorts.gateway, targetPort: "http" },
      { name: "https", port: containerPorts.gatewayTls, targetPort: "https" },
    ]),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(name),
      spec: {
        replicas: 2,
        selector: selectorOf(name),
        template: {
          metadata: { labels: labels(name) },
          spec: {
            serviceAccountName: name,
            securityContext: podSecurity(envoyUid),
            containers: [
              {
                ...envoyContainer([
                  { name: "http", containerPort: containerPorts.gateway },
                  { name: "https", containerPort: containerPorts.gatewayTls },
                ]),
                volumeMounts: [
                  { name: "envoy-config", mountPath: "/etc/envoy", readOnly: true },
                  { name: "mesh-pki", mountPath: "/etc/shopmesh/pki", readOnly: true },
                  { name: "jwks", mountPath: "/etc/shopmesh/jwks", readOnly: true },
                ],
                // Until its Service stops routing here, Envoy goes on taking calls (it exits at once on SIGTERM).
                lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
              },
            ],
            volumes: [
              { name: "envoy-config", configMap: { name: "envoy-gateway" } },
              pkiVolume(name),
              { name: "jwks", secret: { secretName: secretNames.jwks, items: [{ key: "jwks.json", path: "jwks.json" }] } },
            ],
          },
        },
      },
    },
    disruptionBudget(name),
    networkPolicy("gateway", {
      podSelector: selectorOf(name),
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          ports: [
            { protocol: "TCP", port: containerPorts.gateway },
            { protocol: "TCP", port: containerPorts.gatewayTls },
          ],
        },
      ],
      egress: [{ to: fromPods(topology.services.filter((s) => servesEdge(topology, s)).map((s) => s.name)), ports: [ingressPort] }],
    }),
    ...topology.services
      .filter((s) => servesEdge(topology, s))
      .map((s) =>
        networkPolicy(`${s.name}-from-gateway`, {
          podSelector: selectorOf(s.name),
          policyTypes: ["Ingress"],
          ingress: [{ from: fromPods([name]), ports: [ingressPort] }],
        }),
      ),
  ];
}

const ingressPort = { protocol: "TCP", port: ingressPortName };

/** The overlay's files (relative to deploy/k8s/overlays/sidecars). */
export function sidecarsFiles(topology: Topology): Map<string, unknown> {
  const files = new Map<string, unknown>();
  const patches: Json[] = [];
  const configMaps: Json[] = [];
  for (const service of topology.services) {
    // Every pod of a service has the same config: the first replica's (its certificate is the service's).
    const replica = service.replicas[0];
    if (replica === undefined) throw new Error(`${service.name} has no replica`);
    files.set(`envoy/sidecar-${service.name}.json`, containerSidecar(topology, service, replica, { peerHosts: kubernetesPeers }));
    files.set(`patches/${service.name}.yaml`, [sidecarPatch(service), headlessPatch(service)]);
    patches.push({ path: `patches/${service.name}.yaml` });
    configMaps.push({ name: `envoy-${service.name}`, files: [`envoy.json=envoy/sidecar-${service.name}.json`] });
  }
  files.set("envoy/gateway.json", containerGateway(topology, { peerHosts: kubernetesPeers }));
  configMaps.push({ name: "envoy-gateway", files: ["envoy.json=envoy/gateway.json"] });
  files.set("gateway.yaml", gateway(topology));
  files.set("kustomization.yaml", [
    {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      namespace,
      resources: ["../../base", "gateway.yaml"],
      // A changed Envoy config is a new ConfigMap name, so the pods roll.
      configMapGenerator: configMaps,
      patches,
    },
  ]);
  return files;
}
