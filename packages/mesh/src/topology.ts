// deploy/topology.yaml, validated and with every port worked out from the base.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { shopFiles } from "@shopmesh/kit";
import { z } from "zod";
import { loadFaults, type FaultScenario } from "./faults.js";
import type { Workload } from "./pki.js";

const methodList = z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: "must be a method name like GetProduct" }));
const duration = z.string().regex(/^\d+(\.\d+)?s$/, { error: "must be seconds, like 2s" });
const eventList = z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: "must be an event message name like OrderConfirmed" }));
/** Replicas of one service; every replica after the first takes two ports from the base+60..99 range. */
const maxReplicas = 8;
const extraReplicaPorts = 20;
/** Every port a topology uses lies in base..base+portSpan-1 (metrics ports are the last: base+100..139). */
export const portSpan = 140;

/** The languages a service may be implemented in; `node` is services/<name>, `go` services/<name>-go. */
export const implementations = ["node", "go"] as const;
export type Implementation = (typeof implementations)[number];

const tokenBucket = z.object({ perSecond: z.number().int().min(1), burst: z.number().int().min(1) });

const topologySchema = z.object({
  portBase: z.number().int().min(1024).max(65_000),
  trustDomain: z.string().regex(/^[a-z0-9.-]+$/, { error: "must be a trust domain like shopmesh.local" }),
  gateway: z.object({
    port: z.number().int().min(0),
    tlsPort: z.number().int().min(0),
    adminPort: z.number().int().min(0),
    rateLimits: z.object({
      default: tokenBucket,
      methods: z.record(z.string().regex(/^shop\.[a-z]+\.v\d+\.[A-Za-z]+\/[A-Z][A-Za-z0-9]*$/), tokenBucket).default({}),
    }),
    jwt: z.object({ issuer: z.string().min(1), audience: z.string().min(1), jwks: z.string().min(1) }),
    reflectionVia: z.string(),
  }),
  web: z.object({ port: z.number().int().min(0) }),
  tracing: z
    .object({ enabled: z.boolean().default(true), sampling: z.number().min(0).max(1).default(1), port: z.number().int().min(0) })
    .optional(),
  broker: z
    .object({
      port: z.number().int().min(0),
      monitorPort: z.number().int().min(0),
      maxTries: z.number().int().min(1).max(20).default(5),
      ackWait: duration.default("10s"),
    })
    .optional(),
  stores: z.record(z.string(), z.object({ kind: z.enum(["mongodb", "redis"]), port: z.number().int().min(0) })),
  services: z.record(
    z.string().regex(/^[a-z]+$/),
    z.object({
      service: z.string().regex(/^shop\.[a-z]+\.v\d+\.[A-Z][A-Za-z]+Service$/),
      store: z.object({ server: z.string(), database: z.string().optional() }),
      calls: z.record(z.string(), methodList),
      actsForUser: z.boolean().default(false),
      public: methodList,
      user: methodList,
      idempotent: methodList,
      streaming: methodList.default([]),
      timeout: duration,
      tryTimeout: duration.optional(),
      replicas: z.number().int().min(1).max(maxReplicas).default(1),
      impl: z.enum(implementations).default("node"),
      publishes: eventList.default([]),
      consumes: z.record(z.string(), eventList).default({}),
    }),
  ),
});

export type TopologyFile = z.output<typeof topologySchema>;

/** Events of one producer a service consumes. */
export interface EventSubscription {
  readonly producer: string;
  /** Full message type names, e.g. shop.order.v1.OrderConfirmed. */
  readonly events: readonly string[];
}

/**
 * The event broker (NATS with JetStream): clients on `port` over TLS, each authenticated by its
 * mesh certificate; HTTP monitoring on `monitorPort`. A consumer gets a message that failed
 * again until it is handled; one that fails `maxTries` times for a reason of its own (not an
 * outage of the consumer's store) goes to the consumer's dead letters. A try that takes longer
 * than `ackWaitMs` counts as failed and the message comes again.
 */
export interface BrokerNode {
  readonly port: number;
  readonly monitorPort: number;
  /** The SPIFFE ID in the broker's certificate. */
  readonly identity: string;
  /** The SPIFFE ID of the mesh's own client, which sets up streams and consumers. */
  readonly adminIdentity: string;
  readonly maxTries: number;
  readonly ackWaitMs: number;
}

export interface StoreNode {
  readonly name: string;
  readonly kind: "mongodb" | "redis";
  readonly port: number;
}

export interface TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
}

/** One callee a service may call, and which of its methods. */
export interface CallGrant {
  readonly callee: string;
  readonly methods: readonly string[];
}

/**
 * One process of a service with its own sidecar, like a pod. Every replica has the service's
 * identity (authorization is per service) but a key and certificate of its own. The first replica
 * is named like the service; the others `<service>-2`, `<service>-3`…
 */
export interface Replica {
  /** Its workload name: its process, its sidecar, its socket and its certificate are named after it. */
  readonly name: string;
  /** 1 for the first. */
  readonly ordinal: number;
  readonly ingressPort: number;
  readonly adminPort: number;
  /** Where its process serves /metrics (Prometheus text) on 127.0.0.1, in the mesh. */
  readonly metricsPort: number;
}

export interface ServiceNode {
  readonly name: string;
  /** Fully qualified gRPC service name. */
  readonly service: string;
  /** The SPIFFE ID in its sidecar's certificate. */
  readonly identity: string;
  readonly store: { readonly server: string; readonly database: string | undefined };
  readonly calls: readonly CallGrant[];
  /** Whether its calls may carry a user's identity header. */
  readonly actsForUser: boolean;
  readonly publicMethods: readonly string[];
  readonly userMethods: readonly string[];
  readonly idempotent: readonly string[];
  readonly streaming: readonly string[];
  readonly timeout: string;
  /** Per attempt of an idempotent call: a slower attempt is given up and retried on another replica. */
  readonly tryTimeout: string | undefined;
  /** Outside the mesh (one process, no sidecar). */
  readonly appPort: number;
  /** The first replica's sidecar ports. */
  readonly ingressPort: number;
  readonly adminPort: number;
  /** In the mesh; the first has the ports above. */
  readonly replicas: readonly Replica[];
  /** Which implementation runs: the TypeScript one (node) or the Go one (go); the same contract either way. */
  readonly impl: Implementation;
  /** Full type names of the events it publishes (messages of its own package). */
  readonly publishes: readonly string[];
  readonly consumes: readonly EventSubscription[];
}

export interface Topology {
  readonly base: number;
  readonly trustDomain: string;
  readonly gateway: {
    /** The SPIFFE ID in the gateway's certificate. */
    readonly identity: string;
    readonly port: number;
    readonly tlsPort: number;
    readonly adminPort: number;
    readonly rateLimits: { readonly default: TokenBucket; readonly methods: Readonly<Record<string, TokenBucket>> };
    readonly jwt: { readonly issuer: string; readonly audience: string; readonly jwks: string };
    readonly reflectionVia: string;
  };
  /** Port of the storefront's static server. */
  readonly webPort: number;
  /**
   * Traces through the Envoys and the services, collected by Zipkin on `port` (its UI at /zipkin/);
   * `sampling` is the share of the requests the gateway traces. Off: no collector and no exporter.
   */
  readonly tracing: { readonly enabled: boolean; readonly sampling: number; readonly port: number };
  readonly stores: readonly StoreNode[];
  /** Undefined: no service publishes or consumes events. */
  readonly broker: BrokerNode | undefined;
  readonly services: readonly ServiceNode[];
  /** The failure scenarios of faults.yaml beside the topology file (none when parsed from data alone). */
  readonly faults: readonly FaultScenario[];
}

/** What a run may change from the file: the port base (SHOP_PORT_BASE), replica counts per service, tracing. */
export interface TopologyOverrides {
  readonly base?: number | undefined;
  readonly replicas?: Readonly<Record<string, number>> | undefined;
  /** Tracing on or off whatever the file says (`make up TRACING=off`, test meshes). */
  readonly tracing?: boolean | undefined;
  /** The implementation per service instead of the file's (e.g. `{ shipping: "go" }`). */
  readonly impl?: Readonly<Record<string, Implementation>> | undefined;
  /**
   * The edge's bucket for every route without one of its own, instead of the file's default: for a
   * benchmark measuring what the shop can carry, not where the edge starts refusing.
   */
  readonly gatewayRateLimit?: TokenBucket | undefined;
}

/** Reads and checks the topology. */
export function loadTopology(path: string, overrides: TopologyOverrides = {}): Topology {
  const topology = parseTopology(parse(readFileSync(path, "utf8")), path, overrides);
  return { ...topology, faults: loadFaults(path, topology) };
}

/** Checks a topology already read (YAML parsed to plain data); `source` names it in errors. */
export function parseTopology(data: unknown, source: string, overrides: TopologyOverrides = {}): Topology {
  const parsed = topologySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join(".") ?? "?"} ${issue?.message ?? "is invalid"}`);
  }
  return buildTopology(parsed.data, overrides);
}

function checkedBucket(bucket: TokenBucket): TokenBucket {
  const parsed = tokenBucket.safeParse(bucket);
  if (!parsed.success)
    throw new Error(`gatewayRateLimit: perSecond and burst must be whole numbers of at least 1, not ${JSON.stringify(bucket)}`);
  return parsed.data;
}

export function buildTopology(file: TopologyFile, overrides: TopologyOverrides = {}): Topology {
  const base = overrides.base ?? file.portBase;
  for (const [name, count] of Object.entries(overrides.replicas ?? {})) {
    if (!(name in file.services)) throw new Error(`replicas: no service ${name} in the topology`);
    if (!Number.isInteger(count) || count < 1 || count > maxReplicas)
      throw new Error(`replicas of ${name}: 1..${maxReplicas}, not ${count}`);
  }
  for (const [name, impl] of Object.entries(overrides.impl ?? {})) {
    if (!(name in file.services)) throw new Error(`impl: no service ${name} in the topology`);
    if (!implementations.includes(impl)) throw new Error(`impl of ${name}: one of ${implementations.join(", ")}, not ${impl}`);
  }
  const names = Object.keys(file.services);
  let extra = 0;
  const replicasOf = (name: string, i: number, count: number): Replica[] =>
    Array.from({ length: count }, (_, r): Replica => {
      if (r === 0) return { name, ordinal: 1, ingressPort: base + 30 + i, adminPort: base + 50 + i, metricsPort: base + 100 + i };
      if (extra === extraReplicaPorts)
        throw new Error(`services: at most ${extraReplicaPorts} replicas in all beyond each service's first`);
      const k = extra++;
      return {
        name: `${name}-${r + 1}`,
        ordinal: r + 1,
        ingressPort: base + 60 + k,
        adminPort: base + 80 + k,
        metricsPort: base + 120 + k,
      };
    });
  const services = names.map((name, i): ServiceNode => {
    const s = file.services[name];
    if (s === undefined) throw new Error(`no service ${name}`);
    const calls = Object.entries(s.calls).map(([callee, methods]): CallGrant => {
      if (!(callee in file.services)) throw new Error(`services.${name}.calls names unknown service ${callee}`);
      return { callee, methods };
    });
    if (!(s.store.server in file.stores)) throw new Error(`services.${name}.store names unknown store ${s.store.server}`);
    const eventsOf = (service: string, names: readonly string[]) => names.map((event) => `${packageOf(service)}.${event}`);
    const consumes = Object.entries(s.consumes).map(([producer, events]): EventSubscription => {
      const publisher = file.services[producer];
      if (publisher === undefined) throw new Error(`services.${name}.consumes names unknown service ${producer}`);
      const unpublished = events.filter((event) => !publisher.publishes.includes(event));
      if (unpublished.length > 0)
        throw new Error(`services.${name}.consumes.${producer}: ${producer} does not publish ${unpublished.join(", ")}`);
      return { producer, events: eventsOf(publisher.service, events) };
    });
    return {
      name,
      service: s.service,
      identity: `spiffe://${file.trustDomain}/svc/${name}`,
      store: { server: s.store.server, database: s.store.database },
      calls,
      actsForUser: s.actsForUser,
      publicMethods: s.public,
      userMethods: s.user,
      idempotent: s.idempotent,
      streaming: s.streaming,
      timeout: s.timeout,
      tryTimeout: s.tryTimeout,
      appPort: base + 20 + i,
      ingressPort: base + 30 + i,
      adminPort: base + 50 + i,
      replicas: replicasOf(name, i, overrides.replicas?.[name] ?? s.replicas),
      impl: overrides.impl?.[name] ?? s.impl,
      publishes: eventsOf(s.service, s.publishes),
      consumes,
    };
  });
  if (!(file.gateway.reflectionVia in file.services)) throw new Error(`gateway.reflectionVia names unknown service`);
  checkMethodsExist(file, services);
  checkEventsExist(services);
  const usesEvents = services.some((s) => s.publishes.length > 0);
  if (usesEvents && file.broker === undefined) throw new Error("services publish events, but the topology has no broker");
  return {
    base,
    trustDomain: file.trustDomain,
    gateway: {
      identity: `spiffe://${file.trustDomain}/gateway`,
      port: base + file.gateway.port,
      tlsPort: base + file.gateway.tlsPort,
      adminPort: base + file.gateway.adminPort,
      rateLimits:
        overrides.gatewayRateLimit === undefined
          ? file.gateway.rateLimits
          : { ...file.gateway.rateLimits, default: checkedBucket(overrides.gatewayRateLimit) },
      jwt: file.gateway.jwt,
      reflectionVia: file.gateway.reflectionVia,
    },
    webPort: base + file.web.port,
    tracing: {
      enabled: overrides.tracing ?? file.tracing?.enabled ?? false,
      sampling: file.tracing?.sampling ?? 1,
      port: base + (file.tracing?.port ?? 4),
    },
    stores: Object.entries(file.stores).map(([name, s]) => ({ name, kind: s.kind, port: base + s.port })),
    broker:
      file.broker === undefined || !usesEvents
        ? undefined
        : {
            port: base + file.broker.port,
            monitorPort: base + file.broker.monitorPort,
            identity: `spiffe://${file.trustDomain}/broker`,
            adminIdentity: `spiffe://${file.trustDomain}/broker-admin`,
            maxTries: file.broker.maxTries,
            ackWaitMs: Math.round(Number.parseFloat(file.broker.ackWait) * 1000),
          },
    services,
    faults: [],
  };
}

export function serviceNamed(topology: Topology, name: string): ServiceNode {
  const s = topology.services.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no service ${name} in the topology`);
  return s;
}

/**
 * Every method the topology names must exist in the contract of the service it names: a typo
 * would otherwise become a route or a grant that silently never matches.
 */
function checkMethodsExist(file: TopologyFile, services: readonly ServiceNode[]): void {
  const contracts = new Map(shopFiles.flatMap((f) => f.services).map((d) => [d.typeName, new Set(d.methods.map((m) => m.name))]));
  const check = (where: string, serviceName: string, methods: readonly string[]): void => {
    const known = contracts.get(serviceName);
    if (known === undefined) throw new Error(`${where}: no contract defines ${serviceName}`);
    for (const method of methods) if (!known.has(method)) throw new Error(`${where}: ${serviceName} has no method ${method}`);
  };
  for (const service of services) {
    for (const methods of [service.publicMethods, service.userMethods, service.idempotent, service.streaming]) {
      check(`services.${service.name}`, service.service, methods);
    }
    for (const grant of service.calls) {
      const callee = services.find((s) => s.name === grant.callee);
      if (callee === undefined) continue;
      if (grant.methods.length === 0) throw new Error(`services.${service.name}.calls.${grant.callee} lists no method`);
      check(`services.${service.name}.calls.${grant.callee}`, callee.service, grant.methods);
    }
  }
  for (const path of Object.keys(file.gateway.rateLimits.methods)) {
    const [serviceName = "", method = ""] = path.split("/");
    check("gateway.rateLimits.methods", serviceName, [method]);
    // A limit on a method the gateway does not route would never apply.
    const service = services.find((s) => s.service === serviceName);
    if (service && ![...service.publicMethods, ...service.userMethods].includes(method)) {
      throw new Error(`gateway.rateLimits.methods: the gateway does not route ${path} (it is neither public nor user)`);
    }
  }
}

/** The protobuf package of a fully qualified service name: shop.order.v1 of shop.order.v1.OrderService. */
function packageOf(service: string): string {
  return service.slice(0, service.lastIndexOf("."));
}

/** Every event the topology names must be a message of its publisher's contracts. */
function checkEventsExist(services: readonly ServiceNode[]): void {
  const messages = new Set(shopFiles.flatMap((f) => f.messages).map((m) => m.typeName));
  for (const service of services) {
    for (const event of service.publishes) {
      if (!messages.has(event)) throw new Error(`services.${service.name}.publishes: no contract defines ${event}`);
    }
  }
}

/** Every workload that needs a certificate: the gateway (also named for people's TLS clients) and each sidecar. */
export function workloads(topology: Topology): Workload[] {
  return [
    { name: "gateway", spiffeId: topology.gateway.identity, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] },
    ...topology.services.flatMap((s) => s.replicas.map((r) => ({ name: r.name, spiffeId: s.identity }))),
    ...(topology.broker === undefined
      ? []
      : [
          // Clients check the broker's address against its certificate.
          { name: "broker", spiffeId: topology.broker.identity, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] },
          { name: "broker-admin", spiffeId: topology.broker.adminIdentity },
        ]),
  ];
}
