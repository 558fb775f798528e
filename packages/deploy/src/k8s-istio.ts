// deploy/k8s/overlays/istio: the shop on an Istio mesh instead of our sidecars. Istio injects its
// own proxy into every pod of the namespace; mutual TLS is STRICT; each callee has one
// AuthorizationPolicy allowing exactly the topology's callers per method (principals from their
// ServiceAccounts); DestinationRules carry the sidecars' connection limits and outlier detection,
// VirtualServices the topology's timeouts and retries; an ingress gateway takes gRPC and gRPC-web
// with the gateway's token rules. The broker's port is plain TCP to Istio (NATS's own TLS rides
// inside Istio's mutual TLS): an AuthorizationPolicy admits exactly the services that publish or
// consume events, and the setup Job, by principal; NATS's own TLS identity decides what each may do
// there. Needs Istio installed with meshConfig.trustDomain set to the topology's trust domain
// (docs/deploy.md).
import { containerPorts, type ServiceNode, type Topology } from "@shopmesh/mesh";
import { brokerHost, brokerPorts, brokerSetupName, deployedBroker, usesBroker } from "./broker.js";
import { serviceAccount, servicePort } from "./k8s-base.js";
import { fromPods, ingressPortName, networkPolicy } from "./k8s-network-policies.js";
import { callersOf, edgePaths, type Json, labels, meta, namespace, selectorOf, servesEdge } from "./k8s-common.js";

export const ingressName = "ingress-gateway";
/** The label Istio's gateway Deployment and its Gateway select on. */
const ingressSelector = { istio: "shop-ingress" };
/** The Secret (kubernetes.io/tls) with the ingress's certificate, from `make k8s-secrets`. */
export const ingressTlsSecret = "ingress-tls";

/** An Istio principal: `<trust domain>/ns/<namespace>/sa/<service account>`. */
export function principal(topology: Topology, serviceAccountName: string): string {
  return `${topology.trustDomain}/ns/${namespace}/sa/${serviceAccountName}`;
}

const host = (service: ServiceNode): string => `${service.name}.${namespace}.svc.cluster.local`;
const path = (service: ServiceNode, method: string): string => `/${service.service}/${method}`;

function authorizationPolicy(topology: Topology, service: ServiceNode): Json {
  const rules: Json[] = callersOf(topology, service).map((caller) => {
    const grant = caller.calls.find((g) => g.callee === service.name);
    return {
      from: [{ source: { principals: [principal(topology, caller.name)] } }],
      to: [{ operation: { paths: (grant?.methods ?? []).map((m) => path(service, m)) } }],
    };
  });
  const edge = edgePaths(topology, service);
  const fromEdge = [...edge.public, ...edge.user];
  if (fromEdge.length > 0) {
    rules.push({ from: [{ source: { principals: [principal(topology, ingressName)] } }], to: [{ operation: { paths: fromEdge } }] });
  }
  // An ALLOW policy without rules allows nothing: a service nobody calls is closed.
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: meta(service.name),
    spec: { selector: selectorOf(service.name), action: "ALLOW", ...(rules.length > 0 ? { rules } : {}) },
  };
}

/** As the sidecars' clusters (packages/mesh/src/envoy.ts grpcCluster): limits of 1024 and ejection after five 5xx in a row. */
function destinationRule(service: ServiceNode): Json {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: meta(service.name),
    spec: {
      host: host(service),
      trafficPolicy: {
        tls: { mode: "ISTIO_MUTUAL" },
        connectionPool: {
          tcp: { maxConnections: 1024, connectTimeout: "0.25s" },
          http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024 },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          consecutiveGatewayErrors: 3,
          splitExternalLocalOriginErrors: true,
          interval: "1s",
          baseEjectionTime: "2s",
          maxEjectionPercent: 50,
        },
      },
    },
  };
}

/** One route per method with the topology's timeout; retries as the sidecars': idempotent methods on UNAVAILABLE and resets too. */
function methodRoutes(service: ServiceNode, methods: readonly string[], extra: Json = {}): Json[] {
  return methods.map((method) => {
    const destination = [{ destination: { host: host(service), port: { number: servicePort } } }];
    const match = [{ uri: { exact: path(service, method) } }];
    if (service.streaming.includes(method))
      return { name: method, match, route: destination, timeout: "0s", retries: { attempts: 0 }, ...extra };
    const idempotent = service.idempotent.includes(method);
    return {
      name: method,
      match,
      route: destination,
      timeout: service.timeout,
      retries: {
        attempts: idempotent ? 4 : 2,
        retryOn: idempotent ? "connect-failure,refused-stream,unavailable,reset" : "connect-failure,refused-stream",
        ...(idempotent && service.tryTimeout !== undefined ? { perTryTimeout: service.tryTimeout } : {}),
      },
      ...extra,
    };
  });
}

function virtualService(topology: Topology, service: ServiceNode): Json {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: meta(service.name),
    spec: {
      hosts: [host(service)],
      http: [
        ...methodRoutes(service, routedMethods(topology, service)),
        // Health, reflection and anything the AuthorizationPolicy refuses anyway.
        { name: "rest", route: [{ destination: { host: host(service), port: { number: servicePort } } }] },
      ],
    },
  };
}

/** The methods the topology routes anywhere: granted to a caller, public or user. */
function routedMethods(topology: Topology, service: ServiceNode): string[] {
  const granted = callersOf(topology, service).flatMap((c) => c.calls.find((g) => g.callee === service.name)?.methods ?? []);
  return [...new Set([...granted, ...service.publicMethods, ...service.userMethods])];
}

const corsPolicy = {
  allowOrigins: [{ regex: "^https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?$" }],
  allowMethods: ["POST", "OPTIONS"],
  allowHeaders: ["authorization", "content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "connect-protocol-version"],
  exposeHeaders: ["grpc-status", "grpc-message", "grpc-status-details-bin"],
  maxAge: "600s",
};

function ingress(topology: Topology): Json[] {
  const edge = topology.services.filter((s) => servesEdge(topology, s));
  const identityHeader = "x-shop-user-id";
  const publicPaths = edge.flatMap((s) => edgePaths(topology, s).public);
  const userPaths = edge.flatMap((s) => edgePaths(topology, s).user);
  const reflectionVia = topology.services.find((s) => s.name === topology.gateway.reflectionVia);
  if (reflectionVia === undefined) throw new Error("gateway.reflectionVia names no service");
  const edgeRoutes = edge.flatMap((s) => [
    // A client's own copy of the identity header never passes; on user methods it is the token's subject.
    ...methodRoutes(s, s.publicMethods, { headers: { request: { remove: [identityHeader] } } }),
    ...methodRoutes(s, s.userMethods),
  ]);
  const reflectionRoute = {
    name: "reflection",
    match: [{ uri: { prefix: "/grpc.reflection." } }],
    route: [{ destination: { host: host(reflectionVia), port: { number: servicePort } } }],
  };
  return [
    serviceAccount(ingressName),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(ingressName),
      spec: {
        type: "LoadBalancer",
        selector: ingressSelector,
        ports: [
          { name: "http2", port: containerPorts.gateway, targetPort: containerPorts.gateway },
          { name: "https", port: containerPorts.gatewayTls, targetPort: containerPorts.gatewayTls },
        ],
      },
    },
    {
      // Istio's gateway injection: the `auto` image and the proxy are filled in by Istio's webhook.
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(ingressName),
      spec: {
        replicas: 2,
        selector: { matchLabels: ingressSelector },
        template: {
          metadata: {
            annotations: { "inject.istio.io/templates": "gateway" },
            labels: { ...labels(ingressName), ...ingressSelector, "sidecar.istio.io/inject": "true" },
          },
          spec: { serviceAccountName: ingressName, containers: [{ name: "istio-proxy", image: "auto" }] },
        },
      },
    },
    {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: meta(ingressName),
      spec: {
        selector: ingressSelector,
        servers: [
          { port: { number: containerPorts.gateway, name: "http2", protocol: "HTTP2" }, hosts: ["*"] },
          {
            port: { number: containerPorts.gatewayTls, name: "https", protocol: "HTTPS" },
            hosts: ["*"],
            tls: { mode: "SIMPLE", credentialName: ingressTlsSecret },
          },
        ],
      },
    },
    {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: meta(ingressName),
      spec: { hosts: ["*"], gateways: [ingressName], http: [...edgeRoutes.map((r) => ({ ...r, corsPolicy })), reflectionRoute] },
    },
    {
      // The gateway's token rules (topology gateway.jwt): ES256 tokens from the user service. The JWKS is
      // rendered by `make k8s-secrets` (.run/k8s/istio-jwks.yaml) and applied over this empty one.
      apiVersion: "security.istio.io/v1",
      kind: "RequestAuthentication",
      metadata: meta(ingressName),
      spec: {
        selector: { matchLabels: ingressSelector },
        jwtRules: [
          {
            issuer: topology.gateway.jwt.issuer,
            audiences: [topology.gateway.jwt.audience],
            jwks: JSON.stringify({ keys: [] }),
            fromHeaders: [{ name: "authorization", prefix: "Bearer " }],
            outputClaimToHeaders: [{ header: identityHeader, claim: "sub" }],
          },
        ],
      },
    },
    {
      // Public methods (and reflection) for anyone, user methods with a valid token, nothing else.
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: meta(ingressName),
      spec: {
        selector: { matchLabels: ingressSelector },
        action: "ALLOW",
        rules: [
          { to: [{ operation: { paths: publicPaths } }] },
          { from: [{ source: { requestPrincipals: [`${topology.gateway.jwt.issuer}/*`] } }], to: [{ operation: { paths: userPaths } }] },
          // CORS preflights of the storefront carry no token.
          { to: [{ operation: { methods: ["OPTIONS"], paths: userPaths } }] },
        ],
      },
    },
    networkPolicy(ingressName, {
      podSelector: { matchLabels: ingressSelector },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          ports: [
            { protocol: "TCP", port: containerPorts.gateway },
            { protocol: "TCP", port: containerPorts.gatewayTls },
          ],
        },
      ],
      egress: [{ to: fromPods(edge.map((s) => s.name)), ports: [{ protocol: "TCP", port: ingressPortName }] }],
    }),
    ...edge.map((s) =>
      networkPolicy(`${s.name}-from-gateway`, {
        podSelector: selectorOf(s.name),
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: ingressSelector } }], ports: [{ protocol: "TCP", port: ingressPortName }] }],
      }),
    ),
  ];
}

/**
 * Who may open a connection to the broker's client port: the services that publish or consume
 * events, and the setup Job. TCP, so no paths: which subjects each may use is the broker's own
 * authorization (its TLS client certificate's SPIFFE ID, natsConfig), not Istio's.
 */
function brokerAuthorization(topology: Topology): Json {
  const clients = [...topology.services.filter(usesBroker).map((s) => s.name), brokerSetupName];
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: meta(brokerHost),
    spec: {
      selector: selectorOf(brokerHost),
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { principals: clients.map((c) => principal(topology, c)) } }],
          to: [{ operation: { ports: [String(brokerPorts.client)] } }],
        },
      ],
    },
  };
}

/**
 * Istio's proxy as a native sidecar in the setup Job's pod: it stops once the setup has exited, so
 * the Job completes (a proxy in a plain container would keep the pod running).
 */
const setupJobPatch = {
  target: { kind: "Job", name: brokerSetupName },
  patch: JSON.stringify([{ op: "add", path: "/spec/template/metadata/annotations", value: { "sidecar.istio.io/nativeSidecar": "true" } }]),
};

/** Every pod's proxy reaches istiod for its configuration and certificates. */
const istiod = networkPolicy("istiod", {
  podSelector: {},
  policyTypes: ["Egress"],
  egress: [
    {
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
          podSelector: { matchLabels: { app: "istiod" } },
        },
      ],
      ports: [{ protocol: "TCP", port: 15012 }],
    },
  ],
});

/** The overlay's files (relative to deploy/k8s/overlays/istio). */
export function istioFiles(topology: Topology): Map<string, unknown> {
  const files = new Map<string, unknown>();
  files.set("peer-authentication.yaml", [
    {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", labels: { "app.kubernetes.io/part-of": "shopmesh" } },
      spec: { mtls: { mode: "STRICT" } },
    },
  ]);
  files.set(
    "authorization-policies.yaml",
    topology.services.map((s) => authorizationPolicy(topology, s)),
  );
  files.set("destination-rules.yaml", topology.services.map(destinationRule));
  files.set(
    "virtual-services.yaml",
    topology.services.map((s) => virtualService(topology, s)),
  );
  files.set("ingress.yaml", ingress(topology));
  const broker = deployedBroker(topology);
  if (broker !== undefined) files.set("broker.yaml", [brokerAuthorization(topology)]);
  files.set("network-policies.yaml", [istiod]);
  files.set("kustomization.yaml", [
    {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      namespace,
      resources: ["../../base", ...[...files.keys()]],
      patches: [
        {
          target: { kind: "Namespace", name: namespace },
          patch: JSON.stringify([{ op: "add", path: "/metadata/labels/istio-injection", value: "enabled" }]),
        },
        ...(broker !== undefined ? [setupJobPatch] : []),
      ],
    },
  ]);
  return files;
}
